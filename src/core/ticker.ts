/**
 * The tick: dispatches one shard's firings ahead of time. Each run takes the shard's lease, then walks every window
 * from the watermark up to now + look-ahead, sends the firings it owes (those at or after each timer's `tickFrom`)
 * with delays, and advances the watermark with a conditional write after each window (invariants 2, 3 and 5).
 *
 * Inside a window it checkpoints a cursor (the position after the last timer whose firings, and every one's before
 * it, were all accepted), and with a deadline it stops before it, leaving the lease to a continuation that resumes at
 * the cursor (invariant 9): a window of any size is finished in as many invocations as it takes, with no firing sent
 * twice unless an invocation was killed. A tick that finds the shard held by another stands down, so two ticks never
 * dispatch the same window.
 */
import { EngineConfig } from './config';
import { DispatchItem, Dispatcher, LATE_TOLERANCE_MS, StreamOutcome } from './dispatch';
import { shardName } from './hash';
import { PeriodicTimer } from './model';
import { MetricName } from './names';
import { Clock, Log, MetricsSink, ShardState, TimerPages, TimerStore } from './ports';
import { hasEndedBy, offsetRangesInWindow, tickFiringsInWindow } from './schedule';

export interface TickOptions {
  /**
   * When this invocation must have ended (epoch ms), e.g. Lambda's deadline. The tick stops starting work a reserve
   * before it (a fifth of the time it had, from 1 to 10 s) and hands what is left to a continuation.
   * @default - no deadline: the tick runs until its span is dispatched
   */
  readonly deadlineMs?: number;
  /** Continue a tick that stopped early: the owner it handed its lease to (`TickReport.continuation`). */
  readonly continueAs?: string;
}

export interface TickReport {
  readonly shardId: string;
  /** True when another tick held the shard and this one did nothing. */
  readonly skipped: boolean;
  /** Windows dispatched and checkpointed. */
  readonly windows: number;
  /** Of those, the windows that had already started when the tick began. */
  readonly windowsCaughtUp: number;
  readonly dispatched: number;
  readonly late: number;
  /** Firings the queue refused for good and that were set aside. */
  readonly rejected: number;
  /** Ended periodic timers taken out of the schedule. */
  readonly retired: number;
  /** The watermark after the tick (epoch ms). */
  readonly watermark: number;
  /**
   * Set when the tick stopped before its deadline with work left: it still holds the lease, and a continuation must
   * run `tick(shardId, { continueAs: owner })` at once. Without one, the lease lapses shortly after the deadline and
   * the next scheduled tick resumes at the cursor.
   */
  readonly continuation?: { readonly owner: string };
}

export interface TickerDeps {
  readonly store: TimerStore;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  readonly log: Log;
}

/** Where a tick stopped inside a window: after `after` in read `(kind, interval, range)` of the window ending at `to`. */
interface Cursor {
  /** End of the window the cursor is in: a continuation dispatches exactly that window first. */
  readonly to: number;
  /** 0 for a periodic read, 1 for the one-shot read (which comes after every periodic one). */
  readonly k: 0 | 1;
  /** The interval of a periodic read. */
  readonly i: number;
  /** Which of the interval's offset ranges in the window (0 or 1). */
  readonly r: number;
  /** The store's position after the last timer done. */
  readonly a: string;
}

/** One schedule read of a window, in the order a tick makes them. */
interface Read {
  readonly k: 0 | 1;
  readonly i: number;
  readonly r: number;
  readonly pages: (after?: string) => TimerPages;
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function compareReads(a: Pick<Read, 'k' | 'i' | 'r'>, b: Pick<Read, 'k' | 'i' | 'r'>): number {
  return a.k - b.k || a.i - b.i || a.r - b.r;
}

function parseCursor(raw: string | undefined, watermark: number): Cursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const cursor = JSON.parse(raw) as Cursor;
    if (typeof cursor.to === 'number' && cursor.to > watermark && typeof cursor.a === 'string') return cursor;
  } catch {
    // fall through: an unreadable cursor restarts its window, which loses nothing
  }
  return undefined;
}

/** How long before its deadline a tick stops starting work: a fifth of its time, from 1 to 10 s. */
export function stopReserveMs(budgetMs: number): number {
  return Math.min(10_000, Math.max(1000, Math.floor(budgetMs / 5)));
}

/** How often a tick records its cursor while a window is being sent. */
export const CHECKPOINT_EVERY_MS = 2000;
/**
 * A lease with a deadline ends at it: a killed invocation's shard is free for the next scheduled tick, which comes
 * about then (the tick's timeout is the period), rather than a period later.
 */
export const LEASE_SLACK_MS = 0;
/** Ended timers retired per window at most; the rest are found again by a later window. */
const MAX_RETIRED_PER_WINDOW = 10_000;
const RETIRE_CHUNK = 100;

let ownerSequence = 0;

/** What one window's dispatch did, for the totals. */
interface WindowOutcome extends StreamOutcome<Cursor> {
  readonly lostLease: boolean;
}

export class Ticker {
  constructor(private readonly config: EngineConfig, private readonly deps: TickerDeps) {}

  async tick(shardId: string, options: TickOptions = {}): Promise<TickReport> {
    const { store, clock, metrics, log } = this.deps;
    const { lookAheadMs, leaseMs, windowMs } = this.config;
    const startedAt = clock.now();
    // A continuation too takes an owner of its own: the one it was handed is consumed by the take-over.
    const owner = `${startedAt}-${process.pid}-${++ownerSequence}-${Math.random().toString(36).slice(2, 8)}`;
    const deadline = options.deadlineMs;
    const stopAt = deadline === undefined ? undefined : deadline - stopReserveMs(deadline - startedAt);
    const leaseUntil = (deadline ?? startedAt + leaseMs) + LEASE_SLACK_MS;
    const existing = await store.getShardState(shardId);
    // A shard's first tick starts a while back: a timer created before it is owed its firings from its tickFrom on.
    const initial = existing ?? (await store.initShardState(shardId, floorSecond(startedAt - this.config.initialCatchUpMs)));
    await this.reportNeighbourLag(shardId, existing === undefined ? undefined : initial, startedAt);
    const claimUntil = floorSecond(startedAt + lookAheadMs);
    const totals = { shardId, windows: 0, windowsCaughtUp: 0, dispatched: 0, late: 0, rejected: 0, retired: 0 };
    if (!options.continueAs && claimUntil <= initial.watermark) {
      return { ...totals, skipped: false, watermark: initial.watermark };
    }

    const claimed = await store.claimShard({
      shardId,
      owner,
      nowMs: startedAt,
      leaseUntil,
      ...(options.continueAs !== undefined && { takeOverFrom: options.continueAs }),
    });
    if (!claimed) {
      metrics.add(MetricName.TICKS_SKIPPED, 1);
      log.info('shard held by another tick; standing down', { shardId });
      return { ...totals, skipped: true, watermark: initial.watermark };
    }
    // Read after the claim: an interval registered before a timer the index already shows is listed too.
    const intervals = await store.listIntervals(shardId, startedAt);

    let watermark = claimed.watermark;
    let cursor = parseCursor(claimed.cursor, watermark);
    let maxLagMs = 0;
    let progressed = false;
    let handOver = false;
    const timeIsUp = (): boolean => stopAt !== undefined && clock.now() >= stopAt;
    try {
      const end = Math.max(claimUntil, cursor?.to ?? 0);
      for (let from = watermark; from < end;) {
        // A window holding a cursor is dispatched exactly as it was begun.
        const to = cursor?.to ?? Math.min(Math.floor(from / windowMs) * windowMs + windowMs, end);
        if (timeIsUp()) {
          handOver = progressed;
          break;
        }
        const ended: PeriodicTimer[] = [];
        const seen = new Set<number>();
        const outcome = await this.dispatchWindow(shardId, intervals, from, to, cursor, { owner, leaseUntil, stopAt, deadline, ended, seen });
        totals.dispatched += outcome.report.dispatched;
        totals.late += outcome.report.late;
        totals.rejected += outcome.report.rejected;
        maxLagMs = Math.max(maxLagMs, outcome.report.maxLagMs);
        // Whether or not the window is done: a window finished by continuations has read some intervals only here.
        await this.keepIntervals(shardId, seen);
        if (outcome.lostLease) {
          log.warn('lost the shard lease; another tick continues', { shardId, watermark });
          break;
        }
        if (!outcome.complete) {
          if (outcome.position) {
            progressed = true;
            await store.checkpoint(shardId, owner, from, JSON.stringify(outcome.position), leaseUntil);
          }
          if (outcome.report.failed > 0) {
            // Leave the rest of the window where it is: the next tick resumes at the cursor rather than lose a firing.
            throw new Error(`${outcome.report.failed} firing(s) of ${shardId} window [${from}, ${to}) were not accepted by the queue`);
          }
          handOver = progressed;
          break;
        }
        if (!(await store.advanceWatermark(shardId, owner, from, to))) {
          log.warn('lost the shard lease; another tick continues', { shardId, watermark });
          break;
        }
        progressed = true;
        totals.windows++;
        // A window that began more than the late tolerance before this tick is one an earlier tick should have sent
        // (not the look-back of a shard's first tick).
        if (from + LATE_TOLERANCE_MS < startedAt && existing !== undefined) totals.windowsCaughtUp++;
        watermark = to;
        cursor = undefined;
        from = to;
        totals.retired += await this.retire(ended, stopAt);
      }
    } finally {
      if (!handOver) await store.releaseShard(shardId, owner);
      metrics.add(MetricName.WINDOWS_CAUGHT_UP, totals.windowsCaughtUp);
      metrics.add(MetricName.TIMERS_RETIRED, totals.retired);
      metrics.observe(MetricName.DISPATCH_LAG, maxLagMs);
      metrics.observe(MetricName.TICK_DURATION, clock.now() - startedAt);
    }
    if (totals.windowsCaughtUp > 0 || totals.late > 0) {
      log.warn('caught up missed windows', { shardId, windowsCaughtUp: totals.windowsCaughtUp, late: totals.late });
    }
    if (handOver) {
      metrics.add(MetricName.TICK_CONTINUATIONS, 1);
      return { ...totals, skipped: false, watermark, continuation: { owner } };
    }
    return { ...totals, skipped: false, watermark };
  }

  /** Tells the store which intervals had timers; a failure only delays it to the next window, never fails the tick. */
  private async keepIntervals(shardId: string, seen: ReadonlySet<number>): Promise<void> {
    const { store, clock, log } = this.deps;
    if (seen.size === 0 || !store.keepIntervals) return;
    try {
      await store.keepIntervals(shardId, [...seen], clock.now());
    } catch (err) {
      log.warn('could not renew the interval registry; the next window retries', { shardId, error: String(err) });
    }
  }

  /**
   * Reports how far the next shard's watermark lags behind now (`ShardWatermarkLag`): every tick checks one other
   * shard, so a shard that stops progressing shows in its neighbour's ticks. A shard never ticked reports nothing.
   */
  private async reportNeighbourLag(shardId: string, own: ShardState | undefined, nowMs: number): Promise<void> {
    const { store, metrics, log } = this.deps;
    const index = Number(shardId.replace(/^shard/, ''));
    const neighbour = shardName((index + 1) % this.config.shardCount);
    try {
      const state = neighbour === shardId ? own : await store.getShardState(neighbour);
      if (state) metrics.observe(MetricName.SHARD_WATERMARK_LAG, nowMs - state.watermark);
    } catch (err) {
      log.warn('could not read the next shard\'s state', { shardId, neighbour, error: String(err) });
    }
  }

  /** The reads of a window, in order: each interval's offset ranges, ascending, then the one-shots. */
  private readsOf(shardId: string, intervals: readonly number[], from: number, to: number): Read[] {
    const { store } = this.deps;
    const reads: Read[] = [];
    for (const interval of intervals) {
      offsetRangesInWindow(interval, from, to).forEach(([lo, hi], r) =>
        reads.push({ k: 0, i: interval, r, pages: (after) => store.queryPeriodic(shardId, interval, lo, hi, after) }));
    }
    reads.push({ k: 1, i: 0, r: 0, pages: (after) => store.queryOneShots(shardId, from, to, after) });
    return reads;
  }

  private async dispatchWindow(
    shardId: string,
    intervals: readonly number[],
    from: number,
    to: number,
    cursor: Cursor | undefined,
    run: {
      readonly owner: string;
      readonly leaseUntil: number;
      readonly stopAt?: number;
      readonly deadline?: number;
      readonly ended: PeriodicTimer[];
      readonly seen: Set<number>;
    },
  ): Promise<WindowOutcome> {
    const { store, clock, dispatcher, log } = this.deps;
    const reads = this.readsOf(shardId, intervals, from, to).filter((read) => !cursor || compareReads(read, cursor) >= 0);
    async function* items(): AsyncGenerator<DispatchItem<Cursor>[]> {
      for (const read of reads) {
        const after = cursor && compareReads(read, cursor) === 0 ? cursor.a : undefined;
        for await (const page of read.pages(after)) {
          if (read.k === 0 && page.timers.length > 0) run.seen.add(read.i);
          yield page.timers.map((timer, n) => {
            if (timer.kind === 'periodic' && hasEndedBy(timer, to) && run.ended.length < MAX_RETIRED_PER_WINDOW) run.ended.push(timer);
            return { firings: tickFiringsInWindow(timer, from, to), position: { to, k: read.k, i: read.i, r: read.r, a: page.positions[n] } };
          });
        }
      }
    }

    // Checkpoints while the window is sent, one at a time and at most every CHECKPOINT_EVERY_MS: a killed invocation
    // loses at most that much of its progress.
    let lastCheckpointAt = clock.now();
    let checkpointing: Promise<void> = Promise.resolve();
    let lostLease = false;
    const onProgress = (position: Cursor): void => {
      const now = clock.now();
      if (now - lastCheckpointAt < CHECKPOINT_EVERY_MS) return;
      lastCheckpointAt = now;
      checkpointing = checkpointing.then(async () => {
        try {
          if (!(await store.checkpoint(shardId, run.owner, from, JSON.stringify(position), run.leaseUntil))) lostLease = true;
        } catch (err) {
          // A checkpoint only saves work: a failed one is retried at the next, or the window's end settles it.
          log.warn('could not record the tick cursor', { shardId, error: String(err) });
        }
      });
    };
    const outcome = await dispatcher.dispatchStream(items(), {
      shouldStop: () => lostLease || (run.stopAt !== undefined && clock.now() >= run.stopAt),
      onProgress,
      // Retries stop halfway through the reserve, leaving the rest for the checkpoint and the hand-over.
      giveUpAt: run.stopAt === undefined || run.deadline === undefined ? undefined : (run.stopAt + run.deadline) / 2,
    });
    await checkpointing;
    return { ...outcome, lostLease };
  }

  /** Takes ended timers out of the schedule, as time allows; what is left is found and retired by a later window. */
  private async retire(ended: readonly PeriodicTimer[], stopAt: number | undefined): Promise<number> {
    const { store, clock, log } = this.deps;
    let retired = 0;
    for (let i = 0; i < ended.length; i += RETIRE_CHUNK) {
      if (stopAt !== undefined && clock.now() >= stopAt) break;
      const chunk = ended.slice(i, i + RETIRE_CHUNK);
      try {
        await store.retireTimers(chunk);
        retired += chunk.length;
      } catch (err) {
        log.warn('could not retire ended timers; a later tick retries', { count: chunk.length, error: String(err) });
        break;
      }
    }
    return retired;
  }
}
