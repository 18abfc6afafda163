/**
 * The engine's settings and the arithmetic that derives the rest from them: how far ahead a tick looks, how far
 * ahead the API sends a new timer's firings itself, how long a tick may hold its shard. The AWS handlers read them
 * from environment variables, the local runtime from flags.
 */

export interface EngineSettings {
  /** Number of shards, 1..100. */
  readonly shardCount: number;
  /** Seconds between ticks of a shard; also the default interval of a periodic timer. */
  readonly periodSeconds: number;
  /** SendMessageBatch calls in flight per tick. @default 10 */
  readonly batchConcurrency?: number;
  /** How long a fired one-shot or an ended periodic timer still reads as such before the store forgets it. @default one day */
  readonly oneShotRetentionMs?: number;
  /**
   * How far beyond one period a tick looks ahead (ms, whole seconds): how late the next tick may start before a
   * firing it should have queued is sent late. @default the period, at most 60 s, and at most what SQS's 900 s
   * delay leaves after the period, the index lag tolerance and `createWithinMs`
   */
  readonly lookAheadMarginMs?: number;
  /**
   * How long after a write the schedule reads (the index a tick queries) may still miss it, in whole seconds: the
   * API sends a new timer's firings itself that far further ahead, so a tick that cannot see the timer yet owes none
   * of them. DynamoDB's global secondary indexes are eventually consistent with no stated bound. @default 0
   */
  readonly indexLagToleranceMs?: number;
  /**
   * The longest a PUT may take from its start to the end of its write (ms, whole seconds): on AWS the API function's
   * timeout plus a margin for a write still in flight when it is killed and for clock skew. A PUT that finds itself
   * slower than this sends the firings its delay may have cost. @default 15 s
   */
  readonly createWithinMs?: number;
  /** How long a tick run without a deadline (the local runtime) holds its shard. @default two periods, at least 30 s */
  readonly leaseMs?: number;
  /**
   * How far before its first tick a shard's watermark starts (ms): a timer created before its shard ever ticked (a
   * new deployment whose first ticks failed, a shard added later) has its firings from then on sent late rather than
   * never. @default one hour
   */
  readonly initialCatchUpMs?: number;
}

export interface EngineConfig {
  readonly shardCount: number;
  readonly periodSeconds: number;
  readonly batchConcurrency: number;
  /** Size of one dispatch window: one period. */
  readonly windowMs: number;
  /** A tick at t dispatches every firing up to t + lookAheadMs: one period plus a margin for a late tick. */
  readonly lookAheadMs: number;
  readonly indexLagToleranceMs: number;
  readonly createWithinMs: number;
  /**
   * A PUT at t sends the new timer's firings before t + directSendMs itself and leaves the rest to the ticks: the
   * look-ahead of a tick that started before the write ended (createWithinMs) and read the index before the write
   * showed in it (indexLagToleranceMs). At most 900 s, SQS's longest delay.
   */
  readonly directSendMs: number;
  readonly leaseMs: number;
  readonly initialCatchUpMs: number;
  readonly oneShotRetentionMs: number;
}

export const MAX_SHARDS = 100;
/** The largest period whose look-ahead (period + margin) still fits SQS's 900 s maximum delay. */
export const MAX_PERIOD_SECONDS = 840;
/** The largest look-ahead margin, and the default for periods of a minute or more. */
export const MAX_LOOK_AHEAD_MARGIN_MS = 60_000;
/**
 * The furthest ahead anything is sent: SQS's longest DelaySeconds (900 s) less the second a boundary may be rounded up
 * by, so that no firing before it ever needs a delay SQS cannot give.
 */
export const MAX_DIRECT_SEND_MS = 899_000;
/** The index lag a deployment tolerates by default, where SQS's 900 s leave room for it. */
export const DEFAULT_INDEX_LAG_TOLERANCE_MS = 45_000;
/** The API function's 10 s timeout, plus 5 s for a write still in flight when it is killed, and for clock skew. */
export const DEFAULT_CREATE_WITHIN_MS = 15_000;
export const DEFAULT_INITIAL_CATCH_UP_MS = 3_600_000;

function requireWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

function requireWholeSeconds(name: string, value: number, min: number, max: number, hint: string): void {
  if (!Number.isInteger(value / 1000) || value < min || value > max) {
    throw new Error(`${name} must be a whole number of seconds from ${min} to ${max} ms, got ${value}: ${hint}`);
  }
}

/**
 * The index lag a deployment of this period tolerates: 45 s, or less for the longest periods, so that the look-ahead
 * keeps a margin as large as the lag tolerance within SQS's 900 s (at a 14-minute period, 22 s each).
 */
export function indexLagToleranceFor(periodSeconds: number, createWithinMs = DEFAULT_CREATE_WITHIN_MS): number {
  const room = MAX_DIRECT_SEND_MS - periodSeconds * 1000 - createWithinMs;
  return Math.max(0, Math.min(DEFAULT_INDEX_LAG_TOLERANCE_MS, Math.floor(room / 2000) * 1000));
}

/** Validates the settings and derives the engine's configuration. */
export function engineConfig(settings: EngineSettings): EngineConfig {
  requireWhole('shardCount', settings.shardCount, 1, MAX_SHARDS);
  requireWhole('periodSeconds', settings.periodSeconds, 1, MAX_PERIOD_SECONDS);
  const batchConcurrency = settings.batchConcurrency ?? 10;
  requireWhole('batchConcurrency', batchConcurrency, 1, 1000);
  const periodMs = settings.periodSeconds * 1000;
  const indexLagToleranceMs = settings.indexLagToleranceMs ?? 0;
  requireWholeSeconds('indexLagToleranceMs', indexLagToleranceMs, 0, MAX_DIRECT_SEND_MS, 'how long the schedule index may lag a write');
  const createWithinMs = settings.createWithinMs ?? DEFAULT_CREATE_WITHIN_MS;
  requireWholeSeconds('createWithinMs', createWithinMs, 0, MAX_DIRECT_SEND_MS, 'the longest a PUT takes to store its timer');
  // What SQS's 900 s leave for the margin once the period, the lag tolerance and a PUT's own time are taken.
  const room = MAX_DIRECT_SEND_MS - periodMs - indexLagToleranceMs - createWithinMs;
  // The next tick must start before the span this one dispatched runs out: by default allow it up to a period late
  // (at most a minute), as a scheduled Lambda may be.
  const lookAheadMarginMs = settings.lookAheadMarginMs ?? Math.min(periodMs, MAX_LOOK_AHEAD_MARGIN_MS, Math.floor(room / 1000) * 1000);
  requireWholeSeconds('lookAheadMarginMs', lookAheadMarginMs, 1000, MAX_LOOK_AHEAD_MARGIN_MS, 'how late a tick may start');
  if (lookAheadMarginMs > room) {
    throw new Error(
      `the period (${periodMs} ms), lookAheadMarginMs (${lookAheadMarginMs}), indexLagToleranceMs (${indexLagToleranceMs}) and ` +
        `createWithinMs (${createWithinMs}) add up to ${periodMs + lookAheadMarginMs + indexLagToleranceMs + createWithinMs} ms: ` +
        `at most ${MAX_DIRECT_SEND_MS} ms fit SQS's longest delay; shorten one of them`,
    );
  }
  const lookAheadMs = periodMs + lookAheadMarginMs;
  const leaseMs = settings.leaseMs ?? Math.max(2 * periodMs, 30_000);
  requireWhole('leaseMs', leaseMs, 1000, 3_600_000);
  const initialCatchUpMs = settings.initialCatchUpMs ?? DEFAULT_INITIAL_CATCH_UP_MS;
  requireWhole('initialCatchUpMs', initialCatchUpMs, 0, 7 * 24 * 3_600_000);
  return {
    shardCount: settings.shardCount,
    periodSeconds: settings.periodSeconds,
    batchConcurrency,
    windowMs: periodMs,
    lookAheadMs,
    indexLagToleranceMs,
    createWithinMs,
    directSendMs: lookAheadMs + indexLagToleranceMs + createWithinMs,
    leaseMs,
    initialCatchUpMs,
    oneShotRetentionMs: settings.oneShotRetentionMs ?? 24 * 3600 * 1000,
  };
}
