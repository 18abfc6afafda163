/**
 * DynamoTimerStore against a DynamoDB emulator (moto): the table layout, the interval registry and its TTL cadence,
 * the shard lease, cursor and watermark conditions, range reads of the spread schedule index that follow every page
 * and resume from any position, the retirement of ended timers, and cron timers moved on by the ticks.
 */
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClientFor, recordWrites } from './harness';
import { DynamoTimerStore, spreadOf } from '../../src/aws/dynamo-store';
import { TableSchema } from '../../src/aws/table-schema';
import { CronTimer, OneShotTimer, PeriodicTimer, Timer, TimerPages } from '../../src/core';
import { createTimerTable, useMoto } from '../support/moto';

const moto = useMoto();
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function periodic(id: string, interval: number, offset: number, extra: Partial<PeriodicTimer> = {}): PeriodicTimer {
  return { kind: 'periodic', id, shardId: 'shard0', data: JSON.stringify({ id }), createdAt: T0, tickFrom: T0 + 130_000, interval, offset, ...extra };
}

function oneShot(id: string, fireAt: number): OneShotTimer {
  return { kind: 'oneshot', id, shardId: 'shard0', data: JSON.stringify({ id }), createdAt: T0, tickFrom: T0 + 130_000, fireAt, expiresAt: fireAt + 3_600_000 };
}

/** A read, page by page: every timer with its position, in the order the store returns them. */
async function readAll(pages: TimerPages): Promise<{ ids: string[]; positions: string[]; pages: number }> {
  const ids: string[] = [];
  const positions: string[] = [];
  let count = 0;
  for await (const page of pages) {
    count++;
    expect(page.positions).toHaveLength(page.timers.length);
    ids.push(...page.timers.map((t) => t.id));
    positions.push(...page.positions);
  }
  return { ids, positions, pages: count };
}

async function idsOf(pages: TimerPages): Promise<string[]> {
  return (await readAll(pages)).ids.sort();
}

async function newStore(options: { queryPageLimit?: number } = {}): Promise<{ store: DynamoTimerStore; tableName: string }> {
  const tableName = await createTimerTable(moto.server());
  return { store: new DynamoTimerStore({ client: moto.server().dynamodb, tableName, ...options }), tableName };
}

async function rawItem(tableName: string, id: string): Promise<Record<string, any> | undefined> {
  return (await moto.server().dynamodb.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
}

/** A small deterministic generator, so the property-style reads are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

describe('DynamoTimerStore: timers', () => {
  test('a timer round-trips exactly, tickFrom and expiry included, callback data verbatim', async () => {
    const { store } = await newStore();
    const data = '{"b":1,"a":"é ✓ \\u0000","n":[1.50,{"x":null}]}';
    const timer: PeriodicTimer = { ...periodic('p-1', 300, 17, { startAt: T0 + 1000, endAt: T0 + 9_000_000, expiresAt: T0 + 9_000_000 + DAY }), data };
    const open = periodic('p-open', 60, 5);
    const shot: OneShotTimer = { ...oneShot('o-1', T0 + 61_234), expiresAt: T0 + 61_234 + 86_400_000 };

    for (const t of [timer, open, shot]) expect(await store.putTimer(t)).toBeUndefined();
    expect(await store.getTimer('p-1')).toEqual(timer);
    expect(await store.getTimer('p-open')).toEqual(open);
    // expiresAt lives in the TTL attribute, whole epoch seconds, rounded up so the item never expires early.
    expect(await store.getTimer('o-1')).toEqual({ ...shot, expiresAt: Math.ceil(shot.expiresAt! / 1000) * 1000 });

    const replacement = { ...timer, offset: 18, createdAt: T0 + 5 };
    await store.putTimer(replacement);
    expect(await store.getTimer('p-1')).toEqual(replacement);
    expect(await store.deleteTimer('p-1')).toEqual(replacement);
    expect(await store.deleteTimer('p-1')).toBeUndefined();
    expect(await store.getTimer('p-1')).toBeUndefined();
  });

  test('pausedAt and missedFirings round-trip, through the index too; replaceTimer writes only over the version read', async () => {
    const { store } = await newStore();
    const shot: OneShotTimer = { kind: 'oneshot', id: 'o-p', shardId: 'shard0', data: '1', createdAt: T0, tickFrom: T0, fireAt: T0 + 90_000, expiresAt: T0 + 90_000 + DAY, missedFirings: 'none' };
    await store.putTimer(shot);
    const { expiresAt: _expiry, ...rest } = shot;
    const paused: OneShotTimer = { ...rest, pausedAt: T0 + 5 };
    expect(await store.replaceTimer(shot, paused)).toBe(true);
    // A paused one-shot has no TTL, and the index shows what a tick needs to skip it.
    expect(await store.getTimer('o-p')).toEqual(paused);
    const indexed: Timer[] = [];
    for await (const page of store.queryOneShots('shard0', T0, T0 + 120_000)) indexed.push(...page.timers);
    expect(indexed).toEqual([paused]);
    // Written over a version that is no longer stored: refused, nothing written.
    expect(await store.replaceTimer(shot, { ...shot, data: '2' })).toBe(false);
    expect(await store.replaceTimer({ ...paused, createdAt: T0 + 1 }, { ...paused, data: '2' })).toBe(false);
    expect(await store.replaceTimer({ ...paused, id: 'absent' }, { ...paused, id: 'absent' })).toBe(false);
    expect(await store.getTimer('o-p')).toEqual(paused);
    expect(await store.replaceTimer(paused, { ...shot, tickFrom: T0 + 180_000 })).toBe(true);
    expect(await store.getTimer('o-p')).toMatchObject({ tickFrom: T0 + 180_000, missedFirings: 'none' });
    expect(await store.getTimer('o-p')).not.toHaveProperty('pausedAt');
  });

  test('the layout matches the documented schema, spread by id, and reports consumed capacity when asked', async () => {
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
    const ended = periodic('e', 60, 1, { endAt: T0 + 60_000, expiresAt: T0 + 60_000 + DAY });
    const timers: Timer[] = [periodic('p', 86_400, 3_725), oneShot('o', T0 + 90_000), ended];
    for (const t of timers) await store.putTimer(t);
    await store.getTimer('p');
    expect(operations).toEqual(['PutItem', 'PutItem', 'PutItem', 'GetItem']);

    const items = (await moto.server().dynamodb.send(new ScanCommand({ TableName: tableName }))).Items!;
    const byId = Object.fromEntries(items.map((item) => [item.id.S, item]));
    expect(byId.p.gsiPk.S).toBe(`P#shard0#86400#62#${spreadOf('p')}`);
    expect(byId.p.gsiSk.S).toBe('003725#p');
    expect(byId.p.tickFrom.N).toBe(String(T0 + 130_000));
    expect(byId.p.ttl).toBeUndefined();
    expect(byId.o.gsiPk.S).toBe(`O#shard0#${Math.floor((T0 + 90_000) / 60_000)}#${spreadOf('o')}`);
    expect(byId.o.gsiSk.S).toBe(`${String(T0 + 90_000).padStart(15, '0')}#o`);
    expect(Number(byId.o.ttl.N)).toBe(Math.ceil((T0 + 90_000 + 3_600_000) / 1000));
    // A periodic timer with an end expires with it, for free.
    expect(Number(byId.e.ttl.N)).toBe((T0 + 60_000 + DAY) / 1000);
    // The spread is a stable hash of the id over the documented number of partitions, and uses all of them.
    const spreads = new Set(Array.from({ length: 200 }, (_, i) => spreadOf(`id-${i}`)));
    expect([...spreads].sort((a, b) => a - b)).toEqual(Array.from({ length: TableSchema.SPREAD_PARTITIONS }, (_, i) => i));
  });

  test('a periodic offset range reads exactly the timers inside it, across phase buckets, spreads and pages', async () => {
    const { store } = await newStore({ queryPageLimit: 2 });
    const offsets = [0, 1, 58, 59, 60, 61, 119, 120, 179, 250];
    // Several timers per offset, so each bucket's timers land in several spread partitions.
    for (const offset of offsets) for (const k of [0, 1, 2]) await store.putTimer(periodic(`p${offset}-${k}`, 300, offset));
    await store.putTimer(periodic('other-interval', 600, 59));
    await store.putTimer({ ...periodic('other-shard', 300, 59), shardId: 'shard1' });
    await store.registerInterval('shard0', 300, T0);

    const within = await readAll(store.queryPeriodic('shard0', 300, 59, 121));
    expect(within.ids.slice().sort()).toEqual([59, 60, 61, 119, 120].flatMap((o) => [0, 1, 2].map((k) => `p${o}-${k}`)).sort());
    expect(within.pages).toBeGreaterThanOrEqual(5);
    expect(new Set(within.ids.map(spreadOf)).size).toBeGreaterThan(3);
    expect(await idsOf(store.queryPeriodic('shard0', 300, 0, 300))).toHaveLength(offsets.length * 3);
    expect(await idsOf(store.queryPeriodic('shard0', 300, 121, 179))).toEqual([]);
  });

  test('a one-shot window reads the timers due inside it, across due minutes and spreads', async () => {
    const { store } = await newStore({ queryPageLimit: 1 });
    const due = [T0 - 1, T0, T0 + 59_999, T0 + 60_000, T0 + 119_999, T0 + 120_000];
    for (const [i, at] of due.entries()) await store.putTimer(oneShot(`o${i}`, at));
    await store.putTimer(periodic('p', 60, 0));

    expect(await idsOf(store.queryOneShots('shard0', T0, T0 + 120_000))).toEqual(['o1', 'o2', 'o3', 'o4']);
    expect(await idsOf(store.queryOneShots('shard0', T0 + 60_000, T0 + 60_001))).toEqual(['o3']);
  });

  test('resuming a read from any position returns exactly the rest of it, in a new store instance too', async () => {
    const { store, tableName } = await newStore({ queryPageLimit: 3 });
    const random = lcg(9);
    // 36 periodic timers over two phase buckets of interval 300, and 18 one-shots over two due minutes.
    const offsets = new Map<string, number>();
    for (let i = 0; i < 36; i++) {
      const id = `p-${Math.floor(random() * 1e9).toString(36)}`;
      offsets.set(id, 30 + Math.floor(random() * 60));
      await store.putTimer(periodic(id, 300, offsets.get(id)!));
    }
    for (let i = 0; i < 18; i++) await store.putTimer(oneShot(`o-${i}`, T0 + Math.floor(random() * 120_000)));
    const resumer = new DynamoTimerStore({ client: moto.server().dynamodb, tableName, queryPageLimit: 3 });

    const reads: Array<[string, (s: DynamoTimerStore, after?: string) => TimerPages]> = [
      ['periodic', (s, after) => s.queryPeriodic('shard0', 300, 30, 90, after)],
      ['one-shot', (s, after) => s.queryOneShots('shard0', T0, T0 + 120_000, after)],
    ];
    for (const [kind, read] of reads) {
      const full = await readAll(read(store));
      expect(full.ids.length).toBe(kind === 'periodic' ? 36 : 18);
      expect(new Set(full.ids).size).toBe(full.ids.length);
      // Most spreads are crossed, and some partition holds more than one page.
      expect(new Set(full.ids.map(spreadOf)).size).toBeGreaterThan(5);
      expect(full.pages).toBeGreaterThan(new Set(full.positions.map((p) => p.split(':').slice(0, 2).join(':'))).size);
      for (const position of full.positions) expect(position.length).toBeLessThan(300);
      for (let i = 0; i < full.ids.length; i++) {
        const rest = await readAll(read(resumer, full.positions[i]));
        expect([kind, i, rest.ids]).toEqual([kind, i, full.ids.slice(i + 1)]);
      }
    }

    // A position stays valid when its own timer is gone: the read resumes right after where it was.
    const full = await readAll(reads[0][1](store));
    await store.deleteTimer(full.ids[10]);
    expect((await readAll(reads[0][1](resumer, full.positions[10]))).ids).toEqual(full.ids.slice(11));
    // A position the store cannot read restarts the read: a duplicate after a fault, never a loss.
    expect((await readAll(reads[0][1](resumer, 'not-a-position'))).ids).toEqual(full.ids.filter((id) => id !== full.ids[10]));
    // The periodic read crossed both phase buckets.
    expect(new Set(full.ids.map((id) => Math.floor(offsets.get(id)! / 60))).size).toBe(2);
  });
});

describe('DynamoTimerStore: the interval registry', () => {
  test('registering an interval writes one registry item per refresh horizon and never the shard item', async () => {
    const tableName = await createTimerTable(moto.server());
    const client = dynamoClientFor(moto.server());
    const writes = recordWrites(client);
    const store = new DynamoTimerStore({ client, tableName });

    for (let i = 0; i < 20; i++) {
      await store.registerInterval('shard0', 60, T0 + i * 1000);
      await store.putTimer(periodic(`p${i}`, 60, i));
    }
    await store.registerInterval('shard0', 5, T0);
    await store.registerInterval('shard0', 60, T0 + 59 * 60_000);

    expect(writes.filter(([, id]) => id.startsWith('#shard#'))).toEqual([]);
    expect(writes.filter(([, id]) => id.startsWith('#'))).toEqual([
      ['UpdateItemCommand', '#iv#shard0#60'],
      ['UpdateItemCommand', '#iv#shard0#5'],
    ]);
    // Past the hour, the container writes it again; a new container (a new store) writes it on its first PUT.
    await store.registerInterval('shard0', 60, T0 + 61 * 60_000);
    await new DynamoTimerStore({ client, tableName }).registerInterval('shard0', 60, T0 + 62 * 60_000);
    expect(writes.filter(([, id]) => id === '#iv#shard0#60')).toHaveLength(3);

    expect(await store.listIntervals('shard0')).toEqual([5, 60]);
    expect(await store.listIntervals('shard1')).toEqual([]);
    const item = await rawItem(tableName, '#iv#shard0#60');
    expect(item).toEqual({
      id: { S: '#iv#shard0#60' },
      gsiPk: { S: 'I#shard0' },
      gsiSk: { S: '000060' },
      ttl: { N: String(Math.ceil((T0 + 62 * 60_000 + 60_000 + 14 * DAY) / 1000)) },
    });
    // Registry items are never timers: not by id, and not in any schedule read.
    expect(await store.getTimer('#iv#shard0#60')).toBeUndefined();
    expect(await idsOf(store.queryPeriodic('shard0', 60, 0, 60))).toHaveLength(20);
    expect(await idsOf(store.queryOneShots('shard0', T0 - 120_000, T0 + 120_000))).toEqual([]);
    client.destroy();
  });

  test('a tick keeps a registry item alive about once a day, and only for the intervals it found timers of', async () => {
    const tableName = await createTimerTable(moto.server());
    const client = dynamoClientFor(moto.server());
    const writes = recordWrites(client);
    const api = new DynamoTimerStore({ client, tableName });
    const tick = new DynamoTimerStore({ client, tableName });
    const ttlOf = async (interval: number): Promise<number> => Number((await rawItem(tableName, `#iv#shard0#${interval}`))!.ttl.N) * 1000;
    await api.registerInterval('shard0', 300, T0);
    await api.registerInterval('shard0', 86_400, T0);
    writes.length = 0;

    // The tick lists the registry (learning each expiry), then keeps what it found timers of.
    expect(await tick.listIntervals('shard0')).toEqual([300, 86_400]);
    await tick.keepIntervals('shard0', [300, 86_400], T0 + HOUR);
    await tick.keepIntervals('shard0', [300], T0 + 23 * HOUR);
    expect(writes).toEqual([]);

    // A day after the write, the expiry is less than interval + 13 days away: one refresh, then quiet again.
    await tick.keepIntervals('shard0', [300], T0 + 25 * HOUR);
    await tick.keepIntervals('shard0', [300], T0 + 26 * HOUR);
    expect(writes).toEqual([['UpdateItemCommand', '#iv#shard0#300']]);
    expect(await ttlOf(300)).toBe(T0 + 25 * HOUR + 300_000 + 14 * DAY);
    // The interval no timer was found of keeps its first expiry and lapses with it.
    expect(await ttlOf(86_400)).toBe(T0 + 86_400_000 + 14 * DAY);

    // A tick that did not list the registry first refreshes what it is told of.
    await new DynamoTimerStore({ client, tableName }).keepIntervals('shard0', [86_400], T0 + 2 * HOUR);
    expect(writes.filter(([, id]) => id === '#iv#shard0#86400')).toHaveLength(1);
    expect(writes.filter(([, id]) => id.startsWith('#shard#'))).toEqual([]);
    client.destroy();
  });
});

describe('DynamoTimerStore: shard state', () => {
  test('the state holds a watermark, a lease and a cursor only, and a second initialization keeps the first', async () => {
    const { store, tableName } = await newStore();
    expect(await store.getShardState('shard0')).toBeUndefined();
    expect(await store.initShardState('shard0', T0)).toEqual({ shardId: 'shard0', watermark: T0 });
    expect(await store.initShardState('shard0', T0 + 5000)).toEqual({ shardId: 'shard0', watermark: T0 });
    expect(await store.getTimer('#shard#shard0')).toBeUndefined();
    expect(await rawItem(tableName, '#shard#shard0')).toEqual({ id: { S: '#shard#shard0' }, watermark: { N: String(T0) } });
  });

  test('claim, take-over, checkpoint, advance and release hold only under their conditions', async () => {
    const { store, tableName } = await newStore();
    await store.initShardState('shard0', T0);
    const claim = (owner: string, nowMs: number, takeOverFrom?: string) =>
      store.claimShard({ shardId: 'shard0', owner, nowMs, leaseUntil: nowMs + 30_000, ...(takeOverFrom !== undefined && { takeOverFrom }) });

    expect(await claim('a', T0)).toEqual({ shardId: 'shard0', watermark: T0, leaseOwner: 'a', leaseUntil: T0 + 30_000 });
    // Held: refused to another, and to a take-over from anyone but the holder.
    expect(await claim('b', T0 + 1000)).toBeUndefined();
    expect(await claim('b', T0 + 1000, 'someone-else')).toBeUndefined();
    expect(await claim('a', T0 + 1000)).toBeUndefined();

    // Only the holder checkpoints, only at the watermark it holds; the checkpoint extends the lease.
    expect(await store.checkpoint('shard0', 'b', T0, 'c1', T0 + 40_000)).toBe(false);
    expect(await store.checkpoint('shard0', 'a', T0 + 1, 'c1', T0 + 40_000)).toBe(false);
    expect(await store.checkpoint('shard0', 'a', T0, 'c1', T0 + 40_000)).toBe(true);
    expect(await store.getShardState('shard0')).toEqual({ shardId: 'shard0', watermark: T0, leaseOwner: 'a', leaseUntil: T0 + 40_000, cursor: 'c1' });
    // A continuation takes over the lease it was handed under an owner of its own, and sees the cursor; a second
    // delivery of the same continuation finds the lease taken.
    expect(await claim('a2', T0 + 2000, 'a')).toEqual({ shardId: 'shard0', watermark: T0, leaseOwner: 'a2', leaseUntil: T0 + 32_000, cursor: 'c1' });
    expect(await claim('a3', T0 + 2000, 'a')).toBeUndefined();
    expect(await store.checkpoint('shard0', 'a', T0, 'c2', T0 + 33_000)).toBe(false);
    expect(await store.checkpoint('shard0', 'a2', T0, undefined, T0 + 33_000)).toBe(true);
    expect((await store.getShardState('shard0'))?.cursor).toBeUndefined();
    expect(await store.checkpoint('shard0', 'a2', T0, 'c2', T0 + 33_000)).toBe(true);

    // Only the holder moves the watermark, only from where it is, and the move clears the cursor.
    expect(await store.advanceWatermark('shard0', 'b', T0, T0 + 60_000)).toBe(false);
    expect(await store.advanceWatermark('shard0', 'a2', T0 + 1, T0 + 60_000)).toBe(false);
    expect(await store.advanceWatermark('shard0', 'a2', T0, T0 + 60_000)).toBe(true);
    expect(await store.getShardState('shard0')).toEqual({ shardId: 'shard0', watermark: T0 + 60_000, leaseOwner: 'a2', leaseUntil: T0 + 33_000 });
    // A checkpoint at the old watermark is now refused.
    expect(await store.checkpoint('shard0', 'a2', T0, 'stale', T0 + 40_000)).toBe(false);

    await store.releaseShard('shard0', 'b'); // not the holder: no effect
    expect((await store.getShardState('shard0'))?.leaseOwner).toBe('a2');
    await store.releaseShard('shard0', 'a2');
    expect(await store.getShardState('shard0')).toEqual({ shardId: 'shard0', watermark: T0 + 60_000 });

    // A lapsed lease is taken over, and the lapsed holder can neither renew nor write.
    expect(await claim('c', T0 + 3000)).toMatchObject({ leaseOwner: 'c' });
    expect(await claim('d', T0 + 33_000)).toMatchObject({ leaseOwner: 'd', leaseUntil: T0 + 63_000 });
    expect(await claim('c2', T0 + 34_000, 'c')).toBeUndefined();
    expect(await store.checkpoint('shard0', 'c', T0 + 60_000, 'x', T0 + 90_000)).toBe(false);
    expect(await store.advanceWatermark('shard0', 'c', T0 + 60_000, T0 + 120_000)).toBe(false);
    // However long the tick, the item holds four small attributes besides its key.
    const item = await rawItem(tableName, '#shard#shard0');
    expect(Object.keys(item!).sort()).toEqual(['id', 'leaseOwner', 'leaseUntil', 'watermark']);
    // A claim on a shard never initialized is refused rather than creating a state without a watermark.
    expect(await store.claimShard({ shardId: 'shard9', owner: 'a', nowMs: T0, leaseUntil: T0 + 1 })).toBeUndefined();
  });
});

describe('DynamoTimerStore: retiring ended timers', () => {
  test('a retired timer leaves every query but GET still reads it; a timer PUT again meanwhile is not retired', async () => {
    const { store, tableName } = await newStore();
    const endAt = T0 + 60_000;
    const ended = periodic('ended', 60, 10, { endAt, expiresAt: endAt + DAY });
    const replaced = periodic('replaced', 60, 11, { endAt, expiresAt: endAt + DAY });
    const live = periodic('live', 60, 12);
    for (const t of [ended, replaced, live]) await store.putTimer(t);
    const seen: PeriodicTimer[] = [];
    for await (const page of store.queryPeriodic('shard0', 60, 0, 60)) {
      seen.push(...(page.timers as PeriodicTimer[]).filter((t) => t.endAt !== undefined));
    }
    expect(seen.map((t) => t.id).sort()).toEqual(['ended', 'replaced']);

    // Between the tick's read and its retirement, a client PUTs `replaced` again, without an end.
    const again = periodic('replaced', 60, 11, { createdAt: T0 + 30_000, tickFrom: T0 + 160_000 });
    await store.putTimer(again);
    await store.retireTimers(seen);

    expect(await idsOf(store.queryPeriodic('shard0', 60, 0, 60))).toEqual(['live', 'replaced']);
    expect(await store.getTimer('ended')).toEqual(ended);
    expect(await store.getTimer('replaced')).toEqual(again);
    const item = await rawItem(tableName, 'ended');
    expect(item).toMatchObject({ endedPk: { S: `P#shard0#60#0#${spreadOf('ended')}` }, endedSk: { S: '000010#ended' } });
    expect(item?.gsiPk).toBeUndefined();

    // Retiring again, or retiring a timer deleted meanwhile, changes nothing and does not fail.
    await store.deleteTimer('live');
    await store.retireTimers([...seen, live]);
    expect(await store.getTimer('live')).toBeUndefined();
    expect(await store.getTimer('ended')).toEqual(ended);
    // DELETE still removes a retired timer, and a PUT brings the id back into the schedule.
    expect(await store.deleteTimer('ended')).toEqual(ended);
    await store.putTimer({ ...ended, endAt: undefined, expiresAt: undefined });
    expect(await idsOf(store.queryPeriodic('shard0', 60, 0, 60))).toEqual(['ended', 'replaced']);
  });
});

describe('DynamoTimerStore: cron timers', () => {
  function cron(id: string, dueAt: number, extra: Partial<CronTimer> = {}): CronTimer {
    return { kind: 'cron', id, shardId: 'shard0', data: JSON.stringify({ id }), createdAt: T0, tickFrom: T0 + 130_000, cron: '*/5 * * * *', timeZone: 'Europe/Paris', dueAt, ...extra };
  }

  test('round-trips, is read where it is due, moves on under its condition, and leaves the index once ended', async () => {
    const { store, tableName } = await newStore({ queryPageLimit: 1 });
    const due = cron('c-due', T0 + 300_000, { startAt: T0, endAt: T0 + DAY, expiresAt: T0 + 2 * DAY });
    const later = cron('c-later', T0 + 600_000);
    for (const t of [due, later]) await store.putTimer(t);
    expect(await store.getTimer('c-due')).toEqual(due);
    expect(await idsOf(store.queryCron('shard0', T0 + 240_000, T0 + 360_000))).toEqual(['c-due']);
    // One-shots and cron timers share the due-minute layout, not the partitions.
    expect(await idsOf(store.queryOneShots('shard0', T0, T0 + HOUR))).toEqual([]);
    expect((await rawItem(tableName, 'c-due'))!.gsiPk.S).toBe(`C#shard0#${Math.floor((T0 + 300_000) / 60_000)}#${spreadOf('c-due')}`);

    // Moved on: read at its new place only.
    const moved = { ...due, tickFrom: T0 + 500_000, dueAt: T0 + 600_000 };
    await store.advanceCronTimers([{ read: due, next: moved }]);
    expect(await store.getTimer('c-due')).toEqual(moved);
    expect(await idsOf(store.queryCron('shard0', T0 + 240_000, T0 + 360_000))).toEqual([]);
    expect(await idsOf(store.queryCron('shard0', T0 + 600_000, T0 + 660_000))).toEqual(['c-due', 'c-later']);

    // A move from a stale read (the timer was PUT again, or moved by another tick) changes nothing.
    await store.advanceCronTimers([{ read: due, next: { ...due, tickFrom: T0 + 900_000, dueAt: T0 + 900_000 } }]);
    expect(await store.getTimer('c-due')).toEqual(moved);

    // No firing left: out of the index, still read by id until its TTL.
    const ended: CronTimer = { ...later, tickFrom: T0 + 700_000, dueAt: undefined, expiresAt: T0 + 700_000 + DAY };
    await store.advanceCronTimers([{ read: later, next: ended }]);
    expect(await idsOf(store.queryCron('shard0', T0, T0 + DAY))).toEqual(['c-due']);
    expect(await store.getTimer('c-later')).toEqual(ended);
    expect((await rawItem(tableName, 'c-later'))!.gsiPk).toBeUndefined();
  });
});
