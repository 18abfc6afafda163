/**
 * The timer model and the service limits it is validated against. Pure data: no I/O.
 * Times inside the engine are epoch milliseconds; periodic schedules are whole epoch seconds.
 */

export type TimerKind = 'periodic' | 'oneshot' | 'cron';

/**
 * What a tick does with the firings of a timer it sends later than `LATE_TOLERANCE_MS` after their time (after an
 * outage, a restart of the local runtime, a failed or continued tick): send every one (`all`, the default), only the
 * latest of the span caught up (`latest`), or none (`none`). Dropped firings are counted, never silent.
 */
export type MissedFirings = 'all' | 'latest' | 'none';
export const MISSED_FIRINGS_POLICIES: readonly MissedFirings[] = ['all', 'latest', 'none'];

/** Fields every stored timer has. */
interface TimerBase {
  /** Client-chosen id, unique across both kinds. */
  readonly id: string;
  /** The shard that dispatches this timer, e.g. `shard3`. */
  readonly shardId: string;
  /** `timerCallbackData` exactly as it will be delivered: its JSON serialization. */
  readonly data: string;
  /** When the timer was created or last replaced (epoch ms). */
  readonly createdAt: number;
  /**
   * The ticks send this timer's firings at or after this instant (epoch ms, a whole second); the API sent those
   * before it, before it stored the timer. Set once, when the timer is created or replaced (see `TimerApi`).
   */
  readonly tickFrom: number;
  /**
   * When the timer was paused (epoch ms); undefined while it runs. No tick sends a firing of a paused timer; resuming
   * stores it again with a new `tickFrom`, as a PUT would, so the paused span is not replayed.
   */
  readonly pausedAt?: number;
  /** The missed-firing policy; undefined is `all`. */
  readonly missedFirings?: Exclude<MissedFirings, 'all'>;
}

export interface PeriodicTimer extends TimerBase {
  readonly kind: 'periodic';
  /** Whole seconds between firings. */
  readonly interval: number;
  /** The timer fires at every epoch second t with t mod interval = offset. */
  readonly offset: number;
  /** Inclusive lower bound of firings (epoch ms). */
  readonly startAt?: number;
  /** Exclusive upper bound of firings (epoch ms). */
  readonly endAt?: number;
  /**
   * With `endAt`: when the store may forget the timer, for free (epoch ms): endAt plus the retention of ended timers.
   * Until then it reads as `ended`.
   */
  readonly expiresAt?: number;
}

export interface OneShotTimer extends TimerBase {
  readonly kind: 'oneshot';
  /** When it fires (epoch ms). */
  readonly fireAt: number;
  /**
   * When the store may forget it, for free (epoch ms): fireAt plus the retention of fired and ended timers.
   * Undefined while it is paused: a paused one-shot is kept until it is resumed or deleted.
   */
  readonly expiresAt?: number;
}

export interface CronTimer extends TimerBase {
  readonly kind: 'cron';
  /** The cron expression, its fields separated by single spaces (`cron.ts`). */
  readonly cron: string;
  /** The IANA time zone the expression is read in. */
  readonly timeZone: string;
  /** Inclusive lower bound of firings (epoch ms). */
  readonly startAt?: number;
  /** Exclusive upper bound of firings (epoch ms). */
  readonly endAt?: number;
  /**
   * Where the schedule places the timer: its first firing at or after `tickFrom` (epoch ms), which the tick whose
   * window holds it sends, with the firings after it up to a new `tickFrom`, before it moves the timer on to the next
   * one (see `Ticker`). Undefined once no firing is left: the timer has ended, and no tick reads it.
   */
  readonly dueAt?: number;
  /** Once the timer has ended, or with `endAt`: when the store may forget it, for free (epoch ms). */
  readonly expiresAt?: number;
}

export type Timer = PeriodicTimer | OneShotTimer | CronTimer;

/** One delivery of one timer at one scheduled instant. */
export interface Firing {
  readonly timerId: string;
  readonly kind: TimerKind;
  /** Epoch ms of the intended firing. */
  readonly scheduledAt: number;
  /** The message body: `timerCallbackData` as JSON. */
  readonly body: string;
}

/** Limits of the API contract, each named after the service limit it comes from. */
export const Limits = {
  /** Ids: 1 to 128 characters of `A-Z a-z 0-9 . _ - : @`. */
  ID_PATTERN: /^[A-Za-z0-9._\-:@]{1,128}$/,
  ID_MAX_LENGTH: 128,
  /** Smallest interval: one second, the resolution of SQS DelaySeconds. */
  MIN_INTERVAL_SECONDS: 1,
  /** Largest interval: seven days. */
  MAX_INTERVAL_SECONDS: 7 * 24 * 3600,
  /**
   * `timerCallbackData` must fit one SQS message (256 KiB including its attributes) and one DynamoDB item
   * (400 KB): 256 KiB serialized, less a reserve for the callback attributes.
   */
  MAX_CALLBACK_DATA_BYTES: 256 * 1024 - 2 * 1024,
  /** A request body larger than this is refused with 413 before it is parsed. */
  MAX_BODY_BYTES: 256 * 1024 + 4 * 1024,
  /** A one-shot `at` this far in the past is still accepted and fires at once (clock skew between client and service). */
  PAST_GRACE_MS: 5_000,
  /** Largest `delaySeconds` of a one-shot: ten years. */
  MAX_DELAY_SECONDS: 10 * 365 * 24 * 3600,
  /** SQS DelaySeconds range. */
  MAX_SQS_DELAY_SECONDS: 900,
  /** SendMessageBatch: at most 10 entries and 256 KiB in all. */
  MAX_BATCH_ENTRIES: 10,
  MAX_BATCH_BYTES: 256 * 1024,
} as const;
