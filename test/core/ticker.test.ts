/**
 * The tick (src/core/ticker.ts) against the in-memory store: on-time dispatch a look-ahead ahead, catch-up of
 * missed windows, the shard lease, a refused send keeping the watermark, and a deadline: checkpoints inside a
 * window, continuations that finish it with every firing sent once, and a killed invocation losing nothing.
 */
import { Cron } from 'croner';
import fc from 'fast-check';
import { EngineSettings, engineConfig } from '../../src/core/config';
import { Dispatcher, LATE_TOLERANCE_MS } from '../../src/core/dispatch';
import { CronTimer, OneShotTimer, PeriodicTimer } from '../../src/core/model';
import { MetricName } from '../../src/core/names';
import { silentLog } from '../../src/core/ports';
import { LEASE_SLACK_MS, Ticker, stopReserveMs } from '../../src/core/ticker';
import { ManualClock, MemoryTimerStore, RecordingMetrics, RecordingQueue } from '../support/memory-store';

/** A minute boundary, so that windows of one period start on it. */
const T0 = 1_750_000_020_000;
const SHARD = 'shard0';

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

async function addPeriodic(store: MemoryTimerStore, id: string, interval: number, offset: number): Promise<PeriodicTimer> {
  const createdAt = T0 - 3_600_000;
  // Owed by the ticks from T0 on, as a timer created well before and whose API boundary has passed.
  const timer: PeriodicTimer = { kind: 'periodic', id, shardId: SHARD, data: JSON.stringify({ id }), createdAt, tickFrom: T0, interval, offset };
  await store.registerInterval(SHARD, interval, createdAt);
  await store.putTimer(timer);
  return timer;
}

async function addOneShot(store: MemoryTimerStore, id: string, fireAt: number): Promise<OneShotTimer> {
  const timer: OneShotTimer = { kind: 'oneshot', id, shardId: SHARD, data: '"once"', createdAt: T0 - 3_600_000, tickFrom: T0, fireAt, expiresAt: fireAt + 86_400_000 };
  await store.putTimer(timer);
  return timer;
}

/** A cron timer in UTC, owed by the ticks from T0 on. */
async function addCron(store: MemoryTimerStore, id: string, cron: string, bounds: { endAt?: number } = {}): Promise<CronTimer> {
  const matches = new Cron(cron, { timezone: 'UTC', paused: true, mode: '5-or-6-parts' });
  let dueAt = T0;
  while (!matches.match(new Date(dueAt))) dueAt += 1000;
  const timer: CronTimer = { kind: 'cron', id, shardId: SHARD, data: JSON.stringify({ id }), createdAt: T0 - 3_600_000, tickFrom: T0, cron, timeZone: 'UTC', dueAt, ...bounds };
  await store.putTimer(timer);
  return timer;
}

/**
 * Every firing id of the store's timers in [fromMs, toMs), by testing each second (independent of schedule.ts). A
 * cron timer's firings are sent ahead, up to the `tickFrom` the ticks last stored it with: its are those in
 * [fromMs, that tickFrom), which the tests check is at or past the watermark.
 */
function expectedFiringIds(store: MemoryTimerStore, fromMs: number, toMs: number): string[] {
  const ids: string[] = [];
  for (const timer of store.timers.values()) {
    if (timer.kind === 'oneshot') {
      if (timer.fireAt >= fromMs && timer.fireAt < toMs) ids.push(`${timer.id}@${timer.fireAt}`);
      continue;
    }
    if (timer.kind === 'cron') {
      const matches = new Cron(timer.cron, { timezone: 'UTC', paused: true, mode: '5-or-6-parts' });
      const end = Math.min(timer.tickFrom, timer.endAt ?? Infinity);
      for (let t = Math.ceil(fromMs / 1000); t * 1000 < end; t++) if (matches.match(new Date(t * 1000))) ids.push(`${timer.id}@${t * 1000}`);
      continue;
    }
    for (let t = Math.ceil(fromMs / 1000); t * 1000 < toMs; t++) {
      if (t % timer.interval === timer.offset && t * 1000 >= timer.tickFrom) ids.push(`${timer.id}@${t * 1000}`);
    }
  }
  return ids.sort();
}

async function populate(store: MemoryTimerStore): Promise<void> {
  const intervals = [5, 7, 60, 90, 3600];
  for (let i = 0; i < 25; i++) {
    const interval = intervals[i % intervals.length];
    await addPeriodic(store, `p${i}`, interval, (i * 37) % interval);
  }
  await addOneShot(store, 'o-early', T0 + 1_500);
  await addOneShot(store, 'o-mid', T0 + 250_000);
  await addOneShot(store, 'o-late', T0 + 3_600_000);
  await addCron(store, 'c-20s', '*/20 * * * * *');
  await addCron(store, 'c-minute', '* * * * *');
  await addCron(store, 'c-hourly', '0 * * * *');
  await addCron(store, 'c-ending', '*/5 * * * * *', { endAt: T0 + 200_000 });
}

describe('Ticker', () => {
  test('ticks every period dispatch each firing once, ahead of time, visible on its second', async () => {
    const { store, clock, queue, ticker, config } = setup();
    await populate(store);
    let watermark = 0;
    for (let k = 0; k < 8; k++) {
      clock.set(T0 + k * 60_000 + (k === 0 ? 0 : 250));
      const report = await ticker.tick(SHARD);
      expect(report).toMatchObject({ shardId: SHARD, skipped: false, windowsCaughtUp: 0, late: 0 });
      expect(report.watermark).toBe(Math.floor((clock.now() + config.lookAheadMs) / 1000) * 1000);
      watermark = report.watermark;
    }
    expect(queue.firingIds().sort()).toEqual(expectedFiringIds(store, T0, watermark));
    for (const entry of queue.sent) {
      const visibleAt = entry.sentAt + entry.delaySeconds * 1000;
      expect(visibleAt).toBeGreaterThanOrEqual(entry.scheduledAt);
      expect(visibleAt).toBeLessThan(entry.scheduledAt + 1000);
    }
    expect(queue.sent.find((e) => e.attributes.TimerId === 'o-mid')).toMatchObject({ body: '"once"', attributes: { TimerKind: 'oneshot', ScheduledAt: String(T0 + 250_000) } });
    expect(store.pagesServed).toBeGreaterThan(8);
  });

  test('the first tick of a new shard dispatches from the current second without counting a catch-up', async () => {
    const { store, clock, ticker } = setup();
    await populate(store);
    clock.advance(700); // the shard's watermark starts at the whole second before now
    const report = await ticker.tick(SHARD);
    expect(report).toMatchObject({ skipped: false, windowsCaughtUp: 0, late: 0 });
    expect(report.windows).toBeGreaterThan(0);
  });

  test('a tick before the watermark needs dispatching does nothing', async () => {
    const { store, clock, queue, ticker } = setup();
    await populate(store);
    await ticker.tick(SHARD);
    const sent = queue.sent.length;
    clock.advance(500);
    expect(await ticker.tick(SHARD)).toMatchObject({ skipped: false, windows: 0, dispatched: 0 });
    expect(queue.sent).toHaveLength(sent);
  });

  test('missed windows are caught up: each occurrence once, the past ones at once and counted late', async () => {
    const { store, clock, queue, metrics, ticker, config } = setup();
    await populate(store);
    const first = await ticker.tick(SHARD);
    const outageEnd = T0 + 10 * 60_000 + 500;
    clock.set(outageEnd);
    const report = await ticker.tick(SHARD);

    // Windows that began more than the late tolerance before the tick: the last one began only 500 ms before.
    const windowsBefore = Math.ceil((outageEnd - LATE_TOLERANCE_MS - first.watermark) / config.windowMs);
    expect(report.windowsCaughtUp).toBe(windowsBefore);
    expect(metrics.count(MetricName.WINDOWS_CAUGHT_UP)).toBe(windowsBefore);
    expect(queue.firingIds().sort()).toEqual(expectedFiringIds(store, T0, report.watermark));

    const caughtUp = queue.sent.filter((e) => e.sentAt === outageEnd && e.scheduledAt < outageEnd);
    expect(caughtUp.length).toBeGreaterThan(0);
    expect(caughtUp.every((e) => e.delaySeconds === 0)).toBe(true);
    expect(report.late).toBe(caughtUp.filter((e) => outageEnd - e.scheduledAt > 1000).length);
    expect(metrics.count(MetricName.LATE_FIRINGS)).toBe(report.late);
  });

  test('a shard held by another tick makes the tick stand down until the lease lapses', async () => {
    const { store, clock, queue, metrics, ticker } = setup();
    await populate(store);
    await store.initShardState(SHARD, T0);
    store.forceLease(SHARD, 'other-tick', T0 + 30_000);

    expect(await ticker.tick(SHARD)).toMatchObject({ skipped: true, windows: 0, dispatched: 0, watermark: T0 });
    expect(queue.sent).toHaveLength(0);
    expect(metrics.count(MetricName.TICKS_SKIPPED)).toBe(1);

    clock.set(T0 + 30_000);
    const report = await ticker.tick(SHARD);
    expect(report.skipped).toBe(false);
    expect(queue.firingIds().sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
  });

  test('two overlapping ticks: the second stands down and nothing is sent twice', async () => {
    const { store, clock, queue, ticker } = setup();
    await populate(store);
    const release = queue.hold();
    const first = ticker.tick(SHARD);
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(1000);
    expect((await ticker.tick(SHARD)).skipped).toBe(true);
    release();
    const report = await first;
    expect(queue.firingIds().sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
    expect((await store.getShardState(SHARD))?.leaseOwner).toBeUndefined();
  });

  test('a refused send leaves the watermark where it was, and the next tick sends the window again', async () => {
    const { store, clock, queue, ticker } = setup();
    await addPeriodic(store, 'a', 10, 0);
    await addPeriodic(store, 'r', 60, 30);
    queue.refuse = (entry) => entry.attributes.TimerId === 'r';

    await expect(ticker.tick(SHARD)).rejects.toThrow(/1 firing\(s\) of shard0 window \[\d+, \d+\) were not accepted by the queue/);
    const state = await store.getShardState(SHARD);
    expect(state?.watermark).toBe(T0);
    expect(state?.leaseOwner).toBeUndefined();
    expect(queue.firingIds()).not.toContain(`r@${T0 + 30_000}`);

    queue.refuse = () => false;
    clock.advance(5_000);
    const report = await ticker.tick(SHARD);
    expect(report.watermark).toBeGreaterThan(T0);
    const ids = queue.firingIds();
    expect(ids.filter((id) => id === `r@${T0 + 30_000}`)).toHaveLength(1);
    expect([...new Set(ids)].sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
  });

  test('with a deadline, a tick stops before it inside its window and hands its lease to a continuation that finishes', async () => {
    // 2,000 timers of one interval fire in each window: 200 batches, 10 in flight, 100 ms of virtual time a send.
    const { store, clock, queue, metrics, ticker } = setup({}, 100);
    for (let i = 0; i < 2000; i++) await addPeriodic(store, `m${i}`, 60, i % 60);
    await store.initShardState(SHARD, T0);
    const deadline = T0 + 2_000;
    const first = await ticker.tick(SHARD, { deadlineMs: deadline });
    expect(first.continuation).toBeDefined();
    expect(first.windows).toBe(0);
    expect(first.dispatched).toBeGreaterThan(0);
    expect(first.dispatched).toBeLessThan(2000);
    // It stopped with the reserve left, checkpointed, and still holds the lease (lapsing just after its deadline).
    // (This queue's latency adds up over concurrent sends, so the sends in flight at the stop take a while.)
    expect(clock.now()).toBeLessThan(deadline);
    expect(clock.now()).toBeGreaterThanOrEqual(deadline - stopReserveMs(2_000));
    const state = await store.getShardState(SHARD);
    expect(state).toMatchObject({ leaseOwner: first.continuation!.owner, leaseUntil: deadline + LEASE_SLACK_MS, watermark: T0 });
    expect(state?.cursor).toBeDefined();
    expect(metrics.count(MetricName.TICK_CONTINUATIONS)).toBe(1);

    // The next scheduled tick cannot take the shard meanwhile; the continuation can.
    const dispatcher = new Dispatcher({ queue, clock, concurrency: 10, metrics, log: silentLog });
    const scheduled = new Ticker(setup().config, { store, dispatcher, clock, metrics, log: silentLog });
    expect((await scheduled.tick(SHARD)).skipped).toBe(true);
    let report = first;
    for (let hop = 0; report.continuation && hop < 50; hop++) {
      report = await ticker.tick(SHARD, { deadlineMs: clock.now() + 2_000, continueAs: report.continuation.owner });
    }
    expect(report.continuation).toBeUndefined();
    const ids = queue.firingIds();
    expect(ids.length).toBe(new Set(ids).size);
    expect(ids.sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
    expect((await store.getShardState(SHARD))?.leaseOwner).toBeUndefined();
  });

  test('any chain of invocations and deadlines sends every firing exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 120 }),
        fc.array(fc.integer({ min: 1_200, max: 20_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 40 }),
        async (timers, budgets, pageSize, latencyMs) => {
          const config = engineConfig({ shardCount: 1, periodSeconds: 60 });
          const store = new MemoryTimerStore({ pageSize });
          const clock = new ManualClock(T0);
          const queue = new RecordingQueue({ clock, latencyMs });
          const metrics = new RecordingMetrics();
          const dispatcher = new Dispatcher({ queue, clock, concurrency: 3, metrics, log: silentLog });
          const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
          const intervals = [1, 7, 60, 90];
          for (let i = 0; i < timers; i++) await addPeriodic(store, `q${i}`, intervals[i % 4], (i * 13) % intervals[i % 4]);
          for (let i = 0; i < timers / 4; i++) await addOneShot(store, `o${i}`, T0 + ((i * 7919) % 120_000));
          let report = await ticker.tick(SHARD, { deadlineMs: clock.now() + budgets[0] });
          for (let hop = 1; report.continuation && hop < 500; hop++) {
            report = await ticker.tick(SHARD, { deadlineMs: clock.now() + budgets[hop % budgets.length], continueAs: report.continuation.owner });
          }
          expect(report.continuation).toBeUndefined();
          const ids = queue.firingIds();
          expect(ids.length).toBe(new Set(ids).size);
          expect(ids.sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('an invocation killed at its deadline loses nothing: the lease lapses and the next tick resumes at the last checkpoint', async () => {
    const { store, clock, queue, ticker } = setup({}, 100);
    for (let i = 0; i < 400; i++) await addPeriodic(store, `k${i}`, 60, i % 60);
    // The queue stops answering after 25 sends, as if the function were frozen and killed at its deadline.
    let sends = 0;
    const send = queue.sendBatch.bind(queue);
    queue.sendBatch = (entries) => (++sends > 25 ? new Promise(() => undefined) : send(entries));
    const deadline = T0 + 60_000;
    void ticker.tick(SHARD, { deadlineMs: deadline });
    for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve));
    const checkpointed = (await store.getShardState(SHARD))?.cursor;
    expect(checkpointed).toBeDefined();

    queue.sendBatch = send;
    clock.set(deadline + LEASE_SLACK_MS);
    const report = await ticker.tick(SHARD);
    expect(report.skipped).toBe(false);
    const ids = queue.firingIds();
    // Nothing is missing; only firings sent after the last checkpoint may be sent twice.
    expect([...new Set(ids)].sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
    expect(ids.length - new Set(ids).size).toBeLessThanOrEqual(250);
  });

  test('a continuation of another owner\'s lease stands down', async () => {
    const { store, ticker } = setup();
    await addPeriodic(store, 'x', 60, 0);
    await store.initShardState(SHARD, T0);
    store.forceLease(SHARD, 'someone-else', T0 + 30_000);
    expect((await ticker.tick(SHARD, { continueAs: 'not-the-owner' })).skipped).toBe(true);
  });

  test('ended periodic timers are retired once their window is done: their last firings sent, then never read again', async () => {
    const { store, clock, queue, ticker, metrics } = setup();
    const ending = await addPeriodic(store, 'ending', 10, 0);
    store.timers.set('ending', { ...ending, endAt: T0 + 45_000, expiresAt: T0 + 45_000 + 86_400_000 });
    await addPeriodic(store, 'forever', 10, 5);
    const report = await ticker.tick(SHARD);
    expect(report.retired).toBe(1);
    expect(metrics.count(MetricName.TIMERS_RETIRED)).toBe(1);
    expect(store.retired.has('ending')).toBe(true);
    expect(queue.firingIds().filter((id) => id.startsWith('ending@'))).toEqual([0, 10_000, 20_000, 30_000, 40_000].map((d) => `ending@${T0 + d}`));
    const read = jest.spyOn(store, 'queryPeriodic');
    clock.advance(60_000);
    await ticker.tick(SHARD);
    expect(read).toHaveBeenCalled();
    expect(queue.firingIds().filter((id) => id.startsWith('forever@')).length).toBeGreaterThan(12);
    expect(queue.firingIds().filter((id) => id.startsWith('ending@'))).toHaveLength(5);
  });

  test('a tick tells the store which intervals it found timers of, so their registration is kept', async () => {
    const { store, ticker } = setup();
    await addPeriodic(store, 'a', 60, 0);
    await addPeriodic(store, 'b', 3600, 100);
    await store.registerInterval(SHARD, 86_400, T0);
    const kept: number[][] = [];
    store.keepIntervals = async (_shard, intervals) => void kept.push([...intervals].sort((x, y) => x - y));
    await ticker.tick(SHARD);
    // Every window reads the 60 s timers; an interval registered with no timer is never reported.
    expect(kept.flat()).toContain(60);
    expect(kept.flat()).not.toContain(86_400);
  });

  test('a shard\'s first tick starts an hour back: a timer created before the shard ever ticked gets its firings late, not never', async () => {
    const { store, clock, queue, ticker, metrics } = setup();
    // Created 10 minutes before the first tick (whose invocations failed, say); the API sent its first ~2 minutes.
    const created = T0 - 600_000;
    const timer: PeriodicTimer = { kind: 'periodic', id: 'early', shardId: SHARD, data: '1', createdAt: created, tickFrom: created + 135_000, interval: 60, offset: 0 };
    await store.registerInterval(SHARD, 60, created);
    await store.putTimer(timer);
    const report = await ticker.tick(SHARD);
    const expected = expectedFiringIds(store, timer.tickFrom, report.watermark);
    expect(queue.firingIds().sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(8);
    // The look-back is not a missed tick; the firings it sends are late, and counted so.
    expect(report.windowsCaughtUp).toBe(0);
    expect(report.late).toBe(expected.filter((id) => Number(id.split('@')[1]) < T0 - 1000).length);
    expect(metrics.count(MetricName.LATE_FIRINGS)).toBe(report.late);
    clock.advance(60_000);
    await ticker.tick(SHARD);
    expect(queue.firingIds().length).toBe(new Set(queue.firingIds()).size);
  });

  test('a second delivery of the same continuation stands down: the first took the lease over under its own owner', async () => {
    const { store, clock, queue, ticker } = setup({}, 100);
    for (let i = 0; i < 2000; i++) await addPeriodic(store, `d${i}`, 60, i % 60);
    await store.initShardState(SHARD, T0);
    const first = await ticker.tick(SHARD, { deadlineMs: T0 + 2_000 });
    const handedTo = first.continuation!.owner;
    // The second copy arrives while the first is still sending.
    const release = queue.hold();
    const continuation = ticker.tick(SHARD, { deadlineMs: clock.now() + 60_000, continueAs: handedTo });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect((await ticker.tick(SHARD, { deadlineMs: clock.now() + 60_000, continueAs: handedTo })).skipped).toBe(true);
    release();
    expect((await continuation).skipped).toBe(false);
    const ids = queue.firingIds();
    expect(ids.length).toBe(new Set(ids).size);
  });

  test('every tick reports how far the next shard\'s watermark lags behind now', async () => {
    const config = engineConfig({ shardCount: 3, periodSeconds: 60 });
    const store = new MemoryTimerStore();
    const clock = new ManualClock(T0);
    const metrics = new RecordingMetrics();
    const queue = new RecordingQueue({ clock });
    const dispatcher = new Dispatcher({ queue, clock, concurrency: 2, metrics, log: silentLog });
    const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
    await store.initShardState('shard1', T0 - 600_000);
    await ticker.tick('shard0');
    await ticker.tick('shard2'); // its neighbour, shard0, has just dispatched two minutes ahead
    await ticker.tick('shard1');
    expect(metrics.observations.get(MetricName.SHARD_WATERMARK_LAG)).toEqual([600_000, -120_000, expect.any(Number)]);
  });

  test('an invocation that hands over still reports the intervals it read, though the window is not done', async () => {
    const { store, ticker } = setup({}, 100);
    for (let i = 0; i < 30; i++) await addPeriodic(store, `s${i}`, 5, i % 5);
    for (let i = 0; i < 2000; i++) await addPeriodic(store, `l${i}`, 60, i % 60);
    await store.initShardState(SHARD, T0);
    const kept: number[] = [];
    store.keepIntervals = async (_shard, intervals) => void kept.push(...intervals);
    const report = await ticker.tick(SHARD, { deadlineMs: T0 + 2_000 });
    expect(report.continuation).toBeDefined();
    expect(report.windows).toBe(0);
    expect(kept).toContain(5);
  });

  test('every page of a query is followed', async () => {
    const { store, queue, ticker } = setup();
    for (let i = 0; i < 20; i++) await addPeriodic(store, `t${i}`, 60, i);
    const report = await ticker.tick(SHARD);
    expect(report.dispatched).toBe(40);
    expect(queue.firingIds().sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
  });

  describe('cron timers', () => {
    /** The first whole second at or after `ms` that the expression matches, in UTC, by testing each second. */
    function firstMatch(cron: string, ms: number): number {
      const matches = new Cron(cron, { timezone: 'UTC', paused: true, mode: '5-or-6-parts' });
      let t = Math.ceil(ms / 1000) * 1000;
      while (!matches.match(new Date(t))) t += 1000;
      return t;
    }

    test('the tick that finds one sends its firings up to a PUT\'s horizon and moves it to its next firing from there', async () => {
      const { store, clock, queue, ticker, config } = setup();
      await addCron(store, 'every-20s', '*/20 * * * * *');
      await addCron(store, 'daily', '0 9 * * *');
      const report = await ticker.tick(SHARD);
      const horizon = Math.ceil((clock.now() + config.directSendMs) / 1000) * 1000;
      const moved = store.timers.get('every-20s') as CronTimer;
      expect(moved).toMatchObject({ tickFrom: horizon, dueAt: firstMatch('*/20 * * * * *', horizon) });
      expect(moved.tickFrom).toBeGreaterThanOrEqual(report.watermark);
      // Three firings a minute up to the horizon, each once, each visible on its second.
      expect(queue.firingIds().sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
      expect(queue.sent).toHaveLength(Math.ceil((horizon - T0) / 20_000));
      expect(queue.sent.every((e) => e.attributes.TimerKind === 'cron' && e.body === '{"id":"every-20s"}')).toBe(true);
      for (const entry of queue.sent) expect(entry.sentAt + entry.delaySeconds * 1000).toBeGreaterThanOrEqual(entry.scheduledAt);
      // The daily one is not due in this window: not read as due, not written.
      expect(store.cronAdvances.map((a) => a.read.id)).toEqual(['every-20s']);
    });

    test('with the schedule index lagging by the tolerance, every firing of every cron timer is sent exactly once', async () => {
      const config = engineConfig({ shardCount: 1, periodSeconds: 60, indexLagToleranceMs: 45_000 });
      const clock = new ManualClock(T0);
      const store = new MemoryTimerStore({ pageSize: 2, indexLag: { clock, lagMs: 45_000 } });
      const queue = new RecordingQueue({ clock });
      const metrics = new RecordingMetrics();
      const dispatcher = new Dispatcher({ queue, clock, concurrency: 3, metrics, log: silentLog });
      const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
      for (const [id, cron] of [['a', '*/7 * * * * *'], ['b', '* * * * *'], ['c', '*/3 * * * *'], ['d', '30 */5 * * * *'], ['e', '0 0 * * *']]) {
        await addCron(store, id, cron);
      }
      clock.advance(45_000); // the timers were written a lag ago
      let report = await ticker.tick(SHARD);
      for (let k = 1; k <= 30; k++) {
        clock.set(T0 + 45_000 + k * 60_000 + (k % 3) * 7_000);
        report = await ticker.tick(SHARD);
      }
      const ids = queue.firingIds();
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
      // Whatever was not sent ahead is still owed from where the schedule places the timer.
      for (const timer of store.timers.values()) expect((timer as CronTimer).dueAt).toBeGreaterThanOrEqual(report.watermark);
      expect(ids.filter((id) => id.startsWith('b@'))).toHaveLength(Math.ceil((store.timers.get('b')!.tickFrom - T0) / 60_000));
    });

    test('with the index lagging beyond its tolerance, a timer missed at its new place is found within the hour: late, never lost', async () => {
      const config = engineConfig({ shardCount: 1, periodSeconds: 60, indexLagToleranceMs: 5_000 });
      const clock = new ManualClock(T0);
      // The moves show in the index after 4 minutes, far beyond the 5 s the deployment tolerates.
      const store = new MemoryTimerStore({ pageSize: 2, indexLag: { clock, lagMs: 240_000 } });
      const queue = new RecordingQueue({ clock });
      const metrics = new RecordingMetrics();
      const dispatcher = new Dispatcher({ queue, clock, concurrency: 3, metrics, log: silentLog });
      const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
      for (const [id, cron] of [['a', '*/7 * * * * *'], ['b', '* * * * *'], ['c', '*/3 * * * *']]) await addCron(store, id, cron);
      clock.advance(240_000);
      let report = await ticker.tick(SHARD);
      for (let k = 1; k <= 150; k++) {
        clock.set(T0 + 240_000 + k * 60_000);
        report = await ticker.tick(SHARD);
      }
      const ids = queue.firingIds();
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
      // A timer still stranded behind the watermark lies where the next hourly sweep reads.
      const nextSweep = Math.ceil(report.watermark / 3_600_000) * 3_600_000 - config.windowMs;
      const reachable = Math.min(report.watermark, nextSweep - 3_600_000);
      for (const timer of store.timers.values()) expect((timer as CronTimer).dueAt).toBeGreaterThanOrEqual(reachable);
      // Some went out late: those the sweep found.
      expect(queue.sent.some((e) => e.sentAt - e.scheduledAt > 60_000)).toBe(true);
    });

    test('a move that cannot be stored holds the window: the next tick sends its firings again, and none is lost', async () => {
      const { store, clock, queue, ticker } = setup();
      await addCron(store, 'minutely', '* * * * *');
      store.failCronAdvances = new Error('throttled');
      await expect(ticker.tick(SHARD)).rejects.toThrow('throttled');
      // The windows before it went through; the one holding the timer did not.
      expect((await store.getShardState(SHARD))?.watermark).toBe(T0);
      const sentFirst = queue.firingIds();
      expect(sentFirst.length).toBeGreaterThan(0);
      delete store.failCronAdvances;
      clock.advance(10_000);
      const report = await ticker.tick(SHARD);
      expect([...new Set(queue.firingIds())].sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
      // The firings of the failed attempt, and only those, went out twice.
      expect(queue.firingIds().length - new Set(queue.firingIds()).size).toBeLessThanOrEqual(sentFirst.length);
    });

    test('a timer replaced between the read and the move keeps the replacement', async () => {
      const { store, queue, ticker } = setup();
      await addCron(store, 'swapped', '* * * * *');
      const replacement: CronTimer = { ...(store.timers.get('swapped') as CronTimer), createdAt: T0, cron: '0 * * * *', dueAt: firstMatch('0 * * * *', T0) };
      // A PUT of the id lands while the tick sends the old version's firings.
      const send = queue.sendBatch.bind(queue);
      queue.sendBatch = (entries) => {
        store.timers.set('swapped', replacement);
        return send(entries);
      };
      await ticker.tick(SHARD);
      expect(store.timers.get('swapped')).toBe(replacement);
      expect(store.cronAdvances).toHaveLength(0);
    });

    test('a chunk whose moves land later than createWithinMs is covered again from then, as a slow PUT is', async () => {
      const { store, clock, queue, ticker, config } = setup();
      await addCron(store, 'slow', '*/10 * * * * *');
      const advance = store.advanceCronTimers.bind(store);
      let writes = 0;
      store.advanceCronTimers = async (advances) => {
        // The first write takes 40 s (throttled, retried); the next one is quick.
        if (writes++ === 0) clock.advance(40_000);
        return advance(advances);
      };
      const report = await ticker.tick(SHARD);
      expect(writes).toBe(2);
      const moved = store.timers.get('slow') as CronTimer;
      // The boundary is measured from after the slow write, so a tick that read the index before it owes nothing.
      expect(moved.tickFrom).toBe(Math.ceil((T0 + 40_000 + config.directSendMs) / 1000) * 1000);
      const ids = queue.firingIds();
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
    });

    test('timers far behind are moved a chunk at a time: with short deadlines the continuations finish, each firing once', async () => {
      const { store, clock, queue, ticker } = setup({}, 50);
      for (let i = 0; i < 12; i++) await addCron(store, `behind-${i}`, '*/2 * * * * *');
      // An hour without a tick: each timer owes 1,800 firings and more, over the slice of a chunk.
      await store.initShardState(SHARD, T0);
      clock.set(T0 + 3_600_000);
      let report = await ticker.tick(SHARD, { deadlineMs: clock.now() + 3_000 });
      let hops = 0;
      while (report.continuation && hops++ < 500) {
        report = await ticker.tick(SHARD, { deadlineMs: clock.now() + 3_000, continueAs: report.continuation.owner });
      }
      expect(report.continuation).toBeUndefined();
      expect(hops).toBeGreaterThan(1);
      const ids = queue.firingIds();
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.sort()).toEqual(expectedFiringIds(store, T0, report.watermark));
    });

    test('one with no firing left leaves the schedule and expires; its last firings are sent', async () => {
      const { store, clock, queue, ticker, config } = setup();
      await addCron(store, 'ending', '*/10 * * * * *', { endAt: T0 + 35_000 });
      await ticker.tick(SHARD);
      expect(queue.firingIds()).toEqual([0, 10_000, 20_000, 30_000].map((d) => `ending@${T0 + d}`));
      const ended = store.timers.get('ending') as CronTimer;
      expect(ended.dueAt).toBeUndefined();
      expect(ended.expiresAt).toBe(ended.tickFrom + config.oneShotRetentionMs);
      const reads = jest.spyOn(store, 'queryCron');
      clock.advance(600_000);
      await ticker.tick(SHARD);
      expect(reads).toHaveBeenCalled();
      expect(queue.firingIds()).toHaveLength(4);
    });
  });
});
