/**
 * The tick handler with the API handler, end to end on moto's DynamoDB and SQS, under a clock the test moves:
 * what reaches the callback queue, when it becomes visible, and that no window is lost, doubled or paid for twice.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRig, dynamoClientFor } from './harness';
import { MessageAttribute, MetricName } from '../../src/core';
import { useMoto } from '../support/moto';

const moto = useMoto();
// A minute boundary shortly ahead of real time, so SQS delays measured from it are the ones moto applies.
const T0 = (Math.floor(Date.now() / 60_000) + 1) * 60_000;
const SHARD = { shardId: 'shard0' };

describe('tick handler on DynamoDB and SQS', () => {
  test('PUT then tick: the body is timerCallbackData verbatim, attributes follow the contract, delays hit the target second', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    const periodicData = { order: 42, note: 'é ✓ "quoted"', nested: [1.5, { a: null }] };
    const oneShotData = ['now', { n: 7 }];
    expect((await rig.request('PUT', 'periodic', 'p1', { timerCallbackData: periodicData, interval: 60, offset: 30 })).statusCode).toBe(200);
    expect((await rig.request('PUT', 'oneshot', 'o1', { timerCallbackData: oneShotData, delaySeconds: 0 })).statusCode).toBe(200);

    const report = await rig.tick(SHARD);

    expect(report).toMatchObject({ shardId: 'shard0', skipped: false, windows: 2, windowsCaughtUp: 0, dispatched: 3, late: 0, watermark: T0 + 120_000 });
    const p1 = rig.queue.forTimer('p1');
    expect(p1.map((e) => [e.scheduledAt - T0, e.delaySeconds])).toEqual([[30_000, 30], [90_000, 90]]);
    for (const entry of p1) {
      expect(entry.body).toBe(JSON.stringify(periodicData));
      expect(entry.attributes).toEqual({
        [MessageAttribute.TIMER_ID]: 'p1',
        [MessageAttribute.TIMER_KIND]: 'periodic',
        [MessageAttribute.SCHEDULED_AT]: String(entry.scheduledAt),
        [MessageAttribute.FIRING_ID]: `p1@${entry.scheduledAt}`,
      });
    }

    // On SQS, only the firing due now is receivable; the two periodic ones wait out their delay.
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
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 2 });
  });

  test('a shard whose timers span several Query pages dispatches every one of them', async () => {
    const dynamodb = dynamoClientFor(moto.server());
    const queries: number[] = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') queries.push(1);
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    const rig = await createRig(moto.server(), { t0: T0, queryPageLimit: 4, dynamodb });
    for (let i = 0; i < 12; i++) {
      expect((await rig.request('PUT', 'periodic', `p${i}`, { timerCallbackData: { i }, interval: 60, offset: 30 + i })).statusCode).toBe(200);
    }
    for (let i = 0; i < 6; i++) {
      expect((await rig.request('PUT', 'oneshot', `o${i}`, { timerCallbackData: { i }, delaySeconds: 45 + i })).statusCode).toBe(200);
    }

    const report = await rig.tick(SHARD);

    // 12 periodic timers fire twice in the two windows, the one-shots once.
    expect(report.dispatched).toBe(30);
    const firingIds = rig.queue.sent.map((e) => e.attributes.FiringId);
    expect(new Set(firingIds).size).toBe(30);
    for (let i = 0; i < 12; i++) expect(rig.queue.forTimer(`p${i}`).map((e) => e.scheduledAt - T0)).toEqual([(30 + i) * 1000, (90 + i) * 1000]);
    for (let i = 0; i < 6; i++) expect(rig.queue.forTimer(`o${i}`).map((e) => e.delaySeconds)).toEqual([45 + i]);
    // One bucket per window for each kind would be 4 Queries; pages of 4 items need more.
    expect(queries.length).toBeGreaterThanOrEqual(8);
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 30 });
    dynamodb.destroy();
  });

  test('three missed windows are caught up: each occurrence sent once, the late ones counted', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    await rig.request('PUT', 'periodic', 'p1', { timerCallbackData: 'tick-tock', interval: 60, offset: 30 });
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
    await rig.request('PUT', 'periodic', 'p1', { timerCallbackData: 1, interval: 60, offset: 30 });
    await rig.request('PUT', 'periodic', 'p2', { timerCallbackData: 2, interval: 20, offset: 5 });
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
    expect(new Set(rig.queue.sent.map((e) => e.attributes.FiringId)).size).toBe(8);
    expect(rig.metrics.count(MetricName.TICKS_SKIPPED)).toBe(1);
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 8 });
    // The lease was given back: a later tick proceeds.
    rig.clock.set(T0 + 60_000);
    expect(await rig.tick(SHARD)).toMatchObject({ skipped: false, windows: 1 });
  });

  test('a one-shot fires once, and firing it writes nothing to the timer item', async () => {
    const dynamodb: DynamoDBClient = dynamoClientFor(moto.server());
    const writes: Array<[string, string]> = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? '';
        if (/^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/.test(name)) {
          const input = args.input as { Key?: { id?: { S?: string } }; Item?: { id?: { S?: string } } };
          writes.push([name, input.Key?.id?.S ?? input.Item?.id?.S ?? '?']);
        }
        return next(args);
      },
      { step: 'initialize', name: 'recordWrites' },
    );
    const rig = await createRig(moto.server(), { t0: T0, dynamodb });
    await rig.request('PUT', 'oneshot', 'o1', { timerCallbackData: { pay: 'invoice-7' }, at: new Date(T0 + 45_000).toISOString() });
    expect(writes.some(([name, id]) => name === 'PutItemCommand' && id === 'o1')).toBe(true);
    writes.length = 0;

    const first = await rig.tick(SHARD);
    rig.clock.set(T0 + 200_000);
    const second = await rig.tick(SHARD);

    expect(first.dispatched).toBe(1);
    expect(second.dispatched).toBe(0);
    expect(rig.queue.forTimer('o1').map((e) => [e.scheduledAt, e.delaySeconds])).toEqual([[T0 + 45_000, 45]]);
    // Only the shard's own state moves: claim, watermark per window, release.
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.filter(([name, id]) => name !== 'UpdateItemCommand' || id !== '#shard#shard0')).toEqual([]);
    // The fired one-shot still reads as fired until it expires.
    const got = await rig.request('GET', 'oneshot', 'o1');
    expect(got).toMatchObject({ statusCode: 200, body: { id: 'o1', state: 'fired', timerCallbackData: { pay: 'invoice-7' } } });
    dynamodb.destroy();
  });

  test('a timer created inside a span already dispatched is sent by the API itself, with its delay', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    await rig.tick(SHARD); // dispatches up to T0 + 120 s

    rig.clock.set(T0 + 10_000);
    expect((await rig.request('PUT', 'periodic', 'late-comer', { timerCallbackData: 'hi', interval: 60, offset: 30 })).statusCode).toBe(200);

    expect(rig.queue.forTimer('late-comer').map((e) => [(e.scheduledAt - T0) / 1000, e.delaySeconds])).toEqual([[30, 20], [90, 80]]);
    // The next tick starts at the watermark, so it does not send them again.
    rig.clock.set(T0 + 60_000);
    expect(await rig.tick(SHARD)).toMatchObject({ windows: 1, dispatched: 1 });
    expect(rig.queue.forTimer('late-comer').map((e) => (e.scheduledAt - T0) / 1000)).toEqual([30, 90, 150]);
  });

  test('a timer deleted before its window never fires', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    await rig.request('PUT', 'periodic', 'p1', { timerCallbackData: 'gone', interval: 60, offset: 30 });
    await rig.request('PUT', 'oneshot', 'o1', { timerCallbackData: 'gone', delaySeconds: 45 });
    await rig.request('PUT', 'periodic', 'kept', { timerCallbackData: 'kept', interval: 60, offset: 40 });
    expect((await rig.request('DELETE', 'periodic', 'p1')).body).toEqual({ id: 'p1' });
    expect((await rig.request('DELETE', 'oneshot', 'o1')).body).toEqual({ id: 'o1' });

    const report = await rig.tick(SHARD);

    expect(report.dispatched).toBe(2);
    expect(rig.queue.sent.map((e) => e.attributes.TimerId)).toEqual(['kept', 'kept']);
    expect(await rig.queueCounts()).toEqual({ visible: 0, delayed: 2 });
  });
});
