/**
 * The SQLite adapters on their own: the store's paged reads (every timer of a range read once, in order, across
 * pages and across keys shared by more timers than a page holds) and its in-memory periodic index; the queue's side
 * of the FiringQueue contract (a batch reported accepted is already written; a write that fails reports every entry
 * of its turn as not accepted, so the Dispatcher sends it again), its one message per firing, its receipts and dead
 * letters; the turn's shared transaction; and the upgrade of a file written by the first release.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Database } from 'better-sqlite3';
import { QueueEntry, Timer, oneShotTimerFrom, periodicTimerFrom } from '../../src/core';
import { openDatabase } from '../../src/local/database';
import { SqliteQueue } from '../../src/local/queue';
import { SqliteTimerStore } from '../../src/local/store';
import { TurnWrites } from '../../src/local/turn-writes';

const NOW = Date.parse('2030-01-01T00:00:00Z');

async function readAll(pages: AsyncIterable<Timer[]>): Promise<{ ids: string[]; pageSizes: number[] }> {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  for await (const page of pages) {
    pageSizes.push(page.length);
    ids.push(...page.map((t) => t.id));
  }
  return { ids, pageSizes };
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
  test('a tick reads each periodic timer under its latest committed schedule, also after a restart', async () => {
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
    // A turn whose transaction fails changes nothing.
    await store.putTimer(periodic('kept', 11));
    await store.putTimer(periodic('never', 12));
    db.exec('CREATE TRIGGER refuse BEFORE INSERT ON timers WHEN NEW.id = \'never\' BEGIN SELECT RAISE(ABORT, \'refused\'); END');
    await expect(store.sync()).rejects.toThrow('refused');
    db.exec('DROP TRIGGER refuse');

    // Assess: offsets ascending; a restarted store rebuilds the same index from the table.
    const expected = ['other', 'moved', 'kept'];
    expect(await read(store)).toEqual(expected);
    expect(await read(store, 300)).toEqual([]);
    const restarted = new SqliteTimerStore(db);
    expect(await read(restarted)).toEqual(expected);
    expect(restarted.countTimers(NOW)).toEqual({ periodic: 3, oneshot: 1 });
    expect((await readAll(store.queryPeriodic('shard0', 60, 7, 8))).ids).toEqual(['moved']);
    expect((await readAll(store.queryPeriodic('shard0', 60, 9, 10))).ids).toEqual(['kept']);
    expect(store.countTimers(NOW)).toEqual({ periodic: 3, oneshot: 1 });
    db.close();
  });
});

describe('SqliteTimerStore shard state', () => {
  test('every write to a shard shows in the next read of its state, though reads are served from memory', async () => {
    const db = openDatabase({ memory: true });
    try {
      const store = new SqliteTimerStore(db);
      const shard = 'shard0';
      expect(await store.getShardState(shard)).toBeUndefined();
      expect(await store.initShardState(shard, NOW)).toEqual({ shardId: shard, watermark: NOW, claimedUntil: NOW, intervals: [] });
      await store.registerInterval(shard, 60);
      expect((await store.getShardState(shard))?.intervals).toEqual([60]);

      const claim = { shardId: shard, owner: 'tick-1', nowMs: NOW, leaseUntil: NOW + 30_000, claimUntil: NOW + 65_000 };
      expect(await store.claimShard(claim)).toMatchObject({ leaseOwner: 'tick-1', claimedUntil: NOW + 65_000 });
      expect(await store.getShardState(shard)).toMatchObject({ leaseOwner: 'tick-1', leaseUntil: NOW + 30_000, claimedUntil: NOW + 65_000 });
      // A second claim while the lease holds is refused, and the state read afterwards is still the first claim's.
      expect(await store.claimShard({ ...claim, owner: 'tick-2' })).toBeUndefined();
      expect((await store.getShardState(shard))?.leaseOwner).toBe('tick-1');

      expect(await store.advanceWatermark(shard, 'tick-1', NOW, NOW + 60_000)).toBe(true);
      expect((await store.getShardState(shard))?.watermark).toBe(NOW + 60_000);
      await store.releaseShard(shard, 'tick-1');
      const released = await store.getShardState(shard);
      expect(released).toEqual({ shardId: shard, watermark: NOW + 60_000, claimedUntil: NOW + 65_000, intervals: [60] });

      // What memory serves is what the database holds: a second store on the same connection reads the same.
      expect(await new SqliteTimerStore(db).getShardState(shard)).toEqual(released);
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

  test('a failed write reports every entry of its turn as not accepted', async () => {
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
    expect(await first).toEqual(['0', '1']);
    expect(await second).toEqual(['2']);
    expect(errors).toHaveLength(1);
  });
});

describe('TurnWrites', () => {
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
    await store.putTimer(timer('kept'));
    const kept = queue.sendBatch([entry(0, at)]);
    const keptSync = store.sync();
    const beforeCommit = { timer: await store.getTimer('kept'), messages: queue.depth().messages };
    await keptSync;
    await store.putTimer(timer('lost'));
    const lost = queue.sendBatch([entry(1, at)]);
    writes.stage(() => {
      throw new Error('disk full');
    }, () => undefined);

    // Assess: nothing of the second turn was written; its writers hear of it.
    expect(beforeCommit).toEqual({ timer: undefined, messages: 0 });
    expect(await kept).toEqual([]);
    await expect(store.sync()).rejects.toThrow('disk full');
    expect(await lost).toEqual(['1']);
    expect((await store.getTimer('kept'))?.id).toBe('kept');
    expect(await store.getTimer('lost')).toBeUndefined();
    expect(queue.depth().messages).toBe(1);
    // A claim writes what is staged first, so a tick that claims reads every timer put before it.
    await store.putTimer(timer('claimed'));
    await store.claimShard({ shardId: timer('claimed').shardId, owner: 'tick', nowMs: NOW, leaseUntil: NOW + 1000, claimUntil: NOW + 60_000 });
    expect((await store.getTimer('claimed'))?.id).toBe('claimed');
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
    expect(await failing).toEqual(['2']);
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
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      const columns = (db.pragma('table_info(queue)') as Array<{ name: string }>).map((c) => c.name);
      expect(columns).toContain('kind');
      expect(columns).not.toContain('firing_id');
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name);
      expect(indexes.sort()).toEqual(['sqlite_autoindex_dead_letters_1', 'sqlite_autoindex_shards_1', 'timers_expiry', 'timers_oneshot']);
      // The periodic timer is found without its old index.
      expect((await readAll(new SqliteTimerStore(db).queryPeriodic('shard0', 60, 0, 60))).ids).toEqual(['every-minute']);
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

  test('a file of a newer version is refused, and left as it was', () => {
    // Prepare
    const file = firstReleaseFile();
    const newer = rawDatabase(file);
    newer.pragma('user_version = 99');
    newer.close();

    // Act and assess
    expect(() => openDatabase({ file })).toThrow(/written by a newer version of the timer service \(schema 99, this one reads up to 1\)/);
    const after = rawDatabase(file);
    expect((after.pragma('table_info(queue)') as Array<{ name: string }>).map((c) => c.name)).toContain('firing_id');
    after.close();
  });
});
