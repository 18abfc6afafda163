/**
 * The engine's settings and the arithmetic that derives the rest from them: how far ahead a tick looks, how long
 * it may hold its shard. The AWS handlers read them from environment variables, the local runtime from flags.
 */

export interface EngineSettings {
  /** Number of shards, 1..100. */
  readonly shardCount: number;
  /** Seconds between ticks of a shard; also the default interval of a periodic timer. */
  readonly periodSeconds: number;
  /** SendMessageBatch calls in flight per tick. @default 10 */
  readonly batchConcurrency?: number;
  /**
   * How long a tick waits after taking its shard before it reads timers, so that a timer written just before is
   * visible to the read (DynamoDB global secondary indexes are eventually consistent). @default 0
   */
  readonly settleMs?: number;
  /** How long a tick may work before it stops starting new windows (a caught-up tick finishes the rest next time). */
  readonly tickBudgetMs?: number;
  /** How long a fired one-shot still reads as `fired` before the store forgets it. @default one day */
  readonly oneShotRetentionMs?: number;
  /**
   * How far beyond one period a tick looks ahead (ms, whole seconds): how late the next tick may start before a
   * firing it should have queued is sent late. A shorter margin queues fewer firings ahead, so a new timer has fewer
   * near-term firings for the API to send and a deleted one fewer already queued. @default the period, at most 60 s
   */
  readonly lookAheadMarginMs?: number;
}

export interface EngineConfig {
  readonly shardCount: number;
  readonly periodSeconds: number;
  readonly batchConcurrency: number;
  /** Size of one dispatch window: one period. */
  readonly windowMs: number;
  /** A tick at t dispatches every firing up to t + lookAheadMs: one period plus a margin for a late tick. */
  readonly lookAheadMs: number;
  readonly settleMs: number;
  readonly tickBudgetMs: number;
  /**
   * A tick's lease on its shard: the budget plus slack for the last window (a fifth of a period, at most 30 s), so
   * that with a budget of three quarters of a period (as the construct sets it) the lease of a tick that died has
   * lapsed by the time the next scheduled tick comes, and that tick catches up at once rather than a period later.
   */
  readonly leaseMs: number;
  readonly oneShotRetentionMs: number;
}

export const MAX_SHARDS = 100;
/** The largest period whose look-ahead (period + margin) still fits SQS's 900 s maximum delay. */
export const MAX_PERIOD_SECONDS = 840;
/** The largest look-ahead margin, and the default for periods of a minute or more. */
export const MAX_LOOK_AHEAD_MARGIN_MS = 60_000;

function requireWhole(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/** Validates the settings and derives the engine's configuration. */
export function engineConfig(settings: EngineSettings): EngineConfig {
  requireWhole('shardCount', settings.shardCount, 1, MAX_SHARDS);
  requireWhole('periodSeconds', settings.periodSeconds, 1, MAX_PERIOD_SECONDS);
  const batchConcurrency = settings.batchConcurrency ?? 10;
  requireWhole('batchConcurrency', batchConcurrency, 1, 1000);
  const periodMs = settings.periodSeconds * 1000;
  // The next tick must start before the span this one dispatched runs out: by default allow it up to a period late
  // (at most a minute), as a scheduled Lambda may be.
  const lookAheadMarginMs = settings.lookAheadMarginMs ?? Math.min(periodMs, MAX_LOOK_AHEAD_MARGIN_MS);
  if (!Number.isInteger(lookAheadMarginMs / 1000) || lookAheadMarginMs < 1000 || lookAheadMarginMs > MAX_LOOK_AHEAD_MARGIN_MS) {
    throw new Error(`lookAheadMarginMs must be a whole number of seconds from 1000 to ${MAX_LOOK_AHEAD_MARGIN_MS} ms, got ${lookAheadMarginMs}`);
  }
  const lookAheadMs = periodMs + lookAheadMarginMs;
  const tickBudgetMs = settings.tickBudgetMs ?? Math.max(periodMs, 10_000);
  return {
    shardCount: settings.shardCount,
    periodSeconds: settings.periodSeconds,
    batchConcurrency,
    windowMs: periodMs,
    lookAheadMs,
    settleMs: settings.settleMs ?? 0,
    tickBudgetMs,
    leaseMs: tickBudgetMs + Math.min(periodMs / 5, 30_000),
    oneShotRetentionMs: settings.oneShotRetentionMs ?? 24 * 3600 * 1000,
  };
}
