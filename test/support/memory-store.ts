/**
 * In-memory test doubles of the engine's ports, for the tests of `src/core`: a `TimerStore` that follows the
 * port's contract to the letter (conditional lease, cursor, intervals as a set, paged reads with positions, and
 * optionally an index that lags writes),
 * a recording `FiringQueue` that can refuse entries or throw, a manual `Clock` whose `sleep` advances virtual
 * time, and a recording `MetricsSink`. The real adapters (SQLite, DynamoDB, SQS) are tested against real stores.
 */
import { PeriodicTimer, Timer } from '../../src/core/model';
import { MessageAttribute } from '../../src/core/names';
import {
  Clock, CronAdvance, FiringQueue, MetricsSink, QueueEntry, QueueFailure, ShardClaim, ShardState, TimerPage, TimerPages, TimerStore,
} from '../../src/core/ports';

interface MutableShardState {
  watermark: number;
  leaseOwner?: string;
  leaseUntil?: number;
  cursor?: string;
}

export interface MemoryStoreOptions {
  /** Timers per page of a query; small values make the engine follow many pages. @default 100 */
  readonly pageSize?: number;
  /**
   * Makes the schedule reads (queries and `listIntervals`) lag writes as a global secondary index does: a timer or
   * an interval registration is invisible to them until `lagMs` after it was written, by this clock. A replaced
   * timer reads as its previous version meanwhile; a deleted one is gone at once from the store but stays in the
   * index for the lag. @default - no lag
   */
  readonly indexLag?: { readonly clock: Clock; readonly lagMs: number };
}

/** The (key, id) order of the index: where a timer sits in a read. */
function positionOf(key: number, id: string): string {
  return `${String(key).padStart(16, '0')}#${id}`;
}

interface IndexedVersion {
  readonly timer: Timer | undefined;
  readonly visibleAt: number;
}

export class MemoryTimerStore implements TimerStore {
  readonly timers = new Map<string, Timer>();
  /** Ids taken out of the schedule by `retireTimers`, with the `createdAt` of the version retired. */
  readonly retired = new Map<string, number>();
  private readonly shards = new Map<string, MutableShardState>();
  private readonly intervals = new Map<string, Map<number, number>>();
  /** With index lag: each id's versions as the index shows them over time, newest last. */
  private readonly indexVersions = new Map<string, IndexedVersion[]>();
  private readonly pageSize: number;
  /** Pages handed out by the query methods, to check that every page was followed. */
  pagesServed = 0;
  /** Every call that wrote the shard state, by method: the API must make none. */
  readonly shardWrites: string[] = [];
  /** Every move the ticks stored, in order, to check what they wrote. */
  readonly cronAdvances: CronAdvance[] = [];
  /** Set to make `advanceCronTimers` fail, as a throttled or failed write would. */
  failCronAdvances?: Error;

  /** Not kept by default (registrations never lapse here); a test may set it to see what a tick reports. */
  keepIntervals?: (shardId: string, intervals: readonly number[], nowMs: number) => Promise<void>;

  constructor(private readonly options: MemoryStoreOptions = {}) {
    this.pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) {
      throw new Error(`pageSize must be a whole number of at least 1, got ${this.pageSize}`);
    }
  }

  private now(): number {
    return this.options.indexLag?.clock.now() ?? 0;
  }

  private indexWrite(id: string, timer: Timer | undefined): void {
    if (!this.options.indexLag) return;
    const versions = this.indexVersions.get(id) ?? [];
    versions.push({ timer, visibleAt: this.now() + this.options.indexLag.lagMs });
    this.indexVersions.set(id, versions);
  }

  /** What the schedule index shows now: every timer, or with lag the newest version already visible. */
  private indexed(): Timer[] {
    if (!this.options.indexLag) return [...this.timers.values()];
    const now = this.now();
    const out: Timer[] = [];
    for (const versions of this.indexVersions.values()) {
      let shown: Timer | undefined;
      for (const version of versions) if (version.visibleAt <= now) shown = version.timer;
      if (shown) out.push(shown);
    }
    return out;
  }

  async putTimer(timer: Timer): Promise<void> {
    this.timers.set(timer.id, timer);
    this.retired.delete(timer.id);
    this.indexWrite(timer.id, timer);
  }

  async getTimer(id: string): Promise<Timer | undefined> {
    return this.timers.get(id);
  }

  async replaceTimer(expected: Timer, next: Timer): Promise<boolean> {
    const stored = this.timers.get(expected.id);
    if (!stored || stored.createdAt !== expected.createdAt || stored.tickFrom !== expected.tickFrom || stored.pausedAt !== expected.pausedAt) {
      return false;
    }
    await this.putTimer(next);
    return true;
  }

  async deleteTimer(id: string): Promise<Timer | undefined> {
    const previous = this.timers.get(id);
    this.timers.delete(id);
    this.retired.delete(id);
    if (previous) this.indexWrite(id, undefined);
    return previous;
  }

  async registerInterval(shardId: string, intervalSeconds: number, nowMs: number): Promise<void> {
    const registered = this.intervals.get(shardId) ?? new Map<number, number>();
    if (!registered.has(intervalSeconds)) registered.set(intervalSeconds, this.options.indexLag ? nowMs + this.options.indexLag.lagMs : nowMs);
    this.intervals.set(shardId, registered);
  }

  async listIntervals(shardId: string, nowMs: number): Promise<number[]> {
    const registered = this.intervals.get(shardId) ?? new Map<number, number>();
    return [...registered].filter(([, visibleAt]) => !this.options.indexLag || visibleAt <= nowMs).map(([i]) => i).sort((a, b) => a - b);
  }

  async getShardState(shardId: string): Promise<ShardState | undefined> {
    return this.snapshot(shardId);
  }

  async initShardState(shardId: string, watermark: number): Promise<ShardState> {
    if (!this.shards.has(shardId)) {
      this.shards.set(shardId, { watermark });
      this.shardWrites.push('initShardState');
    }
    return this.snapshot(shardId)!;
  }

  async claimShard(claim: ShardClaim): Promise<ShardState | undefined> {
    const state = this.shards.get(claim.shardId);
    if (!state) throw new Error(`claimShard: shard ${claim.shardId} has no state; initShardState comes first`);
    const handedOver = claim.takeOverFrom !== undefined && state.leaseOwner === claim.takeOverFrom;
    const free = state.leaseOwner === undefined || (state.leaseUntil ?? 0) <= claim.nowMs || handedOver;
    if (!free) return undefined;
    this.shardWrites.push('claimShard');
    state.leaseOwner = claim.owner;
    state.leaseUntil = claim.leaseUntil;
    return this.snapshot(claim.shardId);
  }

  async checkpoint(shardId: string, owner: string, watermark: number, cursor: string | undefined, leaseUntil: number): Promise<boolean> {
    const state = this.shards.get(shardId);
    if (!state || state.leaseOwner !== owner || state.watermark !== watermark) return false;
    this.shardWrites.push('checkpoint');
    state.cursor = cursor;
    state.leaseUntil = leaseUntil;
    return true;
  }

  async advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean> {
    const state = this.shards.get(shardId);
    if (!state || state.leaseOwner !== owner || state.watermark !== from) return false;
    this.shardWrites.push('advanceWatermark');
    state.watermark = to;
    delete state.cursor;
    return true;
  }

  async releaseShard(shardId: string, owner: string): Promise<void> {
    const state = this.shards.get(shardId);
    if (state && state.leaseOwner === owner) {
      this.shardWrites.push('releaseShard');
      delete state.leaseOwner;
      delete state.leaseUntil;
    }
  }

  queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number, after?: string): TimerPages {
    return this.pages(
      (t) => t.kind === 'periodic' && t.shardId === shardId && t.interval === intervalSeconds && t.offset >= offsetFrom && t.offset < offsetTo,
      (t) => (t.kind === 'periodic' ? t.offset : 0),
      after,
    );
  }

  queryOneShots(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    return this.pages(
      (t) => t.kind === 'oneshot' && t.shardId === shardId && t.fireAt >= fromMs && t.fireAt < toMs,
      (t) => (t.kind === 'oneshot' ? t.fireAt : 0),
      after,
    );
  }

  queryCron(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    return this.pages(
      (t) => t.kind === 'cron' && t.shardId === shardId && t.dueAt !== undefined && t.dueAt >= fromMs && t.dueAt < toMs,
      (t) => (t.kind === 'cron' ? t.dueAt ?? 0 : 0),
      after,
    );
  }

  async advanceCronTimers(advances: readonly CronAdvance[]): Promise<void> {
    if (this.failCronAdvances) throw this.failCronAdvances;
    for (const advance of advances) {
      const current = this.timers.get(advance.read.id);
      const { createdAt, tickFrom, dueAt } = advance.read;
      if (current?.kind !== 'cron' || current.createdAt !== createdAt || current.tickFrom !== tickFrom || current.dueAt !== dueAt) continue;
      this.cronAdvances.push(advance);
      this.timers.set(advance.next.id, advance.next);
      this.indexWrite(advance.next.id, advance.next);
    }
  }

  async retireTimers(timers: readonly PeriodicTimer[]): Promise<void> {
    for (const timer of timers) {
      const current = this.timers.get(timer.id);
      // A timer replaced since it was read keeps its place in the schedule.
      if (current?.kind === 'periodic' && current.createdAt === timer.createdAt) this.retired.set(timer.id, timer.createdAt);
    }
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
      ...(state.leaseOwner !== undefined && { leaseOwner: state.leaseOwner, leaseUntil: state.leaseUntil }),
      ...(state.cursor !== undefined && { cursor: state.cursor }),
    };
  }

  /** Pages in index order (sort key, then id), as a range query over the schedule index returns them. */
  private async *pages(match: (t: Timer) => boolean, sortKey: (t: Timer) => number, after?: string): AsyncGenerator<TimerPage> {
    const found = this.indexed()
      .filter((t) => match(t) && this.retired.get(t.id) !== t.createdAt)
      .map((timer) => ({ timer, position: positionOf(sortKey(timer), timer.id) }))
      .filter((entry) => after === undefined || entry.position > after);
    found.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    for (let i = 0; i < found.length; i += this.pageSize) {
      this.pagesServed++;
      const page = found.slice(i, i + this.pageSize);
      yield { timers: page.map((e) => e.timer), positions: page.map((e) => e.position) };
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
  /**
   * Decides per entry (and per attempt of that firing, counted from 1) whether to refuse it: true for a transient
   * refusal, or the failure to answer (e.g. a permanent one).
   */
  refuse: (entry: QueueEntry, attempt: number) => boolean | Omit<QueueFailure, 'id'>;

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

  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
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
      const failed: QueueFailure[] = [];
      const now = this.options.clock?.now() ?? Date.now();
      for (const entry of entries) {
        const key = entry.attributes[MessageAttribute.FIRING_ID] ?? entry.id;
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        const refusal = this.refuse(entry, attempt);
        if (refusal === true) failed.push({ id: entry.id, code: 'ServiceUnavailable', permanent: false });
        else if (refusal) failed.push({ id: entry.id, ...refusal });
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
