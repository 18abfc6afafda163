/**
 * Ended periodic timers on SQLite, with the engine's own API and ticks on a clock the test moves: a tick takes a
 * timer that ended out of the schedule once it sent its last firing, a restart does not put it back, and no tick
 * reads it again; GET still answers it as ended until it expires, then 404, and it is forgotten. A timer that ended
 * while the runtime was stopped keeps its place until the ticks have sent its last firings.
 */
import type { Database } from 'better-sqlite3';
import {
  Clock, Dispatcher, MessageAttribute, PeriodicTimer, Ticker, TimerApi, TimerPages, engineConfig, noMetrics, silentLog,
} from '../../src/core';
import { openDatabase } from '../../src/local/database';
import { SqliteQueue } from '../../src/local/queue';
import { SqliteTimerStore } from '../../src/local/store';
import { TurnWrites } from '../../src/local/turn-writes';

const RETENTION_MS = 60_000;
const config = engineConfig({
  shardCount: 1,
  periodSeconds: 10,
  lookAheadMarginMs: 5000,
  indexLagToleranceMs: 0,
  createWithinMs: 2000,
  oneShotRetentionMs: RETENTION_MS,
});

class TestClock implements Clock {
  constructor(public nowMs: number) {}
  now(): number {
    return this.nowMs;
  }
  async sleep(ms: number): Promise<void> {
    this.nowMs += ms;
  }
}

/** A store that records which timers its periodic reads returned. */
class RecordingStore extends SqliteTimerStore {
  readonly read: string[] = [];
  async *queryPeriodic(shardId: string, interval: number, offsetFrom: number, offsetTo: number, after?: string): TimerPages {
    for await (const page of super.queryPeriodic(shardId, interval, offsetFrom, offsetTo, after)) {
      this.read.push(...page.timers.map((t) => t.id));
      yield page;
    }
  }
}

/** The engine on one database: a store (new ones model a restart), the queue, an API and a ticker on them. */
class World {
  readonly clock: TestClock;
  readonly writes: TurnWrites;
  readonly queue: SqliteQueue;
  store!: RecordingStore;
  api!: TimerApi;
  ticker!: Ticker;

  constructor(readonly db: Database, startMs: number) {
    this.clock = new TestClock(startMs);
    this.writes = new TurnWrites(db);
    this.queue = new SqliteQueue(db, this.writes);
    this.restart();
  }

  restart(): void {
    this.store = new RecordingStore(this.db, this.writes);
    this.store.releaseAllLeases();
    const deps = { store: this.store, clock: this.clock, metrics: noMetrics, log: silentLog };
    const dispatcher = new Dispatcher({ ...deps, queue: this.queue, concurrency: 4 });
    this.api = new TimerApi(config, { ...deps, dispatcher });
    this.ticker = new Ticker(config, { ...deps, dispatcher });
  }

  async put(id: string, body: Record<string, unknown>): Promise<void> {
    const answer = await this.api.handle({ method: 'PUT', path: `/periodic/${id}`, body: JSON.stringify({ timerCallbackData: id, interval: 1, ...body }) });
    expect(answer.statusCode).toBe(200);
  }

  get(id: string): Promise<{ statusCode: number; body: any }> {
    return this.api.handle({ method: 'GET', path: `/periodic/${id}` });
  }

  /** Ticks at each instant; returns the timers the ticks retired. */
  async tickAt(...instants: number[]): Promise<number> {
    let retired = 0;
    for (const at of instants) {
      this.clock.nowMs = at;
      retired += (await this.ticker.tick('shard0')).retired;
    }
    return retired;
  }

  /** The instants of the firings of `id` queued so far, each as often as it is queued. */
  firingsOf(id: string): number[] {
    return this.queue
      .claim(Number.MAX_SAFE_INTEGER, 100_000, 1)
      .filter((m) => m.attributes[MessageAttribute.TIMER_ID] === id)
      .map((m) => m.scheduledAt)
      .sort((a, b) => a - b);
  }

  idsInSchedule(): Promise<string[]> {
    return (async () => {
      const ids: string[] = [];
      for (const interval of await this.store.listIntervals('shard0', this.clock.nowMs)) {
        for await (const page of this.store.queryPeriodic('shard0', interval, 0, interval)) ids.push(...page.timers.map((t) => t.id));
      }
      return ids.sort();
    })();
  }
}

const seconds = (from: number, to: number): number[] => Array.from({ length: (to - from) / 1000 }, (_, i) => from + i * 1000);

describe('ended periodic timers on SQLite', () => {
  let db: Database;
  // On a whole period, so that windows start on it, and some minutes ago: the timers have ended by the wall clock too,
  // as after a real stop.
  const T0 = Math.floor((Date.now() - 600_000) / 10_000) * 10_000;

  beforeEach(() => {
    db = openDatabase({ memory: true });
  });
  afterEach(() => db.close());

  test('retired once its last firing is sent, not indexed again at restart nor read by a tick, read as ended until it expires, then 404', async () => {
    // Prepare: one timer ending 30 s in, one without an end; ticks every period up to past the end.
    const world = new World(db, T0);
    await world.put('ending', { endAt: new Date(T0 + 30_000).toISOString() });
    await world.put('steady', {});

    // Act
    const retired = await world.tickAt(T0, T0 + 10_000, T0 + 20_000, T0 + 30_000);

    // Assess: every firing up to its end was queued once, and then it left the schedule.
    expect(world.firingsOf('ending')).toEqual(seconds(T0, T0 + 30_000));
    expect(retired).toBe(1);
    expect(await world.idsInSchedule()).toEqual(['steady']);
    expect(await world.store.listIntervals('shard0', T0 + 30_000)).toEqual([1]);

    // A restart rebuilds the schedule without it, and the next tick does not read it.
    world.restart();
    expect(await world.idsInSchedule()).toEqual(['steady']);
    world.store.read.length = 0;
    await world.tickAt(T0 + 40_000);
    expect(world.store.read).toContain('steady');
    expect(world.store.read).not.toContain('ending');

    // Still stored, counted and readable as ended until it expires (its end plus the retention), then not.
    expect(world.store.countTimers(T0 + 40_000)).toEqual({ periodic: 2, oneshot: 0, cron: 0 });
    const expiresAt = T0 + 30_000 + RETENTION_MS;
    world.clock.nowMs = expiresAt - 1;
    const ended = await world.get('ending');
    expect(ended.statusCode).toBe(200);
    expect(ended.body).toMatchObject({ id: 'ending', state: 'ended', nextFireAt: null, endAt: new Date(T0 + 30_000).toISOString() });
    expect((await world.get('steady')).body.state).toBe('active');
    world.clock.nowMs = expiresAt;
    expect((await world.get('ending')).statusCode).toBe(404);
    expect(world.store.countTimers(expiresAt)).toEqual({ periodic: 1, oneshot: 0, cron: 0 });

    // Then forgotten for good.
    expect(world.store.deleteExpired(expiresAt)).toBe(1);
    expect(await world.store.getTimer('ending')).toBeUndefined();
    expect(world.store.countTimers(expiresAt)).toEqual({ periodic: 1, oneshot: 0, cron: 0 });
  });

  test('a timer that ended while the runtime was stopped is still read by the catch-up, which sends its last firings', async () => {
    // Prepare: ticks up to T0 + 20 s dispatched to T0 + 35 s; the timer ends at T0 + 50 s; the runtime stops.
    const world = new World(db, T0);
    await world.put('ending', { endAt: new Date(T0 + 50_000).toISOString() });
    await world.tickAt(T0, T0 + 10_000, T0 + 20_000);

    // Act: restarted after the end.
    world.restart();
    const inScheduleAtRestart = await world.idsInSchedule();
    const retired = await world.tickAt(T0 + 70_000);

    // Assess: the catch-up sent the firings it still owed, then retired it.
    expect(inScheduleAtRestart).toEqual(['ending']);
    expect(world.firingsOf('ending')).toEqual(seconds(T0, T0 + 50_000));
    expect(retired).toBe(1);
    expect(await world.idsInSchedule()).toEqual([]);
  });

  test('a timer replaced since a tick read it is not retired', async () => {
    // Prepare
    const world = new World(db, T0);
    await world.put('renewed', { endAt: new Date(T0 + 5000).toISOString() });
    const ended = (await world.store.getTimer('renewed')) as PeriodicTimer;
    world.clock.nowMs = T0 + 1000;
    await world.put('renewed', { endAt: new Date(T0 + 3_600_000).toISOString() });

    // Act: the version read before the PUT is retired.
    await world.store.retireTimers([ended]);

    // Assess
    expect(await world.idsInSchedule()).toEqual(['renewed']);
  });
});
