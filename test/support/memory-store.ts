/**
 * In-memory test doubles of the engine's ports, for the tests of `src/core`: a `TimerStore` that follows the
 * port's contract to the letter (conditional lease, claimedUntil only grows, intervals as a set, paged reads),
 * a recording `FiringQueue` that can refuse entries or throw, a manual `Clock` whose `sleep` advances virtual
 * time, and a recording `MetricsSink`. The real adapters (SQLite, DynamoDB, SQS) are tested against real stores.
 */
import { Timer } from '../../src/core/model';
import { MessageAttribute } from '../../src/core/names';
import { Clock, FiringQueue, MetricsSink, QueueEntry, ShardClaim, ShardState, TimerPages, TimerStore } from '../../src/core/ports';

interface MutableShardState {
  watermark: number;
  claimedUntil: number;
  leaseOwner?: string;
  leaseUntil?: number;
}

export interface MemoryStoreOptions {
  /** Timers per page of a query; small values make the engine follow many pages. @default 100 */
  readonly pageSize?: number;
}

export class MemoryTimerStore implements TimerStore {
  readonly timers = new Map<string, Timer>();
  private readonly shards = new Map<string, MutableShardState>();
  private readonly intervals = new Map<string, Set<number>>();
  private readonly pageSize: number;
  /** Pages handed out by the query methods, to check that every page was followed. */
  pagesServed = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new Error(`pageSize must be a whole number of at least 1, got ${this.pageSize}`);
    }
  }

  async putTimer(timer: Timer): Promise<Timer | undefined> {
    const previous = this.timers.get(timer.id);
    this.timers.set(timer.id, timer);
    return previous;
  }

  async getTimer(id: string): Promise<Timer | undefined> {
    return this.timers.get(id);
  }

  async deleteTimer(id: string): Promise<Timer | undefined> {
    const previous = this.timers.get(id);
    this.timers.delete(id);
    return previous;
  }

  async getShardState(shardId: string): Promise<ShardState | undefined> {
    return this.snapshot(shardId);
  }

  async initShardState(shardId: string, watermark: number): Promise<ShardState> {
    if (!this.shards.has(shardId)) this.shards.set(shardId, { watermark, claimedUntil: watermark });
    return this.snapshot(shardId)!;
  }

  async registerInterval(shardId: string, intervalSeconds: number): Promise<void> {
    const set = this.intervals.get(shardId) ?? new Set<number>();
    set.add(intervalSeconds);
    this.intervals.set(shardId, set);
  }

  async claimShard(claim: ShardClaim): Promise<ShardState | undefined> {
    const state = this.shards.get(claim.shardId);
    if (!state) throw new Error(`claimShard: shard ${claim.shardId} has no state; initShardState comes first`);
    const free = state.leaseOwner === undefined || (state.leaseUntil ?? 0) <= claim.nowMs;
    if (!free) return undefined;
    state.leaseOwner = claim.owner;
    state.leaseUntil = claim.leaseUntil;
    state.claimedUntil = Math.max(state.claimedUntil, claim.claimUntil);
    return this.snapshot(claim.shardId);
  }

  async advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean> {
    const state = this.shards.get(shardId);
    if (!state || state.leaseOwner !== owner || state.watermark !== from) return false;
    state.watermark = to;
    state.claimedUntil = Math.max(state.claimedUntil, to);
    return true;
  }

  async releaseShard(shardId: string, owner: string): Promise<void> {
    const state = this.shards.get(shardId);
    if (state && state.leaseOwner === owner) {
      delete state.leaseOwner;
      delete state.leaseUntil;
    }
  }

  queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number): TimerPages {
    return this.pages(
      (t) => t.kind === 'periodic' && t.shardId === shardId && t.interval === intervalSeconds && t.offset >= offsetFrom && t.offset < offsetTo,
      (t) => (t.kind === 'periodic' ? t.offset : 0),
    );
  }

  queryOneShots(shardId: string, fromMs: number, toMs: number): TimerPages {
    return this.pages(
      (t) => t.kind === 'oneshot' && t.shardId === shardId && t.fireAt >= fromMs && t.fireAt < toMs,
      (t) => (t.kind === 'oneshot' ? t.fireAt : 0),
    );
  }

  /** Holds the lease as another tick would, e.g. to check that a tick stands down. */
  forceLease(shardId: string, owner: string, leaseUntil: number): void {
    const state = this.shards.get(shardId);
    if (!state) throw new Error(`forceLease: shard ${shardId} has no state`);
    state.leaseOwner = owner;
    state.leaseUntil = leaseUntil;
  }

  private snapshot(shardId: string): ShardState | undefined {
    const state = this.shards.get(shardId);
    if (!state) return undefined;
    return {
      shardId,
      watermark: state.watermark,
      claimedUntil: state.claimedUntil,
      ...(state.leaseOwner !== undefined && { leaseOwner: state.leaseOwner, leaseUntil: state.leaseUntil }),
      intervals: [...(this.intervals.get(shardId) ?? [])].sort((a, b) => a - b),
    };
  }

  /** Pages in index order (sort key, then id), as a range query over the schedule index returns them. */
  private async *pages(match: (t: Timer) => boolean, sortKey: (t: Timer) => number): AsyncGenerator<Timer[]> {
    const found = [...this.timers.values()].filter(match);
    found.sort((a, b) => sortKey(a) - sortKey(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let i = 0; i < found.length; i += this.pageSize) {
      this.pagesServed++;
      yield found.slice(i, i + this.pageSize);
    }
  }
}

/** A clock that only moves when told to; `sleep` moves it by the time slept. */
export class ManualClock implements Clock {
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[] = [];

  constructor(private nowMs: number) {}

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.nowMs += ms;
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  set(ms: number): void {
    this.nowMs = ms;
  }
}

/** One accepted message, with the virtual time it was sent at. */
export interface SentEntry extends QueueEntry {
  readonly sentAt: number;
}

export interface RecordingQueueOptions {
  /** Moved forward by `latencyMs` during every send, so that sending takes virtual time. */
  readonly clock?: ManualClock;
  /** @default 0 */
  readonly latencyMs?: number;
}

/** A queue that records what it accepts; it can refuse chosen entries, throw, or hold sends until released. */
export class RecordingQueue implements FiringQueue {
  readonly sent: SentEntry[] = [];
  /** Every call, with the entries as given. */
  readonly calls: QueueEntry[][] = [];
  /** The next this many calls throw instead of answering. */
  throwTimes = 0;
  inFlight = 0;
  maxInFlight = 0;
  private readonly attempts = new Map<string, number>();
  private held?: Promise<void>;
  /** Decides per entry (and per attempt of that firing, counted from 1) whether to refuse it. */
  refuse: (entry: QueueEntry, attempt: number) => boolean;

  constructor(private readonly options: RecordingQueueOptions = {}) {
    this.refuse = () => false;
  }

  /** Makes sends wait until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.held = undefined;
      release();
    };
  }

  /** The firing ids accepted, in order of acceptance. */
  firingIds(): string[] {
    return this.sent.map((e) => e.attributes[MessageAttribute.FIRING_ID]);
  }

  async sendBatch(entries: readonly QueueEntry[]): Promise<string[]> {
    this.calls.push([...entries]);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Yield to the event loop so other senders can start: concurrency is observable.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.held) await this.held;
      if (this.options.clock && this.options.latencyMs) this.options.clock.advance(this.options.latencyMs);
      if (this.throwTimes > 0) {
        this.throwTimes--;
        throw new Error('queue unavailable (test)');
      }
      const failed: string[] = [];
      const now = this.options.clock?.now() ?? Date.now();
      for (const entry of entries) {
        const key = entry.attributes[MessageAttribute.FIRING_ID] ?? entry.id;
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        if (this.refuse(entry, attempt)) failed.push(entry.id);
        else this.sent.push({ ...entry, sentAt: now });
      }
      return failed;
    } finally {
      this.inFlight--;
    }
  }
}

/** Sums counts and keeps observations per metric name. */
export class RecordingMetrics implements MetricsSink {
  readonly counts = new Map<string, number>();
  readonly observations = new Map<string, number[]>();

  add(name: string, value: number): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }

  observe(name: string, value: number): void {
    this.observations.set(name, [...(this.observations.get(name) ?? []), value]);
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
