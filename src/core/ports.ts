/**
 * The ports of the engine: what it needs from storage, the queue, the clock, metrics and logs. `src/aws` and
 * `src/local` implement them; the engine (`api.ts`, `ticker.ts`) never knows which.
 */
import { Timer } from './model';

/** The per-shard dispatch state: the watermark, the lease of the tick dispatching it, and the intervals in use. */
export interface ShardState {
  readonly shardId: string;
  /** End of the last window fully dispatched (epoch ms); every firing before it has been sent. */
  readonly watermark: number;
  /** End of the span the current (or last) lease holder set out to dispatch; at least `watermark`. */
  readonly claimedUntil: number;
  /** The tick holding the shard, if any. */
  readonly leaseOwner?: string;
  /** When that lease lapses (epoch ms). */
  readonly leaseUntil?: number;
  /** The periodic intervals (seconds) that have timers in this shard. */
  readonly intervals: readonly number[];
}

/** A request to hold a shard for one tick. */
export interface ShardClaim {
  readonly shardId: string;
  readonly owner: string;
  readonly nowMs: number;
  readonly leaseUntil: number;
  readonly claimUntil: number;
}

/** One read of timers, as a store pages it. */
export type TimerPages = AsyncIterable<Timer[]>;

export interface TimerStore {
  /**
   * Stores (or replaces) a timer; returns the timer it replaced, if any. Once it resolves, every later read of a
   * shard's state, claim and query sees the timer. A store that defers its writes to commit them together also
   * implements `sync`; without it, a resolved write is durable.
   */
  putTimer(timer: Timer): Promise<Timer | undefined>;
  /** Resolves once every write made so far is durable; rejects if one of them could not be made durable. */
  sync?(): Promise<void>;
  getTimer(id: string): Promise<Timer | undefined>;
  /** Deletes a timer; returns what was deleted, or undefined if there was none. */
  deleteTimer(id: string): Promise<Timer | undefined>;

  /** The shard's state, read consistently, or undefined if the shard was never used. */
  getShardState(shardId: string): Promise<ShardState | undefined>;
  /** Creates the shard's state with this watermark unless it exists; returns the state that holds now. */
  initShardState(shardId: string, watermark: number): Promise<ShardState>;
  /** Records that the shard has periodic timers of this interval (idempotent). */
  registerInterval(shardId: string, intervalSeconds: number): Promise<void>;
  /**
   * Takes the shard's lease if it is free or lapsed, atomically; returns the state after the claim, or
   * undefined when another tick holds it.
   */
  claimShard(claim: ShardClaim): Promise<ShardState | undefined>;
  /** Moves the watermark from `from` to `to` if `owner` still holds the lease; false otherwise. */
  advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean>;
  /** Gives the lease up (no-op if someone else holds it). */
  releaseShard(shardId: string, owner: string): Promise<void>;

  /** Periodic timers of a shard and interval whose offset lies in [offsetFrom, offsetTo), every page. */
  queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number): TimerPages;
  /** One-shot timers of a shard due in [fromMs, toMs), every page. */
  queryOneShots(shardId: string, fromMs: number, toMs: number): TimerPages;
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

export interface FiringQueue {
  /** Sends up to ten entries at once; resolves with the ids of the entries that were not accepted. */
  sendBatch(entries: readonly QueueEntry[]): Promise<string[]>;
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
