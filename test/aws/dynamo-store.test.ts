/**
 * DynamoTimerStore against a DynamoDB emulator (moto): the table layout, the shard lease and watermark conditions,
 * and range reads of the schedule index that follow every page.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoTimerStore } from '../../src/aws/dynamo-store';
import { OneShotTimer, PeriodicTimer, Timer, TimerPages } from '../../src/core';
import { createTimerTable, useMoto } from '../support/moto';

const moto = useMoto();
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function periodic(id: string, interval: number, offset: number, extra: Partial<PeriodicTimer> = {}): PeriodicTimer {
  return { kind: 'periodic', id, shardId: 'shard0', data: JSON.stringify({ id }), createdAt: T0, interval, offset, ...extra };
}

function oneShot(id: string, fireAt: number): OneShotTimer {
  return { kind: 'oneshot', id, shardId: 'shard0', data: JSON.stringify({ id }), createdAt: T0, fireAt, expiresAt: fireAt + 3_600_000 };
}

async function collect(pages: TimerPages): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let count = 0;
  for await (const page of pages) {
    count++;
    ids.push(...page.map((t) => t.id));
  }
  return { ids: ids.sort(), pages: count };
}

async function newStore(options: { queryPageLimit?: number } = {}): Promise<{ store: DynamoTimerStore; tableName: string }> {
  const tableName = await createTimerTable(moto.server());
  return { store: new DynamoTimerStore({ client: moto.server().dynamodb, tableName, ...options }), tableName };
}

describe('DynamoTimerStore', () => {
  test('a timer round-trips exactly, callback data verbatim, and put/delete return the previous item', async () => {
    const { store } = await newStore();
    const data = '{"b":1,"a":"é ✓ \\u0000","n":[1.50,{"x":null}]}';
    const timer: PeriodicTimer = { ...periodic('p-1', 300, 17, { startAt: T0 + 1000, endAt: T0 + 9_000_000 }), data };
    const shot: OneShotTimer = { ...oneShot('o-1', T0 + 61_234), expiresAt: T0 + 61_234 + 86_400_000 };

    expect(await store.putTimer(timer)).toBeUndefined();
    expect(await store.putTimer(shot)).toBeUndefined();
    expect(await store.getTimer('p-1')).toEqual(timer);
    // expiresAt lives in the TTL attribute, whole epoch seconds, rounded up so the item never expires early.
    expect(await store.getTimer('o-1')).toEqual({ ...shot, expiresAt: Math.ceil(shot.expiresAt / 1000) * 1000 });

    const replacement = { ...timer, offset: 18 };
    expect(await store.putTimer(replacement)).toEqual(timer);
    expect(await store.deleteTimer('p-1')).toEqual(replacement);
    expect(await store.deleteTimer('p-1')).toBeUndefined();
    expect(await store.getTimer('p-1')).toBeUndefined();
  });

  test('the shard state is not a timer, and intervals registered before the first tick survive its initialization', async () => {
    const { store } = await newStore();
    await store.registerInterval('shard0', 60);
    await store.registerInterval('shard0', 5);
    await store.registerInterval('shard0', 60);
    expect(await store.getShardState('shard0')).toBeUndefined();
    expect(await store.getTimer('#shard#shard0')).toBeUndefined();

    const state = await store.initShardState('shard0', T0);
    expect(state).toEqual({ shardId: 'shard0', watermark: T0, claimedUntil: T0, intervals: [5, 60] });
    // A second initialization keeps the first watermark.
    expect((await store.initShardState('shard0', T0 + 5000)).watermark).toBe(T0);
  });

  test('a lease is exclusive until released or lapsed, and claimedUntil only grows', async () => {
    const { store } = await newStore();
    await store.initShardState('shard0', T0);
    const a = await store.claimShard({ shardId: 'shard0', owner: 'a', nowMs: T0, leaseUntil: T0 + 30_000, claimUntil: T0 + 120_000 });
    expect(a).toMatchObject({ leaseOwner: 'a', leaseUntil: T0 + 30_000, claimedUntil: T0 + 120_000, watermark: T0 });

    expect(await store.claimShard({ shardId: 'shard0', owner: 'b', nowMs: T0 + 1000, leaseUntil: T0 + 31_000, claimUntil: T0 + 121_000 })).toBeUndefined();

    // Only the holder moves the watermark, and only from where it is.
    expect(await store.advanceWatermark('shard0', 'b', T0, T0 + 60_000)).toBe(false);
    expect(await store.advanceWatermark('shard0', 'a', T0 + 1, T0 + 60_000)).toBe(false);
    expect(await store.advanceWatermark('shard0', 'a', T0, T0 + 60_000)).toBe(true);

    await store.releaseShard('shard0', 'b'); // not the holder: no effect
    expect((await store.getShardState('shard0'))?.leaseOwner).toBe('a');
    await store.releaseShard('shard0', 'a');
    expect((await store.getShardState('shard0'))?.leaseOwner).toBeUndefined();

    // Claiming a shorter span keeps the longer claimedUntil.
    const c = await store.claimShard({ shardId: 'shard0', owner: 'c', nowMs: T0 + 2000, leaseUntil: T0 + 32_000, claimUntil: T0 + 90_000 });
    expect(c).toMatchObject({ leaseOwner: 'c', claimedUntil: T0 + 120_000, watermark: T0 + 60_000 });

    // A lapsed lease can be taken over.
    const d = await store.claimShard({ shardId: 'shard0', owner: 'd', nowMs: T0 + 40_000, leaseUntil: T0 + 70_000, claimUntil: T0 + 160_000 });
    expect(d).toMatchObject({ leaseOwner: 'd', claimedUntil: T0 + 160_000 });
    expect(await store.advanceWatermark('shard0', 'c', T0 + 60_000, T0 + 120_000)).toBe(false);
  });

  test('a periodic offset range reads exactly the timers inside it, across phase buckets and pages', async () => {
    const { store } = await newStore({ queryPageLimit: 2 });
    const offsets = [0, 1, 58, 59, 60, 61, 119, 120, 179, 250];
    for (const offset of offsets) await store.putTimer(periodic(`p${offset}`, 300, offset));
    await store.putTimer(periodic('other-interval', 600, 59));
    await store.putTimer({ ...periodic('other-shard', 300, 59), shardId: 'shard1' });

    const within = await collect(store.queryPeriodic('shard0', 300, 59, 121));
    expect(within.ids).toEqual(['p119', 'p120', 'p59', 'p60', 'p61']);
    expect(within.pages).toBeGreaterThanOrEqual(3);
    expect((await collect(store.queryPeriodic('shard0', 300, 0, 300))).ids).toHaveLength(offsets.length);
    expect((await collect(store.queryPeriodic('shard0', 300, 121, 179))).ids).toEqual([]);
  });

  test('a one-shot window reads the timers due inside it, across due minutes', async () => {
    const { store } = await newStore({ queryPageLimit: 1 });
    const due = [T0 - 1, T0, T0 + 59_999, T0 + 60_000, T0 + 119_999, T0 + 120_000];
    for (const [i, at] of due.entries()) await store.putTimer(oneShot(`o${i}`, at));
    await store.putTimer(periodic('p', 60, 0));

    expect((await collect(store.queryOneShots('shard0', T0, T0 + 120_000))).ids).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect((await collect(store.queryOneShots('shard0', T0 + 60_000, T0 + 60_001))).ids).toEqual(['o3']);
  });

  test('the layout matches the documented schema and reports consumed capacity when asked', async () => {
    const tableName = await createTimerTable(moto.server());
    const operations: string[] = [];
    const store = new DynamoTimerStore({
      client: moto.server().dynamodb,
      tableName,
      onConsumedCapacity: (operation, capacity) => {
        expect(capacity.CapacityUnits).toBeGreaterThan(0);
        operations.push(operation);
      },
    });
    const timers: Timer[] = [periodic('p', 86_400, 3_725), oneShot('o', T0 + 90_000)];
    for (const t of timers) await store.putTimer(t);
    await store.getTimer('p');
    expect(operations).toEqual(['PutItem', 'PutItem', 'GetItem']);

    const items = (await moto.server().dynamodb.send(new ScanCommand({ TableName: tableName }))).Items!;
    const byId = Object.fromEntries(items.map((item) => [item.id.S, item]));
    expect(byId.p.gsiPk.S).toBe('P#shard0#86400#62');
    expect(byId.p.gsiSk.S).toBe('003725#p');
    expect(byId.o.gsiPk.S).toBe(`O#shard0#${Math.floor((T0 + 90_000) / 60_000)}`);
    expect(byId.o.gsiSk.S).toBe(`${String(T0 + 90_000).padStart(15, '0')}#o`);
    expect(Number(byId.o.ttl.N)).toBe(Math.ceil((T0 + 90_000 + 3_600_000) / 1000));
    expect(byId.p.ttl).toBeUndefined();
  });
});
