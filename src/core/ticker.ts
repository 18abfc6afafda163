/**
 * The tick: dispatches one shard's firings ahead of time. Each run takes the shard's lease, then walks every window
 * from the watermark up to now + look-ahead, sends its firings with delays, and advances the watermark with a
 * conditional write after each window (invariants 2, 3 and 5). A failed or late tick is caught up by the next
 * one; a tick that finds the shard held by another stands down, so two ticks never dispatch the same window.
 */
import { EngineConfig } from './config';
import { DispatchReport, Dispatcher, LATE_TOLERANCE_MS } from './dispatch';
import { Firing } from './model';
import { MetricName } from './names';
import { Clock, Log, MetricsSink, TimerStore } from './ports';
import { firingsInWindow, offsetRangesInWindow, splitIntoWindows } from './schedule';

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
  /** The watermark after the tick (epoch ms). */
  readonly watermark: number;
}

export interface TickerDeps {
  readonly store: TimerStore;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  readonly log: Log;
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

let ownerSequence = 0;

export class Ticker {
  constructor(private readonly config: EngineConfig, private readonly deps: TickerDeps) {}

  /** Every firing of a shard inside [fromMs, toMs), page by page as the store reads them. */
  async *firingsOf(shardId: string, intervals: readonly number[], fromMs: number, toMs: number): AsyncGenerator<Firing[]> {
    const { store } = this.deps;
    for (const interval of intervals) {
      for (const [lo, hi] of offsetRangesInWindow(interval, fromMs, toMs)) {
        for await (const page of store.queryPeriodic(shardId, interval, lo, hi)) {
          yield page.flatMap((timer) => firingsInWindow(timer, fromMs, toMs));
        }
      }
    }
    for await (const page of store.queryOneShots(shardId, fromMs, toMs)) {
      yield page.flatMap((timer) => firingsInWindow(timer, fromMs, toMs));
    }
  }

  async tick(shardId: string): Promise<TickReport> {
    const { store, dispatcher, clock, metrics, log } = this.deps;
    const { lookAheadMs, leaseMs, windowMs, settleMs, tickBudgetMs } = this.config;
    const startedAt = clock.now();
    const owner = `${startedAt}-${process.pid}-${++ownerSequence}-${Math.random().toString(36).slice(2, 8)}`;
    const initial = (await store.getShardState(shardId)) ?? (await store.initShardState(shardId, floorSecond(startedAt)));
    const claimUntil = floorSecond(startedAt + lookAheadMs);
    const base = { shardId, windows: 0, windowsCaughtUp: 0, dispatched: 0, late: 0 };
    if (claimUntil <= initial.watermark) {
      return { ...base, skipped: false, watermark: initial.watermark };
    }

    const claimed = await store.claimShard({ shardId, owner, nowMs: startedAt, leaseUntil: startedAt + leaseMs, claimUntil });
    if (!claimed) {
      metrics.add(MetricName.TICKS_SKIPPED, 1);
      log.info('shard held by another tick; standing down', { shardId });
      return { ...base, skipped: true, watermark: initial.watermark };
    }
    // A timer written just before the claim may not be readable yet (index lag); the API covers up to the
    // claimed span only for timers it sees claimed, so give the write time to become visible.
    if (settleMs > 0) await clock.sleep(settleMs);

    let watermark = claimed.watermark;
    const totals = { ...base };
    let maxLagMs = 0;
    try {
      for (const [from, to] of splitIntoWindows(watermark, claimUntil, windowMs)) {
        if (clock.now() - startedAt > tickBudgetMs) {
          log.warn('tick budget spent; the next tick continues from the watermark', { shardId, watermark });
          break;
        }
        const report: DispatchReport = await dispatcher.dispatch(this.firingsOf(shardId, claimed.intervals, from, to));
        if (report.failed > 0) {
          // Leave the watermark where it is: the next tick sends this window again rather than lose a firing.
          throw new Error(`${report.failed} firing(s) of ${shardId} window [${from}, ${to}) were not accepted by the queue`);
        }
        if (!(await store.advanceWatermark(shardId, owner, from, to))) {
          log.warn('lost the shard lease; another tick continues', { shardId, watermark });
          break;
        }
        watermark = to;
        totals.windows++;
        // A window that began more than the late tolerance before this tick is one an earlier tick should have sent.
        if (from + LATE_TOLERANCE_MS < startedAt) totals.windowsCaughtUp++;
        totals.dispatched += report.dispatched;
        totals.late += report.late;
        maxLagMs = Math.max(maxLagMs, report.maxLagMs);
      }
    } finally {
      await store.releaseShard(shardId, owner);
      metrics.add(MetricName.WINDOWS_CAUGHT_UP, totals.windowsCaughtUp);
      metrics.observe(MetricName.DISPATCH_LAG, maxLagMs);
      metrics.observe(MetricName.TICK_DURATION, clock.now() - startedAt);
    }
    if (totals.windowsCaughtUp > 0 || totals.late > 0) {
      log.warn('caught up missed windows', { shardId, windowsCaughtUp: totals.windowsCaughtUp, late: totals.late });
    }
    return { ...totals, skipped: false, watermark };
  }
}
