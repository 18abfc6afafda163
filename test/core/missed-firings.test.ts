/**
 * The missed-firing policy and pause at the tick (src/core/ticker.ts, `firingsToSend` in src/core/schedule.ts):
 * after an outage a tick sends a timer's late firings (those more than `LATE_TOLERANCE_MS` late) all, only the
 * latest of the span, or none, counts what it drops by policy, and judges a catch-up split over continuations as
 * one; a paused timer's firings are not sent, and a paused cron timer is not moved.
 */
import { EngineSettings, engineConfig } from '../../src/core/config';
import { Dispatcher, LATE_TOLERANCE_MS } from '../../src/core/dispatch';
import { CronTimer, MissedFirings, OneShotTimer, PeriodicTimer, Timer } from '../../src/core/model';
import { MetricName } from '../../src/core/names';
import { silentLog } from '../../src/core/ports';
import { firingsInWindow, firingsToSend } from '../../src/core/schedule';
import { TickReport, Ticker } from '../../src/core/ticker';
import { ManualClock, MemoryTimerStore, RecordingMetrics, RecordingQueue } from '../support/memory-store';

/** A minute boundary. */
const T0 = 1_750_000_020_000;
const SHARD = 'shard0';
const HOUR = 3_600_000;

function setup(settings: Partial<EngineSettings> = {}, queueLatencyMs = 0) {
  const config = engineConfig({ shardCount: 1, periodSeconds: 60, ...settings });
  const store = new MemoryTimerStore({ pageSize: 3 });
  const clock = new ManualClock(T0);
  const queue = new RecordingQueue({ clock, latencyMs: queueLatencyMs });
  const metrics = new RecordingMetrics();
  const dispatcher = new Dispatcher({ queue, clock, concurrency: config.batchConcurrency, metrics, log: silentLog });
  const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
  return { config, store, clock, queue, metrics, ticker };
}

function policyOf(policy: MissedFirings): Pick<Timer, 'missedFirings'> {
  return policy === 'all' ? {} : { missedFirings: policy };
}

async function addPeriodic(
  store: MemoryTimerStore, id: string, interval: number, policy: MissedFirings, extra: Partial<PeriodicTimer> = {},
): Promise<PeriodicTimer> {
  const timer: PeriodicTimer = {
    kind: 'periodic', id, shardId: SHARD, data: '{}', createdAt: T0 - HOUR, tickFrom: T0, interval, offset: 3, ...policyOf(policy), ...extra,
  };
  await store.registerInterval(SHARD, interval, T0 - HOUR);
  await store.putTimer(timer);
  return timer;
}

async function addOneShot(store: MemoryTimerStore, id: string, fireAt: number, policy: MissedFirings): Promise<OneShotTimer> {
  const timer: OneShotTimer = {
    kind: 'oneshot', id, shardId: SHARD, data: '{}', createdAt: T0 - HOUR, tickFrom: T0, fireAt, expiresAt: fireAt + 86_400_000, ...policyOf(policy),
  };
  await store.putTimer(timer);
  return timer;
}

/** Every 10 s in UTC, due at T0. */
async function addCron(store: MemoryTimerStore, id: string, policy: MissedFirings, extra: Partial<CronTimer> = {}): Promise<CronTimer> {
  const timer: CronTimer = {
    kind: 'cron',
    id,
    shardId: SHARD,
    data: '{}',
    createdAt: T0 - HOUR,
    tickFrom: T0,
    cron: '*/10 * * * * *',
    timeZone: 'UTC',
    dueAt: T0,
    ...policyOf(policy),
    ...extra,
  };
  await store.putTimer(timer);
  return timer;
}

/** The scheduled instants sent of one timer, ascending. */
function sentOf(queue: RecordingQueue, id: string): number[] {
  return queue.sent.filter((e) => e.attributes.TimerId === id).map((e) => e.scheduledAt).sort((a, b) => a - b);
}

/** A shard whose watermark stopped at T0 (its ticks failed since), ticked again at `outageEnd`. */
async function afterOutage(outageEnd: number, add: (store: MemoryTimerStore) => Promise<unknown>) {
  const env = setup();
  await add(env.store);
  await env.store.initShardState(SHARD, T0);
  env.clock.set(outageEnd);
  const report = await env.ticker.tick(SHARD);
  return { ...env, report, lateBefore: outageEnd - LATE_TOLERANCE_MS };
}

describe('missedFirings at the tick', () => {
  const outageEnd = T0 + 10 * 60_000 + 500;

  test.each(['periodic', 'cron'] as const)('a %s timer after a ten-minute outage: all, the latest, or none of its late firings', async (kind) => {
    const add = kind === 'periodic' ? addPeriodic : (store: MemoryTimerStore, id: string, _interval: number, policy: MissedFirings) => addCron(store, id, policy);
    const { queue, metrics, report, lateBefore } = await afterOutage(outageEnd, async (store) => {
      for (const policy of ['all', 'latest', 'none'] as const) await add(store, policy, 10, policy);
    });
    const all = sentOf(queue, 'all');
    const late = all.filter((t) => t < lateBefore);
    expect(late.length).toBeGreaterThan(55);
    // Every occurrence up to the watermark, each once.
    expect(all[0]).toBe(kind === 'periodic' ? T0 + 3000 : T0);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((t, i) => i === 0 || t - all[i - 1] === 10_000)).toBe(true);
    const onTime = all.filter((t) => t >= lateBefore);
    expect(onTime.length).toBeGreaterThan(0);

    // latest: the last late occurrence (its next is not late), then the same on-time firings.
    expect(sentOf(queue, 'latest')).toEqual([late[late.length - 1], ...onTime]);
    expect(sentOf(queue, 'none')).toEqual(onTime);
    expect(report.dropped).toEqual({ latest: late.length - 1, none: late.length });
    expect(metrics.count(MetricName.FIRINGS_DROPPED_LATEST)).toBe(late.length - 1);
    expect(metrics.count(MetricName.FIRINGS_DROPPED_NONE)).toBe(late.length);
  });

  test('a one-shot due during the outage is sent late under all and latest, dropped and counted under none', async () => {
    const { queue, report } = await afterOutage(outageEnd, async (store) => {
      for (const policy of ['all', 'latest', 'none'] as const) await addOneShot(store, policy, T0 + 120_000, policy);
      // Due within the tolerance before the tick: on time, under any policy.
      await addOneShot(store, 'none-recent', outageEnd - 500, 'none');
    });
    expect(sentOf(queue, 'all')).toEqual([T0 + 120_000]);
    expect(sentOf(queue, 'latest')).toEqual([T0 + 120_000]);
    expect(sentOf(queue, 'none')).toEqual([]);
    expect(sentOf(queue, 'none-recent')).toEqual([outageEnd - 500]);
    expect(report.dropped).toEqual({ latest: 0, none: 1 });
  });

  test('latest: the last late firing of a periodic timer whose end fell in the outage is its very last one', async () => {
    const { queue } = await afterOutage(outageEnd, (store) => addPeriodic(store, 'ending', 10, 'latest', { endAt: T0 + 300_000 }));
    expect(sentOf(queue, 'ending')).toEqual([T0 + 293_000]);
  });

  test('a catch-up split over continuations sends one firing of the whole span under latest', async () => {
    // 3,000 timers of one interval fire each window, sent at 100 ms of virtual time a call: a 30-minute backlog takes
    // many invocations of a 3 s budget.
    const { store, clock, queue, ticker } = setup({}, 100);
    for (let i = 0; i < 3000; i++) await addPeriodic(store, `bulk${i}`, 60, 'all', { offset: i % 60 });
    await addPeriodic(store, 'latest', 10, 'latest');
    await addPeriodic(store, 'none', 10, 'none');
    await store.initShardState(SHARD, T0);
    const outage = T0 + 30 * 60_000;
    clock.set(outage);
    const lateBefore = outage - LATE_TOLERANCE_MS;
    let report: TickReport = await ticker.tick(SHARD, { deadlineMs: clock.now() + 3_000 });
    let hops = 0;
    while (report.continuation) {
      expect(report.continuation.lateBefore).toBe(lateBefore);
      const { owner, lateBefore: inherited } = report.continuation;
      report = await ticker.tick(SHARD, { deadlineMs: clock.now() + 3_000, continueAs: owner, lateBefore: inherited });
      hops++;
    }
    expect(hops).toBeGreaterThan(3);
    // Sent late by the catch-up, the continuations ran past the horizon it began with: what fell due meanwhile is sent.
    const latest = sentOf(queue, 'latest');
    expect(latest.filter((t) => t < lateBefore)).toEqual([outage - 7000]);
    expect(sentOf(queue, 'none').filter((t) => t < lateBefore)).toEqual([]);
    expect(latest.filter((t) => t >= lateBefore)).toEqual(sentOf(queue, 'none'));
  });

  test('firingsToSend returns the same array when nothing is late, and keeps the last late one only when its next is not late', () => {
    const timer: PeriodicTimer = { kind: 'periodic', id: 'p', shardId: SHARD, data: '{}', createdAt: 0, tickFrom: 0, interval: 10, offset: 0, missedFirings: 'latest' };
    const firings = firingsInWindow(timer, T0, T0 + 60_000);
    expect(firingsToSend(timer, firings, T0)).toBe(firings);
    // The window's last firing (T0 + 50 s) is late, and so is its next (T0 + 60 s): nothing of this window is the latest.
    expect(firingsToSend(timer, firings, T0 + 70_000)).toEqual([]);
    expect(firingsToSend(timer, firings, T0 + 55_000).map((f) => f.scheduledAt)).toEqual([T0 + 50_000]);
    expect(firingsToSend({ ...timer, missedFirings: undefined }, firings, T0 + 70_000)).toBe(firings);
  });
});

describe('a paused timer at the tick', () => {
  test('sends nothing of a paused periodic timer or one-shot, and leaves a paused cron timer where it is', async () => {
    const { store, queue, ticker } = setup();
    await addPeriodic(store, 'p', 10, 'all', { pausedAt: T0 - 1000 });
    const { expiresAt: _expiry, ...shot } = await addOneShot(store, 'o', T0 + 30_000, 'all');
    await store.putTimer({ ...shot, pausedAt: T0 - 1000 });
    const cron = await addCron(store, 'c', 'all', { pausedAt: T0 - 1000 });
    await addPeriodic(store, 'running', 10, 'all');
    await store.initShardState(SHARD, T0);
    await ticker.tick(SHARD);
    expect(sentOf(queue, 'running').length).toBeGreaterThan(5);
    expect(queue.sent.filter((e) => e.attributes.TimerId !== 'running')).toEqual([]);
    expect(store.cronAdvances).toEqual([]);
    expect(await store.getTimer('c')).toEqual(cron);
  });

  test.each([true, false])('the hourly sweep of the hour behind moves a stranded cron timer unless it is paused (paused: %s)', async (paused) => {
    const { store, clock, queue, ticker } = setup();
    // Stranded half an hour back, before the watermark: only the sweep, run by the window that crosses the hour
    // (T0 is 7 minutes past one), reads it there.
    const at = T0 - 30 * 60_000;
    await addCron(store, 'c', 'all', { dueAt: at, tickFrom: at, ...(paused && { pausedAt: at - 1000 }) });
    await store.initShardState(SHARD, T0 - 10 * 60_000);
    clock.set(T0);
    await ticker.tick(SHARD);
    expect(store.cronAdvances.length).toBe(paused ? 0 : 1);
    // Late, from where it was stranded, unless paused.
    expect(sentOf(queue, 'c')[0]).toBe(paused ? undefined : at);
  });
});
