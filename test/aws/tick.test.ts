/**
 * The tick handler with the API handler, end to end on moto's DynamoDB and SQS, under a clock the test moves:
 * what reaches the callback queue, when it becomes visible, who sends which firing (the API before a timer's
 * `tickFrom`, the ticks after it, never both), continuations across invocations, and that no window is lost, doubled
 * or paid for twice.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createRig, dynamoClientFor, expectedFiringIds, recordWrites, sqsClientFor } from './harness';
import { TickEvent } from '../../src/aws/handlers';
import { MessageAttribute, MetricName, PeriodicTimer } from '../../src/core';
import { useMoto } from '../support/moto';

const moto = useMoto();
// A minute boundary shortly ahead of real time, so SQS delays measured from it are the ones moto applies.
const T0 = (Math.floor(Date.now() / 60_000) + 1) * 60_000;
const SHARD = { shardId: 'shard0' };
/** A Lambda context with this much time left. */
const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

function sortedCopy(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('tick handler on DynamoDB and SQS', () => {
  test('PUT then ticks: the API sends what falls before tickFrom, the ticks the rest, with the contract attributes and delays', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    const periodicData = { order: 42, note: 'é ✓ "quoted"', nested: [1.5, { a: null }] };
    const oneShotData = ['now', { n: 7 }];
    expect((await rig.request('PUT', 'periodic', 'p1', { timerCallbackData: periodicData, interval: 60, offset: 30 })).statusCode).toBe(200);
    expect((await rig.request('PUT', 'oneshot', 'o1', { timerCallbackData: oneShotData, delaySeconds: 0 })).statusCode).toBe(200);

    // The PUT at T0 sent every firing before T0 + directSendMs (135 s) itself.
    expect(rig.config.directSendMs).toBe(135_000);
    expect(rig.queue.forTimer('p1').map((e) => [e.scheduledAt - T0, e.delaySeconds])).toEqual([[30_000, 30], [90_000, 90]]);
    expect(rig.queue.forTimer('o1').map((e) => [e.scheduledAt - T0, e.delaySeconds])).toEqual([[0, 0]]);
    // The tick at T0 claims up to T0 + 120 s: it owes none of them.
    expect(await rig.tick(SHARD)).toMatchObject({ shardId: 'shard0', skipped: false, windows: 2, dispatched: 0, watermark: T0 + 120_000 });
    rig.clock.set(T0 + 60_000);
    expect(await rig.tick(SHARD)).toMatchObject({ windows: 1, windowsCaughtUp: 0, dispatched: 1, late: 0, watermark: T0 + 180_000 });

    const p1 = rig.queue.forTimer('p1');
    expect(p1.map((e) => [e.scheduledAt - T0, e.delaySeconds])).toEqual([[30_000, 30], [90_000, 90], [150_000, 90]]);
    for (const entry of p1) {
      expect(entry.body).toBe(JSON.stringify(periodicData));
      expect(entry.attributes).toEqual({
        [MessageAttribute.TIMER_ID]: 'p1',
        [MessageAttribute.TIMER_KIND]: 'periodic',
        [MessageAttribute.SCHEDULED_AT]: String(entry.scheduledAt),
        [MessageAttribute.FIRING_ID]: `p1@${entry.scheduledAt}`,
      });
    }

    // On SQS, only the firing due now is receivable; the periodic ones wait out their delay.
    const received = await rig.receive();
    expect(received).toHaveLength(1);
    const [message] = received;
    expect(message.Body).toBe(JSON.stringify(oneShotData));
    const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, [v.DataType, v.StringValue]]));
    expect(attributes).toEqual({
      TimerId: ['String', 'o1'],
      TimerKind: ['String', 'oneshot'],
      ScheduledAt: ['String', String(T0)],
      FiringId: ['String', `o1@${T0}`],
    });
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 3 });
  });

  test('PUTs at any point of a window and the ticks around them never both send a firing, and miss none', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    const timers: PeriodicTimer[] = [];
    // PUTs between ticks, one just before a window boundary and one just after a tick; ticks on schedule, one late.
    const timeline: Array<[number, 'tick' | 'put']> = [
      [0, 'tick'], [0, 'put'], [10_000, 'put'], [59_000, 'put'], [60_000, 'tick'], [61_000, 'put'], [119_500, 'put'],
      [120_000, 'tick'], [200_000, 'tick'], [201_000, 'put'], [240_000, 'tick'], [300_000, 'tick'],
    ];
    for (const [at, what] of timeline) {
      rig.clock.set(T0 + at);
      if (what === 'tick') {
        await rig.tick(SHARD);
        continue;
      }
      const id = `p${timers.length}`;
      expect((await rig.request('PUT', 'periodic', id, { timerCallbackData: id, interval: 20, offset: (7 * timers.length) % 20 })).statusCode).toBe(200);
      timers.push((await rig.store.getTimer(id)) as PeriodicTimer);
    }
    const horizon = (await rig.store.getShardState('shard0'))!.watermark;
    expect(horizon).toBe(T0 + 420_000);
    const expected = timers.flatMap((t) => expectedFiringIds([t], t.createdAt, horizon));
    expect(sortedCopy(rig.queue.firingIds())).toEqual(expected.sort());
    // Both sides sent some: the API what fell before each timer's tickFrom, the ticks the rest.
    expect(rig.metrics.count(MetricName.FIRINGS_DISPATCHED)).toBe(expected.length);
  });

  test('a shard whose timers span several Query pages and spread partitions dispatches every one of them once', async () => {
    const dynamodb = dynamoClientFor(moto.server());
    const queries: number[] = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') queries.push(1);
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    const rig = await createRig(moto.server(), { t0: T0, queryPageLimit: 2, dynamodb });
    const timers: PeriodicTimer[] = [];
    for (let i = 0; i < 12; i++) timers.push(await rig.seedPeriodic(`p${i}`, 60, 30 + i, { i }));

    const report = await rig.tick(SHARD);

    // 12 periodic timers fire twice in the two windows.
    expect(report.dispatched).toBe(24);
    expect(sortedCopy(rig.queue.firingIds())).toEqual(expectedFiringIds(timers, T0, T0 + 120_000));
    for (let i = 0; i < 12; i++) expect(rig.queue.forTimer(`p${i}`).map((e) => e.delaySeconds)).toEqual([30 + i, 90 + i]);
    // Per window: the registry, then every spread partition of the bucket and of the minute, more where pages continue.
    expect(queries.length).toBeGreaterThanOrEqual(2 * 20 + 1);
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 24 });
    dynamodb.destroy();
  });

  test('three missed windows are caught up: each occurrence sent once, the late ones counted', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    await rig.seedPeriodic('p1', 60, 30, 'tick-tock');
    expect((await rig.tick(SHARD)).dispatched).toBe(2);

    // The ticks for T0+60 s .. T0+240 s never ran; the next one comes at T0+300 s.
    rig.clock.set(T0 + 300_000);
    const report = await rig.tick(SHARD);

    expect(report).toMatchObject({ skipped: false, windows: 5, windowsCaughtUp: 3, dispatched: 5, late: 3, watermark: T0 + 420_000 });
    const scheduled = rig.queue.forTimer('p1').map((e) => (e.scheduledAt - T0) / 1000);
    expect(scheduled).toEqual([30, 90, 150, 210, 270, 330, 390]);
    expect(rig.queue.forTimer('p1').slice(2).map((e) => e.delaySeconds)).toEqual([0, 0, 0, 30, 90]);
    expect(rig.metrics.count(MetricName.LATE_FIRINGS)).toBe(3);
    expect(rig.metrics.count(MetricName.WINDOWS_CAUGHT_UP)).toBe(3);
    expect(rig.metrics.count(MetricName.FIRINGS_DISPATCHED)).toBe(7);
    // The late firings are deliverable at once.
    expect((await rig.queueCounts()).visible).toBe(3);
  });

  test('two concurrent ticks of one shard: exactly one dispatches, each firing is sent once', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    await rig.seedPeriodic('p1', 60, 30, 1);
    await rig.seedPeriodic('p2', 20, 5, 2);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    rig.queue.gate = held;

    // The tick that wins the lease waits at its first send until the other has returned, so the two overlap for certain.
    const ticks = [rig.tickHandler()(SHARD), rig.tickHandler()(SHARD)];
    void Promise.race(ticks).finally(release);
    const reports = await Promise.all(ticks);

    // p1: 2 firings, p2: 6 firings in the two windows.
    expect(reports.filter((r) => r.dispatched > 0)).toHaveLength(1);
    expect(reports.filter((r) => r.skipped)).toHaveLength(1);
    expect(reports.reduce((total, r) => total + r.dispatched, 0)).toBe(8);
    expect(rig.queue.sent).toHaveLength(8);
    expect(new Set(rig.queue.firingIds()).size).toBe(8);
    expect(rig.metrics.count(MetricName.TICKS_SKIPPED)).toBe(1);
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 8 });
    // The lease was given back: a later tick proceeds.
    rig.clock.set(T0 + 60_000);
    expect(await rig.tick(SHARD)).toMatchObject({ skipped: false, windows: 1 });
  });

  test('a one-shot fires once, and neither firing it nor a tick writes anything but the shard state', async () => {
    const dynamodb = dynamoClientFor(moto.server());
    const writes = recordWrites(dynamodb);
    const rig = await createRig(moto.server(), { t0: T0, dynamodb });
    rig.clock.set(T0 - 300_000);
    await rig.request('PUT', 'oneshot', 'o1', { timerCallbackData: { pay: 'invoice-7' }, at: new Date(T0 + 45_000).toISOString() });
    expect(writes.some(([name, id]) => name === 'PutItemCommand' && id === 'o1')).toBe(true);
    expect(rig.queue.sent).toEqual([]);
    writes.length = 0;

    rig.clock.set(T0);
    const first = await rig.tick(SHARD);
    rig.clock.set(T0 + 200_000);
    const second = await rig.tick(SHARD);

    expect(first.dispatched).toBe(1);
    expect(second.dispatched).toBe(0);
    expect(rig.queue.forTimer('o1').map((e) => [e.scheduledAt, e.delaySeconds])).toEqual([[T0 + 45_000, 45]]);
    // Only the shard's own state moves: init, claim, watermark per window, release.
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter(([name, id]) => name !== 'UpdateItemCommand' || id !== '#shard#shard0')).toEqual([]);
    // The fired one-shot still reads as fired until it expires.
    const got = await rig.request('GET', 'oneshot', 'o1');
    expect(got).toMatchObject({ statusCode: 200, body: { id: 'o1', state: 'fired', timerCallbackData: { pay: 'invoice-7' } } });
    dynamodb.destroy();
  });

  test('a cron timer: the API sends its first firings, each tick that finds it sends the next ones and moves it, one UpdateItem a move', async () => {
    const dynamodb = dynamoClientFor(moto.server());
    const writes = recordWrites(dynamodb);
    const rig = await createRig(moto.server(), { t0: T0, dynamodb });
    expect((await rig.request('PUT', 'cron', 'c1', { timerCallbackData: { beat: 1 }, cron: '*/20 * * * * *', timeZone: 'Europe/Paris' })).statusCode).toBe(200);
    writes.length = 0;
    for (let k = 0; k <= 5; k++) {
      rig.clock.set(T0 + k * 60_000);
      await rig.tick(SHARD);
    }
    const stored = await rig.store.getTimer('c1');
    expect(stored).toMatchObject({ kind: 'cron', cron: '*/20 * * * * *', timeZone: 'Europe/Paris' });
    // Every 20 s from T0 up to where the ticks last moved it, each once, as kind cron, within SQS's delays.
    const sent = rig.queue.forTimer('c1');
    const expected = Array.from({ length: Math.ceil((stored!.tickFrom - T0) / 20_000) }, (_, i) => T0 + i * 20_000);
    expect(sent.map((e) => e.scheduledAt).sort((a, b) => a - b)).toEqual(expected);
    expect(sent.every((e) => e.attributes[MessageAttribute.TIMER_KIND] === 'cron' && e.body === '{"beat":1}')).toBe(true);
    for (const e of sent) expect(e.delaySeconds).toBeLessThanOrEqual(900);
    // Besides the shard state, the ticks wrote the timer only to move it: one UpdateItem per move.
    const timerWrites = writes.filter(([, id]) => id === 'c1');
    expect(timerWrites.length).toBeGreaterThan(0);
    expect(timerWrites.every(([name]) => name === 'UpdateItemCommand')).toBe(true);
    expect(timerWrites.length).toBeLessThanOrEqual(Math.ceil((stored!.tickFrom - T0) / rig.config.directSendMs) + 1);
    dynamodb.destroy();
  });

  test('a periodic timer past its end is retired by the tick: never read again, still read by GET as ended', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    const endAt = new Date(T0 + 200_000).toISOString();
    expect((await rig.request('PUT', 'periodic', 'short', { timerCallbackData: 's', interval: 60, offset: 30, endAt })).statusCode).toBe(200);
    await rig.seedPeriodic('long', 60, 40);
    for (const at of [0, 60_000, 120_000, 180_000, 240_000]) {
      rig.clock.set(T0 + at);
      await rig.tick(SHARD);
    }
    expect(rig.queue.forTimer('short').map((e) => (e.scheduledAt - T0) / 1000)).toEqual([30, 90, 150]);
    expect(rig.metrics.count(MetricName.TIMERS_RETIRED)).toBe(1);
    expect(await rig.store.getTimer('short')).toMatchObject({ id: 'short', endAt: T0 + 200_000 });
    expect((await rig.request('GET', 'periodic', 'short')).body).toMatchObject({ state: 'ended', nextFireAt: null });
    const ids: string[] = [];
    for await (const page of rig.store.queryPeriodic('shard0', 60, 0, 60)) ids.push(...page.timers.map((t) => t.id));
    expect(ids).toEqual(['long']);
  });

  test('a tick short of time stops, hands over, and its continuation finishes the window: every firing sent once', async () => {
    const rig = await createRig(moto.server(), { t0: T0, batchConcurrency: 1, queryPageLimit: 7 });
    const timers: PeriodicTimer[] = [];
    for (let i = 0; i < 40; i++) timers.push(await rig.seedPeriodic(`t${i}`, 60, i));
    // Each send takes 400 ms of the tick's clock: with 3 s left (it stops a second before its deadline), it gets
    // through about five batches of the eight the two windows hold.
    rig.queue.sendCost = { clock: rig.clock, ms: 400 };
    const handedOver: TickEvent[] = [];
    const tick = rig.tickHandler({ continueTick: async (event) => void handedOver.push(event) });

    const first = await tick(SHARD, remaining(3000));

    expect(first.continuation).toBeDefined();
    expect(first.dispatched).toBeGreaterThan(0);
    expect(first.dispatched).toBeLessThan(80);
    expect(handedOver).toEqual([{ shardId: 'shard0', continueAs: first.continuation!.owner, hop: 1, lateBefore: first.continuation!.lateBefore }]);
    // The lease stays with the owner it was handed to, and the shard item records where the tick stopped.
    const state = (await rig.store.getShardState('shard0'))!;
    expect(state).toMatchObject({ leaseOwner: first.continuation!.owner });
    expect(state.cursor).toBeDefined();
    const sentBefore = rig.queue.sent.length;

    const second = await tick(handedOver[0], remaining(60_000));

    expect(second.continuation).toBeUndefined();
    expect(rig.queue.sent.length).toBeGreaterThan(sentBefore);
    expect(rig.metrics.count(MetricName.TICK_CONTINUATIONS)).toBe(1);
    const watermark = (await rig.store.getShardState('shard0'))!.watermark;
    expect(watermark).toBeGreaterThanOrEqual(T0 + 120_000);
    expect(sortedCopy(rig.queue.firingIds())).toEqual(expectedFiringIds(timers, T0, watermark));
  });

  test('a tick whose continuation cannot be started gives the shard up, and the next tick resumes at its cursor', async () => {
    const rig = await createRig(moto.server(), { t0: T0, batchConcurrency: 1, queryPageLimit: 7 });
    const timers: PeriodicTimer[] = [];
    for (let i = 0; i < 40; i++) timers.push(await rig.seedPeriodic(`t${i}`, 60, i));
    rig.queue.sendCost = { clock: rig.clock, ms: 400 };
    const tick = rig.tickHandler({
      continueTick: async () => {
        throw new Error('Lambda throttled the invocation (test)');
      },
    });

    const first = await tick(SHARD, remaining(3000));
    expect(first.continuation).toBeDefined();
    const state = (await rig.store.getShardState('shard0'))!;
    expect(state.leaseOwner).toBeUndefined();
    expect(state.cursor).toBeDefined();
    const sentBefore = rig.queue.sent.length;

    rig.queue.sendCost = undefined;
    await tick(SHARD, remaining(60_000));
    expect(rig.queue.sent.length).toBeGreaterThan(sentBefore);
    const watermark = (await rig.store.getShardState('shard0'))!.watermark;
    expect(sortedCopy(rig.queue.firingIds())).toEqual(expectedFiringIds(timers, T0, watermark));
  });

  test('a PUT whose sends fail answers 500 and stores nothing; its retry answers 200 and every firing arrives once', async () => {
    const sqs = sqsClientFor(moto.server());
    let failSends = true;
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (failSends && context.commandName === SendMessageBatchCommand.name) {
          throw Object.assign(new Error('We encountered an internal error. Please try again. (test)'), { name: 'InternalError', $fault: 'server' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failSends' },
    );
    const rig = await createRig(moto.server(), { t0: T0, sqs });
    const oneShot = { timerCallbackData: { now: true }, delaySeconds: 0 };
    const periodic = { timerCallbackData: 'every-20', interval: 20, offset: 3 };

    expect(await rig.request('PUT', 'oneshot', 'o1', oneShot)).toMatchObject({ statusCode: 500, body: { message: expect.stringMatching(/retried/) } });
    expect(await rig.request('PUT', 'periodic', 'p1', periodic)).toMatchObject({ statusCode: 500 });
    expect((await rig.scanIds()).filter((id) => !id.startsWith('#'))).toEqual([]);

    failSends = false;
    expect((await rig.request('PUT', 'oneshot', 'o1', oneShot)).statusCode).toBe(200);
    expect((await rig.request('PUT', 'periodic', 'p1', periodic)).statusCode).toBe(200);
    // An identical retry after the 200 (its answer lost, say) changes nothing and sends nothing again.
    expect((await rig.request('PUT', 'periodic', 'p1', periodic)).statusCode).toBe(200);

    const start = rig.clock.now();
    for (const at of [0, 60_000, 120_000]) {
      rig.clock.set(start + at);
      await rig.tick(SHARD);
    }
    const p1 = (await rig.store.getTimer('p1')) as PeriodicTimer;
    const watermark = (await rig.store.getShardState('shard0'))!.watermark;
    expect(sortedCopy(rig.queue.firingIds())).toEqual([`o1@${p1.createdAt}`, ...expectedFiringIds([p1], p1.createdAt, watermark)].sort());
    // On SQS: every firing is there once, the one-shot receivable now and the periodic ones waiting out their delays
    // (on a slow run, the first of them may have become visible already).
    const counts = await rig.queueCounts();
    expect(counts.visible + counts.delayed).toBe(1 + expectedFiringIds([p1], p1.createdAt, watermark).length);
    const received = (await rig.receive()).map((m) => m.MessageAttributes?.FiringId?.StringValue);
    expect(received).toContain(`o1@${p1.createdAt}`);
    expect(received.length).toBe(counts.visible);
    sqs.destroy();
  });

  test('a timer deleted before its window never fires', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    await rig.seedPeriodic('p1', 60, 30, 'gone');
    await rig.seedPeriodic('kept', 60, 40, 'kept');
    expect((await rig.request('DELETE', 'periodic', 'p1')).body).toEqual({ id: 'p1' });

    const report = await rig.tick(SHARD);

    expect(report.dispatched).toBe(2);
    expect(rig.queue.sent.map((e) => e.attributes.TimerId)).toEqual(['kept', 'kept']);
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 2 });
  });
});
