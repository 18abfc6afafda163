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
 *
 * Cron timers are read last in a window, a page at a time: their firings are not periodic in epoch time, so the
 * schedule places each at its next firing (`dueAt`), and the tick that finds it there moves it on. It sends the
 * timer's firings from the window up to a new `tickFrom` (the same horizon as a PUT's, `directSendMs` from now),
 * then stores the timer at its first firing from then on, as a PUT of it would: so a schedule read that still shows
 * the timer where it was (index lag) owes nothing, and the read that finds it at its new place comes no earlier than
 * the lag tolerance after the write. A page's moves are stored only once its firings were accepted, and the cursor
 * passes a page only once its moves are stored: a fault sends some firings again, never loses one.
 */
import { EngineConfig } from './config';
import { DispatchItem, Dispatcher, LATE_TOLERANCE_MS, StreamOutcome, addReport, emptyReport } from './dispatch';
import { shardName } from './hash';
import { CronTimer, Firing, PeriodicTimer, Timer } from './model';
import { MetricName } from './names';
import { Clock, CronAdvance, Log, MetricsSink, ShardState, TimerPages, TimerStore } from './ports';
import { ceilSecond, firingsInWindow, firingsToSend, hasEndedBy, offsetRangesInWindow, tickFiringsInWindow, withTickFrom } from './schedule';

export interface TickOptions {
  /**
   * When this invocation must have ended (epoch ms), e.g. Lambda's deadline. The tick stops starting work a reserve
   * before it (a fifth of the time it had, from 1 to 10 s) and hands what is left to a continuation.
   * @default - no deadline: the tick runs until its span is dispatched
   */
  readonly deadlineMs?: number;
  /** Continue a tick that stopped early: the owner it handed its lease to (`TickReport.continuation`). */
  readonly continueAs?: string;
  /**
   * Firings scheduled before this instant (epoch ms) are late beyond the tolerance, and each timer's missed-firing
   * policy decides which of them are sent. A continuation is given the one of the tick it continues, so a catch-up
   * split over several invocations is judged as one: `latest` sends one firing of its whole span.
   * @default - `LATE_TOLERANCE_MS` before the tick started
   */
  readonly lateBefore?: number;
}

/** Late firings a tick did not send, by the policy that dropped them. */
export interface DroppedFirings {
  latest: number;
  none: number;
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
  /** Late firings not sent, by the missed-firing policy of their timers. */
  readonly dropped: DroppedFirings;
  /** The watermark after the tick (epoch ms). */
  readonly watermark: number;
  /**
   * Set when the tick stopped before its deadline with work left: it still holds the lease, and a continuation must
   * run `tick(shardId, { continueAs: owner })` at once. Without one, the lease lapses shortly after the deadline and
   * the next scheduled tick resumes at the cursor.
   */
  readonly continuation?: { readonly owner: string; readonly lateBefore: number };
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
  /** 0 for a periodic read, 1 for the one-shot read (after every periodic one), 2 for the cron read (the last). */
  readonly k: 0 | 1 | 2;
  /** The interval of a periodic read. */
  readonly i: number;
  /** Which of the interval's offset ranges in the window (0 or 1). */
  readonly r: number;
  /** The store's position after the last timer done. */
  readonly a: string;
}

/** One schedule read of a window, in the order a tick makes them. */
interface Read {
  readonly k: 0 | 1 | 2;
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
/** Firings of cron timers sent at once while a page is moved on. */
const CRON_SEND_SLICE = 1000;
/** How often, and over how long a span before its window, a tick looks for cron timers the index showed too late. */
const STRANDED_SWEEP_MS = 3_600_000;

let ownerSequence = 0;

/** What a tick needs to apply the missed-firing policy: where lateness begins, and the counts it adds to. */
interface LatePolicy {
  readonly lateBefore: number;
  readonly dropped: DroppedFirings;
}

/** What the cron read of a window is given of its tick. */
interface CronRun extends LatePolicy {
  readonly owner: string;
  readonly leaseUntil: number;
  readonly stopAt?: number;
  readonly deadline?: number;
}

/** The firings of a timer a tick sends under its missed-firing policy; counts those it drops. */
function sendable(timer: Timer, firings: Firing[], policy: LatePolicy): Firing[] {
  const sent = firingsToSend(timer, firings, policy.lateBefore);
  if (sent.length < firings.length) policy.dropped[timer.missedFirings === 'none' ? 'none' : 'latest'] += firings.length - sent.length;
  return sent;
}

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
    const lateBefore = options.lateBefore ?? startedAt - LATE_TOLERANCE_MS;
    const dropped: DroppedFirings = { latest: 0, none: 0 };
    const existing = await store.getShardState(shardId);
    // A shard's first tick starts a while back: a timer created before it is owed its firings from its tickFrom on.
    const initial = existing ?? (await store.initShardState(shardId, floorSecond(startedAt - this.config.initialCatchUpMs)));
    await this.reportNeighbourLag(shardId, existing === undefined ? undefined : initial, startedAt);
    const claimUntil = floorSecond(startedAt + lookAheadMs);
    const totals = { shardId, windows: 0, windowsCaughtUp: 0, dispatched: 0, late: 0, rejected: 0, retired: 0, dropped };
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
        const run = { owner, leaseUntil, stopAt, deadline, ended, seen, lateBefore, dropped };
        const outcome = await this.dispatchWindow(shardId, intervals, from, to, cursor, run);
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
      metrics.add(MetricName.FIRINGS_DROPPED_LATEST, dropped.latest);
      metrics.add(MetricName.FIRINGS_DROPPED_NONE, dropped.none);
      metrics.observe(MetricName.DISPATCH_LAG, maxLagMs);
      metrics.observe(MetricName.TICK_DURATION, clock.now() - startedAt);
    }
    if (totals.windowsCaughtUp > 0 || totals.late > 0 || dropped.latest + dropped.none > 0) {
      log.warn('caught up missed windows', { shardId, windowsCaughtUp: totals.windowsCaughtUp, late: totals.late, dropped });
    }
    if (handOver) {
      metrics.add(MetricName.TICK_CONTINUATIONS, 1);
      return { ...totals, skipped: false, watermark, continuation: { owner, lateBefore } };
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

  /** The reads of a window, in order: each interval's offset ranges, ascending, then the one-shots, then the cron timers. */
  private readsOf(shardId: string, intervals: readonly number[], from: number, to: number): Read[] {
    const { store } = this.deps;
    const reads: Read[] = [];
    for (const interval of intervals) {
      offsetRangesInWindow(interval, from, to).forEach(([lo, hi], r) =>
        reads.push({ k: 0, i: interval, r, pages: (after) => store.queryPeriodic(shardId, interval, lo, hi, after) }));
    }
    reads.push({ k: 1, i: 0, r: 0, pages: (after) => store.queryOneShots(shardId, from, to, after) });
    reads.push({ k: 2, i: 0, r: 0, pages: (after) => store.queryCron(shardId, from, to, after) });
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
      readonly lateBefore: number;
      readonly dropped: DroppedFirings;
    },
  ): Promise<WindowOutcome> {
    const { store, clock, dispatcher, log } = this.deps;
    const reads = this.readsOf(shardId, intervals, from, to).filter((read) => read.k < 2 && (!cursor || compareReads(read, cursor) >= 0));
    async function* items(): AsyncGenerator<DispatchItem<Cursor>[]> {
      for (const read of reads) {
        const after = cursor && compareReads(read, cursor) === 0 ? cursor.a : undefined;
        for await (const page of read.pages(after)) {
          if (read.k === 0 && page.timers.length > 0) run.seen.add(read.i);
          yield page.timers.map((timer, n) => {
            if (timer.kind === 'periodic' && hasEndedBy(timer, to) && run.ended.length < MAX_RETIRED_PER_WINDOW) run.ended.push(timer);
            const firings = timer.pausedAt === undefined ? sendable(timer, tickFiringsInWindow(timer, from, to), run) : [];
            return { firings, position: { to, k: read.k, i: read.i, r: read.r, a: page.positions[n] } };
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
    if (!outcome.complete || lostLease) return { ...outcome, lostLease };
    const cron = await this.dispatchCron(shardId, from, to, cursor?.k === 2 ? cursor.a : undefined, run, () => lostLease);
    const report = outcome.report;
    addReport(report, cron.report);
    return { report, position: cron.position ?? outcome.position, complete: cron.complete, lostLease: cron.lostLease };
  }

  /**
   * The cron read of a window, in chunks of timers: sends each timer's firings up to a new `tickFrom`, then stores the
   * chunk's timers moved on to their next firing (see the file's comment). A chunk ends after the timer that brings
   * its firings to CRON_SEND_SLICE, so a page of timers far behind (a long outage) is still done a part at a time,
   * and the time left is checked between chunks. Incomplete when the time is up, the lease is lost or a firing was not
   * accepted; the position is then after the last timer whose move is stored.
   */
  private async dispatchCron(
    shardId: string,
    from: number,
    to: number,
    after: string | undefined,
    run: CronRun,
    leaseLost: () => boolean,
  ): Promise<WindowOutcome> {
    const { store, clock, dispatcher, log } = this.deps;
    const report = emptyReport();
    let position: Cursor | undefined;
    let lostLease = false;
    let lastCheckpointAt = clock.now();
    const giveUpAt = run.stopAt === undefined || run.deadline === undefined ? undefined : (run.stopAt + run.deadline) / 2;
    const send = async (firings: readonly Firing[]): Promise<boolean> => {
      if (firings.length === 0) return true;
      const sent = await dispatcher.dispatch([firings], { giveUpAt });
      addReport(report, sent);
      return sent.failed === 0;
    };
    const timeIsUp = (): boolean => leaseLost() || lostLease || (run.stopAt !== undefined && clock.now() >= run.stopAt);
    const incomplete = (): WindowOutcome => ({ report, position, complete: false, lostLease });
    // Once an hour, before the window's own cron timers, those the index showed too late at their place (see
    // `recoverStranded`); not when resuming a window, which did it or leaves it to the next hour.
    if (after === undefined && Math.floor(from / STRANDED_SWEEP_MS) !== Math.floor(to / STRANDED_SWEEP_MS)) {
      if (!(await this.recoverStranded(shardId, from, to, send, run))) return incomplete();
    }
    for await (const page of store.queryCron(shardId, from, to, after)) {
      const timers = page.timers;
      for (let start = 0; start < timers.length;) {
        if (timeIsUp()) return incomplete();
        const chunk = await this.moveCronChunk(timers, start, to, send, run);
        if (chunk === undefined) return incomplete();
        start = chunk;
        position = { to, k: 2, i: 0, r: 0, a: page.positions[start - 1] };
        if (clock.now() - lastCheckpointAt < CHECKPOINT_EVERY_MS) continue;
        lastCheckpointAt = clock.now();
        try {
          if (!(await store.checkpoint(shardId, run.owner, from, JSON.stringify(position), run.leaseUntil))) lostLease = true;
        } catch (err) {
          // As for the other reads: a checkpoint only saves work; the next one, or the window's end, settles it.
          log.warn('could not record the tick cursor', { shardId, error: String(err) });
        }
      }
    }
    return { report, position, complete: !lostLease, lostLease };
  }

  /**
   * Finds cron timers stranded before the window: a timer moved to its next firing is read there by the tick whose
   * window holds it, which comes late enough for the index to show the move if the index lags no more than its
   * tolerance. Should it lag more, that tick missed the timer, and no later window reads it again. So once an hour a
   * tick reads the cron index over the hour before the window (less the lag tolerance and a window, where copies the
   * index still shows at their old place are normal), reads each timer found there consistently, and moves on those
   * still stored there: their firings go out late and are counted as such, none is lost. A move the index shows
   * more than an hour late is not found: the heartbeat and lag alarms page long before.
   */
  private async recoverStranded(
    shardId: string,
    from: number,
    to: number,
    send: (firings: readonly Firing[]) => Promise<boolean>,
    policy: LatePolicy,
  ): Promise<boolean> {
    const { store, log } = this.deps;
    const sweepTo = from - this.config.indexLagToleranceMs - this.config.windowMs;
    const stranded: Timer[] = [];
    for await (const page of store.queryCron(shardId, from - STRANDED_SWEEP_MS, sweepTo)) {
      for (const copy of page.timers) {
        const stored = await store.getTimer(copy.id);
        // A paused timer stays where it was until it is resumed, which places it anew.
        if (stored?.kind === 'cron' && stored.dueAt !== undefined && stored.dueAt < from && stored.pausedAt === undefined) stranded.push(stored);
      }
    }
    if (stranded.length === 0) return true;
    log.warn('found cron timers the schedule index showed later than its lag tolerance; sending their firings late', {
      shardId,
      timers: stranded.length,
    });
    for (let start = 0; start < stranded.length;) {
      const next = await this.moveCronChunk(stranded, start, to, send, policy);
      if (next === undefined) return false;
      start = next;
    }
    return true;
  }

  /**
   * Moves on the cron timers of a page from `start`, up to the one that brings their firings to CRON_SEND_SLICE:
   * sends their firings up to a new `tickFrom`, then stores them at their next firing from there. Returns where the
   * next chunk starts, or undefined when a firing was not accepted (nothing of the chunk is stored then).
   *
   * The new `tickFrom` is as far ahead as a PUT sends, measured from when the chunk began: a tick that reads the
   * schedule before the moves show there owes nothing before it, provided the moves land within `createWithinMs`.
   * A chunk slower than that (queue retries, throttled writes) is covered as a slow PUT is: its firings up to a new
   * boundary measured from then are sent, and the timers moved again.
   */
  private async moveCronChunk(
    timers: readonly Timer[],
    start: number,
    to: number,
    send: (firings: readonly Firing[]) => Promise<boolean>,
    policy: LatePolicy,
  ): Promise<number | undefined> {
    const { store, clock } = this.deps;
    const { directSendMs, createWithinMs, oneShotRetentionMs } = this.config;
    const startedAt = clock.now();
    const tickFrom = Math.max(to, ceilSecond(startedAt + directSendMs) * 1000);
    const advances: CronAdvance[] = [];
    const firings: Firing[] = [];
    let end = start;
    while (end < timers.length && firings.length < CRON_SEND_SLICE) {
      const timer = timers[end++];
      // A paused timer is neither sent nor moved: resuming it places it anew.
      if (timer.kind !== 'cron' || timer.pausedAt !== undefined) continue;
      // From the timer's own tickFrom rather than the window's start: the same firings while the stored next firing
      // agrees with this computation, and none skipped should it not (a zone's rules changed in a Node upgrade).
      for (const firing of sendable(timer, firingsInWindow(timer, timer.tickFrom, tickFrom), policy)) firings.push(firing);
      advances.push({ read: timer, next: withTickFrom<CronTimer>(timer, tickFrom, oneShotRetentionMs) });
    }
    if (!(await send(firings))) return undefined;
    await store.advanceCronTimers(advances);
    let moved = advances;
    let movedFrom = startedAt;
    while (clock.now() - movedFrom > createWithinMs && moved.length > 0) {
      movedFrom = clock.now();
      const later = ceilSecond(movedFrom + directSendMs) * 1000;
      const again = moved.map(({ next }) => ({ read: next, next: withTickFrom<CronTimer>(next, later, oneShotRetentionMs) }));
      if (!(await send(again.flatMap(({ read }) => firingsInWindow(read, read.tickFrom, later))))) return undefined;
      await store.advanceCronTimers(again);
      moved = again;
    }
    return end;
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
