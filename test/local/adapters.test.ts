/**
 * The SQLite adapters on their own, against the ports: the store's paged reads (every timer of a range read once, in
 * order, across pages and across keys shared by more timers than a page holds, with a position for each), its
 * in-memory periodic index and the intervals it lists, its shard state (conditional claims, renewals, checkpoints and
 * advances, served from memory yet always current); the queue's side of the FiringQueue contract (a batch reported
 * accepted is already written; a write that fails reports every entry of its turn as a failure that may pass later,
 * so the Dispatcher sends it again), its one message per firing, its receipts and dead letters; the turn's shared
 * transaction; and the upgrade of files written by the first release and by version 1.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Database } from 'better-sqlite3';
import { QueueEntry, QueueFailure, Timer, TimerPage, oneShotTimerFrom, periodicTimerFrom } from '../../src/core';
import { openDatabase } from '../../src/local/database';
import { SqliteQueue } from '../../src/local/queue';
import { SqliteTimerStore } from '../../src/local/store';
import { TurnWrites } from '../../src/local/turn-writes';

const NOW = Date.parse('2030-01-01T00:00:00Z');

async function readAll(pages: AsyncIterable<TimerPage>): Promise<{ ids: string[]; pageSizes: number[] }> {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  for await (const page of pages) {
    expect(page.positions).toHaveLength(page.timers.length);
    pageSizes.push(page.timers.length);
    ids.push(...page.timers.map((t) => t.id));
  }
  return { ids, pageSizes };
}

/** What a commit that failed reports for each entry of a batch: a failure that may pass on a later attempt. */
function notAccepted(...ids: string[]): QueueFailure[] {
  return ids.map((id) => expect.objectContaining({ id, permanent: false, message: expect.any(String) }));
}

function entry(i: number, scheduledAt: number): QueueEntry {
  return {
    id: String(i),
    body: JSON.stringify({ i }),
    delaySeconds: 0,
    scheduledAt,
    attributes: { TimerId: `t-${i}`, TimerKind: 'periodic', ScheduledAt: String(scheduledAt), FiringId: `t-${i}@${scheduledAt}` },
  };
}


/**
 * Expects `promise` to reject with an error whose message contains `text`. Not `rejects.toThrow`: better-sqlite3's
 * native part builds its errors with the SqliteError class of the first test file that loaded it in this worker, so
 * in any later file they come from another realm, fail jest's own `instanceof Error`, and read as "did not throw".
 */
async function expectRejection(promise: Promise<unknown>, text: string): Promise<void> {
  const outcome = await promise.then(() => 'resolved', (error: unknown) => String((error as { message?: unknown })?.message));
  expect(outcome).toContain(text);
}

describe('SqliteTimerStore paging', () => {
  let db: Database;
  let store: SqliteTimerStore;

  beforeAll(async () => {
    db = openDatabase({ memory: true });
    store = new SqliteTimerStore(db);
    // 1,200 timers on offset 7 (more than two pages on one key), 3 on each offset 0..59 but 7, one on another interval.
    const bodies: Array<[string, number, number]> = [];
    for (let i = 0; i < 1200; i++) bodies.push([`same-${String(i).padStart(4, '0')}`, 60, 7]);
    for (let offset = 0; offset < 60; offset++) {
      if (offset === 7) continue;
      for (let k = 0; k < 3; k++) bodies.push([`spread-${offset}-${k}`, 60, offset]);
    }
    bodies.push(['other-interval', 30, 7]);
    const settings = { shardCount: 1, defaultIntervalSeconds: 60 };
    for (const [id, interval, offset] of bodies) {
      await store.putTimer(periodicTimerFrom(id, JSON.stringify({ timerCallbackData: id, interval, offset }), settings, NOW));
    }
    for (let i = 0; i < 1100; i++) {
      const at = new Date(NOW + 60_000 + (i % 2) * 1000).toISOString();
      await store.putTimer(oneShotTimerFrom(`once-${String(i).padStart(4, '0')}`, JSON.stringify({ timerCallbackData: i, at }), 1, 86_400_000, NOW));
    }
    await store.sync();
  });

  afterAll(() => db.close());

  test('a range read returns each of its timers once, ordered by (offset, id), in pages of at most 500', async () => {
    // Act
    const { ids, pageSizes } = await readAll(store.queryPeriodic('shard0', 60, 5, 10));

    // Assess: offsets 5, 6, 8, 9 hold 3 each, offset 7 holds 1,200; nothing outside [5, 10) nor of interval 30.
    const expected = [
      ...[5, 6].flatMap((o) => [0, 1, 2].map((k) => `spread-${o}-${k}`)),
      ...Array.from({ length: 1200 }, (_, i) => `same-${String(i).padStart(4, '0')}`),
      ...[8, 9].flatMap((o) => [0, 1, 2].map((k) => `spread-${o}-${k}`)),
    ];
    expect(ids).toEqual(expected);
    expect(Math.max(...pageSizes)).toBeLessThanOrEqual(500);
    expect(pageSizes.reduce((a, b) => a + b, 0)).toBe(1212);
  });

  test('the whole interval is read once, and an empty range reads nothing', async () => {
    const all = await readAll(store.queryPeriodic('shard0', 60, 0, 60));
    expect(all.ids).toHaveLength(1200 + 59 * 3);
    expect(new Set(all.ids).size).toBe(all.ids.length);
    expect((await readAll(store.queryPeriodic('shard0', 60, 60, 60))).ids).toEqual([]);
    expect((await readAll(store.queryPeriodic('shard1', 60, 0, 60))).ids).toEqual([]);
  });

  test('one-shots due in a range are read once across pages, and the range end is exclusive', async () => {
    const both = await readAll(store.queryOneShots('shard0', NOW + 60_000, NOW + 62_000));
    expect(both.ids).toHaveLength(1100);
    expect(new Set(both.ids).size).toBe(1100);
    const first = await readAll(store.queryOneShots('shard0', NOW, NOW + 61_000));
    expect(first.ids).toEqual(Array.from({ length: 550 }, (_, k) => `once-${String(2 * k).padStart(4, '0')}`));
  });
});

describe('SqliteTimerStore periodic index', () => {
  test('a tick reads each periodic timer under its latest committed schedule, and its shard lists its intervals, also after a restart', async () => {
    // Prepare
    const db = openDatabase({ memory: true });
    const store = new SqliteTimerStore(db);
    const settings = { shardCount: 1, defaultIntervalSeconds: 60 };
    const periodic = (id: string, offset: number, interval = 60): Timer =>
      periodicTimerFrom(id, JSON.stringify({ timerCallbackData: id, interval, offset }), settings, NOW);
    const read = async (s: SqliteTimerStore, interval = 60): Promise<string[]> =>
      (await readAll(s.queryPeriodic('shard0', interval, 0, interval))).ids;

    // Act: moved twice in one turn, moved to another interval, turned into a one-shot, deleted, and kept.
    for (const timer of [periodic('moved', 5), periodic('moved', 6), periodic('moved', 7), periodic('other', 3, 300)]) {
      await store.putTimer(timer);
    }
    await store.putTimer(periodic('to-oneshot', 1));
    await store.putTimer(periodic('deleted', 2));
    await store.putTimer(periodic('kept', 9));
    await store.sync();
    await store.putTimer(periodic('other', 4));
    await store.putTimer(oneShotTimerFrom('to-oneshot', JSON.stringify({ timerCallbackData: 1, delaySeconds: 60 }), 1, 86_400_000, NOW));
    await store.deleteTimer('deleted');
    await store.sync();
    // A turn whose transaction fails changes nothing, and each of its writes says so.
    db.exec('CREATE TRIGGER refuse BEFORE INSERT ON timers WHEN NEW.id = \'never\' BEGIN SELECT RAISE(ABORT, \'refused\'); END');
    const staged = [store.putTimer(periodic('kept', 11)), store.putTimer(periodic('never', 12))];
    await expectRejection(store.sync(), 'refused');
    for (const write of staged) await expectRejection(write, 'refused');
    db.exec('DROP TRIGGER refuse');

    // Assess: offsets ascending; a restarted store rebuilds the same index from the table.
    const expected = ['other', 'moved', 'kept'];
    expect(await read(store)).toEqual(expected);
    expect(await read(store, 300)).toEqual([]);
    const restarted = new SqliteTimerStore(db);
    expect(await read(restarted)).toEqual(expected);
    expect(restarted.countTimers(NOW)).toEqual({ periodic: 3, oneshot: 1, cron: 0 });
    // The intervals listed are those of the timers indexed: 300 went with the one timer that had it.
    expect(await store.listIntervals('shard0', NOW)).toEqual([60]);
    expect(await restarted.listIntervals('shard0', NOW)).toEqual([60]);
    expect(await store.listIntervals('shard1', NOW)).toEqual([]);
    expect((await readAll(store.queryPeriodic('shard0', 60, 7, 8))).ids).toEqual(['moved']);
    expect((await readAll(store.queryPeriodic('shard0', 60, 9, 10))).ids).toEqual(['kept']);
    expect(store.countTimers(NOW)).toEqual({ periodic: 3, oneshot: 1, cron: 0 });
    db.close();
  });
});

describe('SqliteTimerStore shard state', () => {
  test('claims, renewals, checkpoints and advances are conditional, and each shows in the next read, though reads are served from memory', async () => {
    const db = openDatabase({ memory: true });
    try {
      const store = new SqliteTimerStore(db);
      const shard = 'shard0';
      const read = (): Promise<unknown> => store.getShardState(shard);
      expect(await read()).toBeUndefined();
      expect(await store.initShardState(shard, NOW)).toEqual({ shardId: shard, watermark: NOW });
      expect(await store.initShardState(shard, NOW + 1000)).toEqual({ shardId: shard, watermark: NOW });

      // A free shard is taken; while the lease holds, nobody else takes it but a continuation it was handed to, under
      // an owner of its own, once.
      const claim = { shardId: shard, owner: 'tick-1', nowMs: NOW, leaseUntil: NOW + 30_000 };
      expect(await store.claimShard(claim)).toEqual({ shardId: shard, watermark: NOW, leaseOwner: 'tick-1', leaseUntil: NOW + 30_000 });
      expect(await store.claimShard({ ...claim, owner: 'tick-2' })).toBeUndefined();
      expect(await store.claimShard({ ...claim, owner: 'tick-2', takeOverFrom: 'tick-0' })).toBeUndefined();
      expect(await store.claimShard({ ...claim, leaseUntil: NOW + 40_000 })).toBeUndefined();
      expect(await read()).toEqual({ shardId: shard, watermark: NOW, leaseOwner: 'tick-1', leaseUntil: NOW + 30_000 });
      expect(await store.claimShard({ ...claim, owner: 'tick-1b', leaseUntil: NOW + 40_000, takeOverFrom: 'tick-1' })).toMatchObject({ leaseOwner: 'tick-1b', leaseUntil: NOW + 40_000 });
      expect(await store.claimShard({ ...claim, owner: 'tick-1c', takeOverFrom: 'tick-1' })).toBeUndefined();
      expect(await read()).toMatchObject({ leaseUntil: NOW + 40_000 });
      // The rest of this test holds the lease as tick-1 again.
      expect(await store.claimShard({ ...claim, leaseUntil: NOW + 40_000, takeOverFrom: 'tick-1b' })).toMatchObject({ leaseOwner: 'tick-1' });

      // A checkpoint needs the owner and the watermark it was made at; it extends the lease.
      expect(await store.checkpoint(shard, 'tick-2', NOW, 'by-another', NOW + 50_000)).toBe(false);
      expect(await store.checkpoint(shard, 'tick-1', NOW - 1000, 'at-another-watermark', NOW + 50_000)).toBe(false);
      expect(await read()).toEqual({ shardId: shard, watermark: NOW, leaseOwner: 'tick-1', leaseUntil: NOW + 40_000 });
      expect(await store.checkpoint(shard, 'tick-1', NOW, 'cursor-1', NOW + 50_000)).toBe(true);
      expect(await read()).toEqual({ shardId: shard, watermark: NOW, leaseOwner: 'tick-1', leaseUntil: NOW + 50_000, cursor: 'cursor-1' });

      // An advance needs the owner and the watermark it starts from, and clears the cursor.
      expect(await store.advanceWatermark(shard, 'tick-2', NOW, NOW + 60_000)).toBe(false);
      expect(await store.advanceWatermark(shard, 'tick-1', NOW + 1000, NOW + 60_000)).toBe(false);
      expect(await read()).toMatchObject({ watermark: NOW, cursor: 'cursor-1' });
      expect(await store.advanceWatermark(shard, 'tick-1', NOW, NOW + 60_000)).toBe(true);
      expect(await read()).toEqual({ shardId: shard, watermark: NOW + 60_000, leaseOwner: 'tick-1', leaseUntil: NOW + 50_000 });
      expect(await store.checkpoint(shard, 'tick-1', NOW, 'for-the-window-before', NOW + 50_000)).toBe(false);
      expect(await store.checkpoint(shard, 'tick-1', NOW + 60_000, 'cursor-2', NOW + 50_000)).toBe(true);

      // Only the owner releases; a lapsed lease is taken by another tick, which sees the cursor.
      await store.releaseShard(shard, 'tick-2');
      expect(await read()).toMatchObject({ leaseOwner: 'tick-1' });
      expect(await store.claimShard({ ...claim, owner: 'tick-3', nowMs: NOW + 50_000, leaseUntil: NOW + 80_000 })).toEqual({
        shardId: shard,
        watermark: NOW + 60_000,
        leaseOwner: 'tick-3',
        leaseUntil: NOW + 80_000,
        cursor: 'cursor-2',
      });
      await store.releaseShard(shard, 'tick-3');
      const released = await read();
      expect(released).toEqual({ shardId: shard, watermark: NOW + 60_000, cursor: 'cursor-2' });
      expect(await store.claimShard({ ...claim, owner: 'tick-4', nowMs: NOW + 50_000 })).toMatchObject({ leaseOwner: 'tick-4' });
      expect(await store.checkpoint(shard, 'tick-4', NOW + 60_000, undefined, NOW + 90_000)).toBe(true);
      expect(await read()).toEqual({ shardId: shard, watermark: NOW + 60_000, leaseOwner: 'tick-4', leaseUntil: NOW + 90_000 });

      // What memory serves is what the database holds: a second store on the same connection reads the same.
      expect(await new SqliteTimerStore(db).getShardState(shard)).toEqual(await read());
    } finally {
      db.close();
    }
  });
});

describe('SqliteQueue sends', () => {
  test('a batch reported accepted is already stored, and batches of one turn are written together', async () => {
    // Prepare
    const db = openDatabase({ memory: true });
    const queue = new SqliteQueue(db);
    const at = Date.now() + 60_000;

    // Act
    const sends = [0, 1, 2].map((b) => queue.sendBatch(Array.from({ length: 10 }, (_, i) => entry(b * 10 + i, at))));
    const beforeTurn = queue.depth().messages;
    const results = await Promise.all(sends);

    // Assess
    expect(beforeTurn).toBe(0);
    expect(results).toEqual([[], [], []]);
    expect(queue.depth().messages).toBe(30);
    db.close();
  });

  test('a failed write reports every entry of its turn as not accepted, and as a failure that may pass later', async () => {
    // Prepare: a database closed under the queue makes the write fail.
    const db = openDatabase({ memory: true });
    const writes = new TurnWrites(db);
    const queue = new SqliteQueue(db, writes);
    const errors: unknown[] = [];
    writes.onError = (err) => errors.push(err);
    const at = Date.now() + 60_000;

    // Act
    const first = queue.sendBatch([entry(0, at), entry(1, at)]);
    const second = queue.sendBatch([entry(2, at)]);
    db.close();

    // Assess
    expect(await first).toEqual(notAccepted('0', '1'));
    expect(await second).toEqual(notAccepted('2'));
    expect(errors).toHaveLength(1);
  });
});

describe('TurnWrites', () => {
  test('a PUT whose turn failed hears of it even when that turn was committed before anyone waited for it', async () => {
    // Prepare
    const db = openDatabase({ memory: true });
    const store = new SqliteTimerStore(db);
    const timer = periodicTimerFrom('refused', JSON.stringify({ timerCallbackData: 1 }), { shardCount: 1, defaultIntervalSeconds: 60 }, NOW);
    db.exec('CREATE TRIGGER refuse BEFORE INSERT ON timers BEGIN SELECT RAISE(ABORT, \'refused\'); END');
    // Act: the turn ends (and its transaction fails) before the writer looks
    const put = store.putTimer(timer);
    put.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    // Assess: the write rejects; sync() has nothing left to wait for, so it cannot be what tells
    await expectRejection(put, 'refused');
    await expect(store.sync()).resolves.toBeUndefined();
    expect(await store.getTimer('refused')).toBeUndefined();
    db.close();
  });

  test('a timer and the firings queued with it in one turn are committed together, or not at all', async () => {
    // Prepare: the store and the queue share one turn's transaction, as in the runtime.
    const db = openDatabase({ memory: true });
    const writes = new TurnWrites(db);
    const store = new SqliteTimerStore(db, writes);
    const queue = new SqliteQueue(db, writes);
    const settings = { shardCount: 1, defaultIntervalSeconds: 60 };
    const timer = (id: string): Timer => periodicTimerFrom(id, JSON.stringify({ timerCallbackData: id }), settings, NOW);
    const at = NOW + 60_000;

    // Act: a turn that commits, then a turn in which a third write fails.
    const keptPut = store.putTimer(timer('kept'));
    const kept = queue.sendBatch([entry(0, at)]);
    const keptSync = store.sync();
    const beforeCommit = { timer: await store.getTimer('kept'), messages: queue.depth().messages };
    await keptSync;
    await keptPut;
    const lostPut = store.putTimer(timer('lost'));
    const lost = queue.sendBatch([entry(1, at)]);
    writes.stage(() => {
      throw new Error('disk full');
    }, () => undefined);

    // Assess: nothing of the second turn was written; its writers hear of it.
    expect(beforeCommit).toEqual({ timer: undefined, messages: 0 });
    expect(await kept).toEqual([]);
    await expect(store.sync()).rejects.toThrow('disk full');
    await expect(lostPut).rejects.toThrow('disk full');
    expect(await lost).toEqual(notAccepted('1'));
    expect((await store.getTimer('kept'))?.id).toBe('kept');
    expect(await store.getTimer('lost')).toBeUndefined();
    expect(queue.depth().messages).toBe(1);
    db.close();
  });
});

describe('SqliteQueue visibility', () => {
  test('messages are claimed when visible, earliest first; a retry, a drop and a new process see the same schedule', async () => {
    // Prepare: three firings of two timers (entry i belongs to timer t-i), visible at T, T+1 s and T+2 s.
    const db = openDatabase({ memory: true });
    const queue = new SqliteQueue(db);
    const T = Date.now() + 60_000;
    expect(await queue.sendBatch([entry(2, T + 2000), entry(0, T), entry(1, T + 1000)])).toEqual([]);
    // The same firing sent again (as a racing tick would) stays one message.
    expect(await queue.sendBatch([entry(0, T)])).toEqual([]);

    // Act and assess: nothing is visible before T; at T + 1 s the first two, earliest first.
    expect(queue.nextVisibleAt()).toBe(T);
    expect(queue.claim(T - 1, 10, 30_000)).toEqual([]);
    const first = queue.claim(T + 1000, 10, 30_000);
    expect(first.map((m) => m.firingId)).toEqual([`t-0@${T}`, `t-1@${T + 1000}`]);
    // Claimed messages are hidden until their visibility timeout; the third is next.
    expect(queue.nextVisibleAt()).toBe(T + 2000);

    // One fails and is retried 5 s later; one is delivered; the third timer is deleted.
    expect(queue.fail(first[0], T + 1000, T + 6000, 5, 'boom')).toBe('retry');
    expect(queue.ackAll([first[1]])).toEqual([true]);
    expect(queue.ackAll([first[1]])).toEqual([false]);
    expect(queue.dropTimer('t-2')).toBe(1);
    expect(queue.nextVisibleAt()).toBe(T + 6000);
    expect(queue.claim(T + 5999, 10, 30_000)).toEqual([]);

    // A new process on the same database rebuilds the schedule from the table.
    const restarted = new SqliteQueue(db);
    expect(restarted.nextVisibleAt()).toBe(T + 6000);
    const again = restarted.claim(T + 6000, 10, 30_000);
    expect(again.map((m) => [m.firingId, m.receiveCount])).toEqual([[`t-0@${T}`, 2]]);
    expect(restarted.depth()).toEqual({ messages: 1, inFlight: 1 });
    db.close();
  });
});

describe('SqliteQueue firing keys', () => {
  test('a firing sent twice is one message, in one turn, across turns, in flight and after a restart', async () => {
    // Prepare
    const db = openDatabase({ memory: true });
    const writes = new TurnWrites(db);
    const queue = new SqliteQueue(db, writes);
    const T = Date.now();
    const withBody = (e: QueueEntry, body: string): QueueEntry => ({ ...e, body });

    // Act and assess: twice in one turn, the later data wins.
    await Promise.all([queue.sendBatch([entry(0, T)]), queue.sendBatch([withBody(entry(0, T), '"second"'), entry(1, T)])]);
    expect(queue.depth().messages).toBe(2);
    // Again in a later turn, then once more while it is being delivered: still one message, and in flight it keeps
    // the data it was claimed with.
    await queue.sendBatch([withBody(entry(0, T), '"third"')]);
    const claimed = queue.claim(T, 10, 30_000);
    expect(claimed.map((m) => [m.firingId, m.body])).toEqual([[`t-0@${T}`, '"third"'], [`t-1@${T}`, '{"i":1}']]);
    await queue.sendBatch([withBody(entry(0, T), '"fourth"')]);
    expect(queue.depth()).toEqual({ messages: 2, inFlight: 2 });
    // A turn that fails queues nothing and leaves no key behind: the firing sent again afterwards is queued.
    const failing = queue.sendBatch([entry(2, T)]);
    writes.stage(() => {
      throw new Error('disk full');
    }, () => undefined);
    expect(await failing).toEqual(notAccepted('2'));
    expect(await queue.sendBatch([entry(2, T)])).toEqual([]);
    expect(queue.depth().messages).toBe(3);
    // A new process rebuilds the keys from the table, and drops a deleted timer's firings by them.
    const restarted = new SqliteQueue(db);
    await restarted.sendBatch([entry(2, T)]);
    expect(restarted.depth().messages).toBe(3);
    expect(restarted.dropTimer('t-2')).toBe(1);
    expect(restarted.dropTimer('t-0')).toBe(0);
    expect(restarted.depth()).toEqual({ messages: 2, inFlight: 2 });
    db.close();
  });
});

describe('SqliteQueue receipts', () => {
  test('a stale receipt does nothing, even when its row id was given to a newer message', async () => {
    // Prepare: a message delivered twice (its visibility timeout lapsed), then acknowledged by the second delivery.
    const db = openDatabase({ memory: true });
    const queue = new SqliteQueue(db);
    const T = Date.now();
    await queue.sendBatch([entry(0, T)]);
    const [firstReceive] = queue.claim(T, 10, 1000);
    const [secondReceive] = queue.claim(T + 1000, 10, 1000);
    expect(queue.ack(secondReceive)).toBe(true);
    // The next message takes the freed row id, and is being delivered for the first time, like the stale receipt.
    await queue.sendBatch([entry(1, T)]);
    const [next] = queue.claim(T + 1000, 10, 30_000);
    expect(next.seq).toBe(firstReceive.seq);
    expect(next.receiveCount).toBe(firstReceive.receiveCount);

    // Act: the first delivery of the old message ends late.
    const acked = queue.ack(firstReceive);
    const failed = queue.fail(firstReceive, T + 2000, T + 3000, 5, 'late');

    // Assess: the newer message is untouched.
    expect([acked, failed]).toEqual([false, 'stale']);
    expect(queue.depth()).toEqual({ messages: 1, inFlight: 1 });
    expect(queue.ack(next)).toBe(true);
    db.close();
  });

  test('a message that failed its last receive moves to the dead letters with its attributes', async () => {
    // Prepare
    const db = openDatabase({ memory: true });
    const queue = new SqliteQueue(db);
    const T = Date.parse('2030-01-01T00:00:00Z');
    await queue.sendBatch([entry(3, T)]);
    const [message] = queue.claim(T, 10, 30_000);

    // Act
    const outcome = queue.fail(message, T + 5, T + 1000, 1, 'the handler threw');

    // Assess
    expect(outcome).toBe('dead-letter');
    expect(queue.depth()).toEqual({ messages: 0, inFlight: 0 });
    expect(queue.deadLetters(10)).toEqual([
      {
        messageId: message.messageId,
        firingId: `t-3@${T}`,
        timerId: 't-3',
        kind: 'periodic',
        scheduledAt: '2030-01-01T00:00:00.000Z',
        timerCallbackData: { i: 3 },
        receiveCount: 1,
        deadLetteredAt: '2030-01-01T00:00:00.005Z',
        lastError: 'the handler threw',
      },
    ]);
    expect(queue.fail(message, T + 6, T + 1000, 1, 'again')).toBe('stale');
    db.close();
  });
});

/** The timers and queue tables as the first release wrote them, with the indexes they had. */
const FIRST_RELEASE_TABLES = `
CREATE TABLE timers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  interval_s INTEGER,
  offset_s INTEGER,
  start_at INTEGER,
  end_at INTEGER,
  fire_at INTEGER,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX timers_periodic ON timers (shard_id, interval_s, offset_s, id) WHERE kind = 'periodic';
CREATE INDEX timers_oneshot ON timers (shard_id, fire_at, id) WHERE kind = 'oneshot';
CREATE INDEX timers_expiry ON timers (expires_at) WHERE kind = 'oneshot';
CREATE TABLE queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL UNIQUE,
  firing_id TEXT NOT NULL UNIQUE,
  timer_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  claimed_at INTEGER,
  last_error TEXT
);
CREATE INDEX queue_visible ON queue (visible_at);
CREATE INDEX queue_timer ON queue (timer_id);
CREATE INDEX queue_claimed ON queue (claimed_at) WHERE claimed_at IS NOT NULL;
`;

/** The tables of version 1, as its runtime wrote them, with its indexes. */
const VERSION_1_TABLES = `
CREATE TABLE timers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  interval_s INTEGER,
  offset_s INTEGER,
  start_at INTEGER,
  end_at INTEGER,
  fire_at INTEGER,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX timers_oneshot ON timers (shard_id, fire_at, id) WHERE kind = 'oneshot';
CREATE INDEX timers_expiry ON timers (expires_at) WHERE kind = 'oneshot';
CREATE TABLE shards (
  shard_id TEXT PRIMARY KEY,
  watermark INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER
);
CREATE TABLE shard_intervals (
  shard_id TEXT NOT NULL,
  interval_s INTEGER NOT NULL,
  PRIMARY KEY (shard_id, interval_s)
) WITHOUT ROWID;
CREATE TABLE dead_letters (
  message_id TEXT PRIMARY KEY,
  firing_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL,
  dead_lettered_at INTEGER NOT NULL,
  last_error TEXT
);
CREATE TABLE queue (
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  timer_id TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  claimed_at INTEGER,
  last_error TEXT
);
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO settings VALUES ('shardCount', '1');
PRAGMA user_version = 1;
`;

/** The driver itself, for writing a file as another version of the runtime would. */
function rawDatabase(file: string): Database {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Driver = require('better-sqlite3') as new (file: string) => Database;
  return new Driver(file);
}

describe('openDatabase on a file of an earlier version', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timer-db-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function firstReleaseFile(): string {
    const file = path.join(dir, 'timers.db');
    const old = rawDatabase(file);
    old.exec(FIRST_RELEASE_TABLES);
    old.prepare("INSERT INTO timers (id, kind, shard_id, data, created_at, interval_s, offset_s) VALUES ('every-minute', 'periodic', 'shard0', '1', ?, 60, 5)").run(NOW);
    const insert = old.prepare(
      `INSERT INTO queue (seq, message_id, firing_id, timer_id, body, attributes, scheduled_at, sent_at, visible_at, receive_count, first_received_at, claimed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const row = (seq: number, timerId: string, kind: string, at: number, claimedAt: number | null): unknown[] => [
      seq,
      `m-${seq}`,
      `${timerId}@${at}`,
      timerId,
      JSON.stringify({ seq }),
      JSON.stringify({ TimerId: timerId, TimerKind: kind, ScheduledAt: String(at), FiringId: `${timerId}@${at}` }),
      at,
      at - 60_000,
      claimedAt === null ? at : claimedAt + 30_000,
      claimedAt === null ? 0 : 1,
      claimedAt,
      claimedAt,
    ];
    insert.run(...row(7, 'every-minute', 'periodic', NOW, null));
    insert.run(...row(9, 'once', 'oneshot', NOW + 1000, NOW + 1000));
    old.close();
    return file;
  }

  test('its timers, queued and in-flight messages are kept, with row ids and attributes, in the new layout', async () => {
    // Prepare
    const file = firstReleaseFile();

    // Act
    const db = openDatabase({ file });

    // Assess: the new layout, version recorded, the old indexes gone.
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      const columns = (db.pragma('table_info(queue)') as Array<{ name: string }>).map((c) => c.name);
      expect(columns).toContain('kind');
      expect(columns).not.toContain('firing_id');
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name);
      expect(indexes.sort()).toEqual(['sqlite_autoindex_dead_letters_1', 'sqlite_autoindex_shards_1', 'timers_cron', 'timers_expiry', 'timers_oneshot', 'timers_paused']);
      // The periodic timer is found without its old index; the ticks send its firings from its creation on.
      const store = new SqliteTimerStore(db);
      expect((await readAll(store.queryPeriodic('shard0', 60, 0, 60))).ids).toEqual(['every-minute']);
      expect(await store.getTimer('every-minute')).toMatchObject({ createdAt: NOW, tickFrom: NOW });
      // The in-flight message of the process that wrote the file is handed out again, then the queued one.
      const queue = new SqliteQueue(db);
      expect(queue.releaseInFlight(NOW)).toBe(1);
      const messages = queue.claim(NOW + 1000, 10, 30_000);
      expect(messages.map((m) => [m.seq, m.messageId, m.firingId, m.receiveCount, m.body])).toEqual([
        [7, 'm-7', `every-minute@${NOW}`, 1, '{"seq":7}'],
        [9, 'm-9', `once@${NOW + 1000}`, 2, '{"seq":9}'],
      ]);
      expect(messages[1].attributes).toEqual({ TimerId: 'once', TimerKind: 'oneshot', ScheduledAt: String(NOW + 1000), FiringId: `once@${NOW + 1000}` });
      // The same firing sent again is still one message.
      expect(await queue.sendBatch([{ ...entry(0, NOW), attributes: { ...entry(0, NOW).attributes, TimerId: 'every-minute' } }])).toEqual([]);
      expect(queue.depth().messages).toBe(2);
    } finally {
      db.close();
    }
  });

  const DAY_MS = 86_400_000;

  function versionOneFile(): string {
    const file = path.join(dir, 'timers.db');
    const old = rawDatabase(file);
    old.exec(VERSION_1_TABLES);
    const timer = old.prepare(
      'INSERT INTO timers (id, kind, shard_id, data, created_at, interval_s, offset_s, start_at, end_at, fire_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    timer.run('every-minute', 'periodic', 'shard0', '{"a":1}', NOW - 3_600_000, 60, 5, null, null, null, null);
    timer.run('ending', 'periodic', 'shard0', '"b"', NOW - 1000, 30, 7, NOW - 500, NOW + 600_000, null, null);
    timer.run('once', 'oneshot', 'shard0', '3', NOW - 2000, null, null, null, null, NOW + 30_000, NOW + 30_000 + DAY_MS);
    old.prepare("INSERT INTO shards VALUES ('shard0', ?, ?, 'dead-tick', ?)").run(NOW, NOW + 65_000, NOW + 30_000);
    old.exec("INSERT INTO shard_intervals VALUES ('shard0', 30), ('shard0', 60), ('shard0', 300)");
    old.prepare("INSERT INTO queue (seq, message_id, timer_id, scheduled_at, kind, body, sent_at, visible_at) VALUES (4, 'm-4', 'every-minute', ?, 'periodic', '{\"a\":1}', ?, ?)")
      .run(NOW + 5000, NOW - 55_000, NOW + 5000);
    old.close();
    return file;
  }

  /** The tables' columns and the indexes, as SQLite describes them (the runtime's settings table left out). */
  function layoutOf(db: Database): unknown {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'settings' ORDER BY name").all() as Array<{ name: string }>;
    const tables = names.map(({ name }) => [name, db.pragma(`table_info(${name})`)]);
    const indexes = db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name != 'settings' ORDER BY name").all();
    return { tables, indexes };
  }

  test('version 1: the layout of a new file, timers kept with tick_from = created_at, ended ones given an expiry, a queued message kept', async () => {
    // Prepare
    const file = versionOneFile();

    // Act
    const db = openDatabase({ file });

    // Assess
    const fresh = openDatabase({ memory: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      expect(layoutOf(db)).toEqual(layoutOf(fresh));
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'shard_intervals'").all()).toEqual([]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM timers WHERE tick_from != created_at').get()).toEqual({ n: 0 });

      const store = new SqliteTimerStore(db);
      expect(await store.getTimer('every-minute')).toEqual({
        id: 'every-minute',
        kind: 'periodic',
        shardId: 'shard0',
        data: '{"a":1}',
        createdAt: NOW - 3_600_000,
        tickFrom: NOW - 3_600_000,
        interval: 60,
        offset: 5,
      });
      expect(await store.getTimer('ending')).toEqual({
        id: 'ending',
        kind: 'periodic',
        shardId: 'shard0',
        data: '"b"',
        createdAt: NOW - 1000,
        tickFrom: NOW - 1000,
        interval: 30,
        offset: 7,
        startAt: NOW - 500,
        endAt: NOW + 600_000,
        expiresAt: NOW + 600_000 + DAY_MS,
      });
      expect(await store.getTimer('once')).toEqual({
        id: 'once',
        kind: 'oneshot',
        shardId: 'shard0',
        data: '3',
        createdAt: NOW - 2000,
        tickFrom: NOW - 2000,
        fireAt: NOW + 30_000,
        expiresAt: NOW + 30_000 + DAY_MS,
      });
      // The shard keeps its watermark and lease; its intervals are those of its timers, not the old list.
      expect(await store.getShardState('shard0')).toEqual({ shardId: 'shard0', watermark: NOW, leaseOwner: 'dead-tick', leaseUntil: NOW + 30_000 });
      expect(await store.listIntervals('shard0', NOW)).toEqual([30, 60]);
      expect(store.countTimers(NOW)).toEqual({ periodic: 2, oneshot: 1, cron: 0 });

      // A firing a tick sends again after the upgrade is the message already queued, which is delivered as it was.
      const queue = new SqliteQueue(db);
      const again = { ...entry(0, NOW + 5000), body: '{"a":1}', attributes: { ...entry(0, NOW + 5000).attributes, TimerId: 'every-minute' } };
      expect(await queue.sendBatch([again])).toEqual([]);
      expect(queue.depth().messages).toBe(1);
      expect(queue.claim(NOW + 5000, 10, 30_000).map((m) => [m.seq, m.messageId, m.firingId, m.body])).toEqual([
        [4, 'm-4', `every-minute@${NOW + 5000}`, '{"a":1}'],
      ]);

      // The ended periodic timer is forgotten with the fired one-shot once both expired.
      expect(store.deleteExpired(NOW + 600_000 + DAY_MS)).toBe(2);
      expect(await store.getTimer('ending')).toBeUndefined();
      expect(store.countTimers(NOW + 600_000 + DAY_MS)).toEqual({ periodic: 1, oneshot: 0, cron: 0 });
    } finally {
      fresh.close();
      db.close();
    }
  });

  test('an upgrade that fails leaves the file as it was', () => {
    // Prepare: a version 1 file whose timers refuse any update.
    const file = versionOneFile();
    const old = rawDatabase(file);
    old.exec("CREATE TRIGGER refuse BEFORE UPDATE ON timers BEGIN SELECT RAISE(ABORT, 'refused'); END");
    old.close();

    // Act and assess
    expect(() => openDatabase({ file })).toThrow(/cannot use --db .* \(refused\)/);
    const after = rawDatabase(file);
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(1);
      expect((after.pragma('table_info(timers)') as Array<{ name: string }>).map((c) => c.name)).not.toContain('tick_from');
      expect((after.pragma('table_info(shards)') as Array<{ name: string }>).map((c) => c.name)).toContain('claimed_until');
      expect(after.prepare('SELECT COUNT(*) AS n FROM shard_intervals').get()).toEqual({ n: 3 });
    } finally {
      after.close();
    }
  });

  test('version 2: cron columns and their index are added, every timer kept', async () => {
    // Prepare: a file of this version, taken back to version 2's layout.
    const file = path.join(dir, 'timers.db');
    const current = openDatabase({ file });
    const store = new SqliteTimerStore(current);
    await store.putTimer(periodicTimerFrom('kept', '{"timerCallbackData": 1, "interval": 60}', { shardCount: 1, defaultIntervalSeconds: 60 }, NOW));
    current.close();
    const old = rawDatabase(file);
    old.exec('DROP INDEX timers_paused; ALTER TABLE timers DROP COLUMN paused_at; ALTER TABLE timers DROP COLUMN missed_firings;');
    old.exec('DROP INDEX timers_cron; ALTER TABLE timers DROP COLUMN cron; ALTER TABLE timers DROP COLUMN time_zone; PRAGMA user_version = 2;');
    old.close();

    // Act
    const db = openDatabase({ file });

    // Assess
    const fresh = openDatabase({ memory: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      expect(layoutOf(db)).toEqual(layoutOf(fresh));
      expect(await new SqliteTimerStore(db).getTimer('kept')).toMatchObject({ kind: 'periodic', interval: 60, createdAt: NOW });
    } finally {
      db.close();
      fresh.close();
    }
  });

  test('version 3: pause and missed-firing columns are added, every timer kept active with the policy all', async () => {
    // Prepare: a file of version 3's layout (the previous release), holding a one-shot and a cron timer.
    const file = path.join(dir, 'timers.db');
    const current = openDatabase({ file });
    current.close();
    const old = rawDatabase(file);
    old.exec('DROP INDEX timers_paused; ALTER TABLE timers DROP COLUMN paused_at; ALTER TABLE timers DROP COLUMN missed_firings; PRAGMA user_version = 3;');
    old.prepare('INSERT INTO timers (id, kind, shard_id, data, created_at, fire_at, expires_at, tick_from) VALUES (\'once\', \'oneshot\', \'shard0\', \'1\', ?, ?, ?, ?)')
      .run(NOW, NOW + 60_000, NOW + 86_460_000, NOW);
    old.prepare(`INSERT INTO timers (id, kind, shard_id, data, created_at, fire_at, tick_from, cron, time_zone)
      VALUES ('daily', 'cron', 'shard0', '2', ?, ?, ?, '0 9 * * *', 'Europe/Paris')`).run(NOW, NOW + 3_600_000, NOW);
    old.close();

    // Act
    const db = openDatabase({ file });

    // Assess
    const fresh = openDatabase({ memory: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      expect(layoutOf(db)).toEqual(layoutOf(fresh));
      const store = new SqliteTimerStore(db);
      const once = await store.getTimer('once');
      expect(once).toEqual({ kind: 'oneshot', id: 'once', shardId: 'shard0', data: '1', createdAt: NOW, fireAt: NOW + 60_000, expiresAt: NOW + 86_460_000, tickFrom: NOW });
      expect(await store.getTimer('daily')).toMatchObject({ kind: 'cron', cron: '0 9 * * *', timeZone: 'Europe/Paris', dueAt: NOW + 3_600_000 });
      expect(await store.getTimer('daily')).not.toHaveProperty('pausedAt');
      // And the new columns work on the upgraded file.
      expect(await store.replaceTimer(once!, { ...once!, pausedAt: NOW, missedFirings: 'none' })).toBe(true);
      expect(await store.getTimer('once')).toMatchObject({ pausedAt: NOW, missedFirings: 'none' });
      expect(await store.replaceTimer(once!, { ...once! })).toBe(false);
    } finally {
      db.close();
      fresh.close();
    }
  });

  test('a file of a newer version is refused, and left as it was', () => {
    // Prepare
    const file = firstReleaseFile();
    const newer = rawDatabase(file);
    newer.pragma('user_version = 99');
    newer.close();

    // Act and assess
    expect(() => openDatabase({ file })).toThrow(/written by a newer version of the timer service \(schema 99, this one reads up to 4\)/);
    const after = rawDatabase(file);
    expect((after.pragma('table_info(queue)') as Array<{ name: string }>).map((c) => c.name)).toContain('firing_id');
    after.close();
  });
});
