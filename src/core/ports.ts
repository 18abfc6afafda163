/**
 * The ports of the engine: what it needs from storage, the queue, the clock, metrics and logs. `src/aws` and
 * `src/local` implement them; the engine (`api.ts`, `ticker.ts`) never knows which.
 *
 * Who sends which firing is decided without any shared per-shard state on the create path: a timer stored with
 * `tickFrom = B` has its firings before B sent by the API before the write, and those at or after B by the ticks
 * (see `api.ts`). The shard state is the ticks' alone: a watermark, a lease and a cursor inside the window at the
 * watermark.
 */
import { CronTimer, PeriodicTimer, Timer } from './model';

/** The per-shard dispatch state: the watermark, the lease of the tick dispatching it, and where it stopped. */
export interface ShardState {
  readonly shardId: string;
  /** End of the last window fully dispatched (epoch ms); every firing the ticks owe before it has been sent. */
  readonly watermark: number;
  /** The tick holding the shard, if any. */
  readonly leaseOwner?: string;
  /** When that lease lapses (epoch ms). */
  readonly leaseUntil?: number;
  /**
   * Where a tick stopped inside the window that starts at the watermark: every firing of the window before it has
   * been sent. Opaque to the store (the ticker writes and reads it); at most a few hundred bytes.
   */
  readonly cursor?: string;
}

/** A request to hold a shard for one tick invocation. */
export interface ShardClaim {
  readonly shardId: string;
  readonly owner: string;
  readonly nowMs: number;
  /** When the lease lapses if it is not renewed: the invocation's deadline. */
  readonly leaseUntil: number;
  /**
   * Also take the shard while this owner holds it: a continuation takes over the lease the tick that stopped early
   * handed it, under an owner of its own, so a second delivery of the same continuation finds the lease gone and
   * stands down.
   */
  readonly takeOverFrom?: string;
}

/**
 * One page of a schedule read. `positions[i]` is where a read resumes to return what follows `timers[i]`: passed
 * back as `after`, the same read continues with the timer after it. Positions are opaque to the engine, stable across
 * invocations, and at most a few hundred bytes.
 */
export interface TimerPage {
  readonly timers: readonly Timer[];
  readonly positions: readonly string[];
}

/** One read of timers, as a store pages it. */
export type TimerPages = AsyncIterable<TimerPage>;

export interface TimerStore {
  /**
   * Stores (or replaces) a timer. Once it resolves (and `sync`, if the store has it, resolved), every later read of
   * the timer by id sees it; schedule reads (`queryPeriodic`, `queryOneShots`, `listIntervals`) may lag behind by up
   * to the engine's `indexLagToleranceMs`.
   */
  putTimer(timer: Timer): Promise<void>;
  /**
   * Stores `next` in place of `expected` if the timer is still stored as `expected` was read (the same `createdAt`,
   * `tickFrom` and `pausedAt`); false, storing nothing, when a PUT, a DELETE, a pause or a tick's move came between.
   * Once it resolves true (and `sync`, if the store has it, resolved), it is as `putTimer`'s.
   */
  replaceTimer(expected: Timer, next: Timer): Promise<boolean>;
  /** Resolves once every write made so far is durable; rejects if one of them could not be made durable. */
  sync?(): Promise<void>;
  /** The timer with this id, read consistently (a write that resolved is seen). */
  getTimer(id: string): Promise<Timer | undefined>;
  /** Deletes a timer; returns what was deleted, or undefined if there was none. */
  deleteTimer(id: string): Promise<Timer | undefined>;

  /**
   * Records that the shard has periodic timers of this interval, before the first such timer is written. Called on
   * every periodic PUT: a store must not write a per-shard item each time (it may remember what it wrote recently).
   */
  registerInterval(shardId: string, intervalSeconds: number, nowMs: number): Promise<void>;
  /** The periodic intervals (seconds) the shard may have timers of, ascending. */
  listIntervals(shardId: string, nowMs: number): Promise<number[]>;
  /**
   * Tells the store which intervals a tick found timers of, so that their registration outlives any registration
   * the API wrote. Optional: a store whose intervals never lapse has nothing to do.
   */
  keepIntervals?(shardId: string, intervals: readonly number[], nowMs: number): Promise<void>;

  /** The shard's state, read consistently, or undefined if the shard was never ticked. */
  getShardState(shardId: string): Promise<ShardState | undefined>;
  /** Creates the shard's state with this watermark unless it exists; returns the state that holds now. */
  initShardState(shardId: string, watermark: number): Promise<ShardState>;
  /**
   * Takes the shard's lease if it is free or lapsed (or held by `takeOverFrom`), atomically; returns the
   * state after the claim, or undefined when another tick holds it.
   */
  claimShard(claim: ShardClaim): Promise<ShardState | undefined>;
  /**
   * Records where the tick stopped inside the window at `watermark` (undefined: its start), and extends the lease,
   * if `owner` still holds it and the watermark is still `watermark`; false otherwise.
   */
  checkpoint(shardId: string, owner: string, watermark: number, cursor: string | undefined, leaseUntil: number): Promise<boolean>;
  /** Moves the watermark from `from` to `to` and clears the cursor if `owner` still holds the lease; false otherwise. */
  advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean>;
  /** Gives the lease up (no-op if someone else holds it). */
  releaseShard(shardId: string, owner: string): Promise<void>;

  /**
   * Periodic timers of a shard and interval whose offset lies in [offsetFrom, offsetTo), every page, in a fixed
   * order; with `after` (a position from an earlier page of the same read), only those after it.
   */
  queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number, after?: string): TimerPages;
  /** One-shot timers of a shard due in [fromMs, toMs), every page, in a fixed order; `after` as for `queryPeriodic`. */
  queryOneShots(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages;
  /** Cron timers of a shard due (`dueAt`) in [fromMs, toMs), every page, in a fixed order; `after` as for `queryPeriodic`. */
  queryCron(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages;
  /**
   * Stores each cron timer a tick moved on (`next`: a later `tickFrom` and `dueAt`, or none: ended) if it is still
   * stored as the tick read it (`read`: same `createdAt`, `tickFrom` and `dueAt`); one replaced or deleted since is left as it
   * is. Once it resolves, schedule reads may still show a timer where it was for up to `indexLagToleranceMs`.
   */
  advanceCronTimers(advances: readonly CronAdvance[]): Promise<void>;
  /**
   * Takes periodic timers that have ended (no firing at or after `endAt` remains) out of the schedule, so no tick
   * reads them again; they stay readable by id until they expire. A timer replaced since it was read is left as it is.
   */
  retireTimers(timers: readonly PeriodicTimer[]): Promise<void>;
}

/** A cron timer as a tick read it, and as it stores it once the firings before its new `tickFrom` are sent. */
export interface CronAdvance {
  readonly read: CronTimer;
  readonly next: CronTimer;
}

/** One message of a batch, in the queue-neutral form the planner produces. */
export interface QueueEntry {
  /** Unique within its batch. */
  readonly id: string;
  readonly body: string;
  /** Whole seconds until the message may be delivered (0..900), for queues with second resolution. */
  readonly delaySeconds: number;
  /** Exact intended delivery instant (epoch ms), for queues with finer resolution. */
  readonly scheduledAt: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** An entry of a batch that the queue did not accept. */
export interface QueueFailure {
  /** The entry's `id`. */
  readonly id: string;
  /** The queue's error code, e.g. SQS's `InvalidMessageContents`. */
  readonly code?: string;
  readonly message?: string;
  /**
   * True when sending the same entry again can never succeed (the queue refused its content as the sender's fault):
   * the dispatcher sets it aside instead of retrying it, so it never holds a shard back (invariant 8). False for
   * throttling, service errors and anything else that may pass on a later attempt.
   */
  readonly permanent: boolean;
}

export interface FiringQueue {
  /** Sends up to ten entries at once; resolves with the entries that were not accepted (none: an empty array). */
  sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface MetricsSink {
  /** Adds to a count, or records one observation of a duration (the unit follows from the metric). */
  add(name: string, value: number): void;
  /** Records a value that is a level or a duration rather than a count. */
  observe(name: string, value: number): void;
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const noMetrics: MetricsSink = { add: () => undefined, observe: () => undefined };

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
