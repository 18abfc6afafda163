/**
 * The timer API (src/core/api.ts) against the in-memory store: the routes and their JSON, refusals, and
 * invariant 4 (a timer created inside a span a tick already dispatched or claimed is sent by the API itself).
 */
import { TimerApi } from '../../src/core/api';
import { engineConfig } from '../../src/core/config';
import { Dispatcher } from '../../src/core/dispatch';
import { defaultOffsetOf, shardOf } from '../../src/core/hash';
import { MetricName } from '../../src/core/names';
import { silentLog } from '../../src/core/ports';
import { Ticker } from '../../src/core/ticker';
import { ManualClock, MemoryTimerStore, RecordingMetrics, RecordingQueue } from '../support/memory-store';

/** A minute boundary. */
const T0 = 1_750_000_020_000;
const NOW = T0 + 12_345;
const SHARDS = 4;

function setup() {
  const config = engineConfig({ shardCount: SHARDS, periodSeconds: 60 });
  const store = new MemoryTimerStore({ pageSize: 2 });
  const clock = new ManualClock(NOW);
  const queue = new RecordingQueue({ clock });
  const metrics = new RecordingMetrics();
  const dispatcher = new Dispatcher({ queue, clock, concurrency: 2, metrics, log: silentLog });
  const api = new TimerApi(config, { store, dispatcher, clock, metrics, log: silentLog });
  const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
  const put = (path: string, body: unknown) => api.handle({ method: 'PUT', path, body: JSON.stringify(body) });
  return { config, store, clock, queue, metrics, api, ticker, put };
}

/** The first whole second t >= ms with t mod interval = offset, found by counting. */
function nextAligned(ms: number, interval: number, offset: number): number {
  let t = Math.ceil(ms / 1000);
  while (t % interval !== offset) t++;
  return t * 1000;
}

describe('TimerApi routes', () => {
  test('PUT, GET and DELETE a periodic timer, in the seed-compatible JSON view', async () => {
    const { api, put, store, metrics } = setup();
    const expected = {
      id: 'job-1',
      kind: 'periodic',
      shardId: shardOf('job-1', SHARDS),
      timeShardId: '7:job-1',
      timerCallbackData: { x: [1, 'é'] },
      createdAt: new Date(NOW).toISOString(),
      interval: 30,
      offset: 7,
      startAt: undefined,
      endAt: undefined,
      nextFireAt: new Date(nextAligned(NOW, 30, 7)).toISOString(),
    };
    expect(await put('/periodic/job-1', { timerCallbackData: { x: [1, 'é'] }, interval: 30, offset: 7 })).toEqual({ statusCode: 200, body: expected });
    expect(await api.handle({ method: 'GET', path: '/periodic/job-1' })).toEqual({ statusCode: 200, body: expected });
    expect(await api.handle({ method: 'DELETE', path: '/periodic/job-1' })).toEqual({ statusCode: 200, body: { id: 'job-1' } });
    expect(store.timers.size).toBe(0);
    expect(await api.handle({ method: 'GET', path: '/periodic/job-1' })).toEqual({ statusCode: 404, body: { message: 'no periodic timer with id "job-1"' } });
    expect(await api.handle({ method: 'DELETE', path: '/periodic/job-1' })).toEqual({ statusCode: 404, body: { message: 'no periodic timer with id "job-1"' } });
    expect(metrics.count(MetricName.TIMERS_CREATED)).toBe(1);
    expect(metrics.count(MetricName.TIMERS_DELETED)).toBe(1);
  });

  test('defaults: the deployment period and a hashed offset, shown as timeShardId {offset}:{id}', async () => {
    const { put } = setup();
    const { body } = await put('/periodic/abc', { timerCallbackData: null });
    const offset = defaultOffsetOf('abc', 60);
    expect(body).toMatchObject({ interval: 60, offset, timeShardId: `${offset}:abc`, timerCallbackData: null, nextFireAt: new Date(nextAligned(NOW, 60, offset)).toISOString() });
  });

  test('startAt and endAt are shown, and nextFireAt is null once the timer has ended', async () => {
    const { put, api, clock } = setup();
    const body = { timerCallbackData: 1, interval: 10, offset: 0, startAt: '2025-06-15T15:10:00Z', endAt: '2025-06-15T15:20:00Z' };
    clock.set(Date.parse('2025-06-15T15:00:00Z'));
    expect((await put('/periodic/bounded', body)).body).toMatchObject({ startAt: '2025-06-15T15:10:00.000Z', endAt: '2025-06-15T15:20:00.000Z', nextFireAt: '2025-06-15T15:10:00.000Z' });
    clock.set(Date.parse('2025-06-15T15:20:00Z'));
    expect((await api.handle({ method: 'GET', path: '/periodic/bounded' })).body).toMatchObject({ nextFireAt: null });
  });

  test('a percent-encoded id is decoded; the two kinds do not see each other', async () => {
    const { put, api } = setup();
    expect((await put('/periodic/user%40host%3Adaily', { timerCallbackData: 1 })).body).toMatchObject({ id: 'user@host:daily' });
    expect((await api.handle({ method: 'GET', path: '/periodic/user@host:daily/' })).statusCode).toBe(200);
    expect(await api.handle({ method: 'GET', path: '/oneshot/user@host:daily' })).toEqual({ statusCode: 404, body: { message: 'no oneshot timer with id "user@host:daily"' } });
    expect((await api.handle({ method: 'DELETE', path: '/oneshot/user@host:daily' })).statusCode).toBe(404);
  });

  test.each([
    ['POST', '/periodic/a', 405, 'method POST is not allowed on /periodic/a: use PUT, GET or DELETE'],
    ['PATCH', '/oneshot/a', 405, 'method PATCH is not allowed on /oneshot/a: use PUT, GET or DELETE'],
    ['GET', '/timers/a', 404, 'no route for /timers/a: use /periodic/{id} or /oneshot/{id}'],
    ['GET', '/periodic/', 404, 'no route for /periodic/: use /periodic/{id} or /oneshot/{id}'],
    ['GET', '/periodic/a/b', 404, 'no route for /periodic/a/b: use /periodic/{id} or /oneshot/{id}'],
    ['GET', '/periodic/%E0%A4%A', 400, 'the timer id in /periodic/%E0%A4%A is not valid percent-encoding'],
    ['GET', '/periodic/a%20b', 400, 'invalid timer id "a b": use 1 to 128 characters of A-Z a-z 0-9 . _ - : @'],
  ])('%s %s answers %d', async (method, path, statusCode, message) => {
    const { api } = setup();
    expect(await api.handle({ method, path })).toEqual({ statusCode, body: { message } });
  });

  test('a refused PUT stores nothing and sends nothing', async () => {
    const { put, store, queue, api } = setup();
    expect((await put('/periodic/a', { timerCallbackData: 1, interval: 0 })).statusCode).toBe(400);
    expect((await put('/oneshot/a', { timerCallbackData: 'x'.repeat(300_000), delaySeconds: 1 })).statusCode).toBe(413);
    expect((await api.handle({ method: 'PUT', path: '/oneshot/a', body: '{' })).statusCode).toBe(400);
    expect(store.timers.size).toBe(0);
    expect(queue.calls).toHaveLength(0);
  });

  test('an internal failure answers 500 without leaking the error', async () => {
    const { store, put } = setup();
    store.putTimer = async () => {
      throw new Error('secret connection string');
    };
    expect(await put('/periodic/a', { timerCallbackData: 1 })).toEqual({ statusCode: 500, body: { message: 'internal error; the request may be retried' } });
  });
});

describe('TimerApi with a store that commits its writes together', () => {
  test('a PUT answers only once the store says its writes are durable, and fails if they could not be made so', async () => {
    // Prepare: a store whose sync is held open, then failed.
    const { api, store, metrics, put } = setup();
    let finishSync!: (error?: Error) => void;
    const syncCalls: number[] = [];
    Object.assign(store, {
      sync: () => {
        syncCalls.push(store.timers.size);
        return new Promise<void>((resolve, reject) => {
          finishSync = (error) => (error ? reject(error) : resolve());
        });
      },
    });

    // Act: the first PUT's writes commit, the second's do not.
    let answered = false;
    const first = put('/periodic/synced', { timerCallbackData: 1 }).then((answer) => {
      answered = true;
      return answer;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const answeredBeforeSync = answered;
    finishSync();
    const firstAnswer = await first;
    const second = put('/periodic/unsynced', { timerCallbackData: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    finishSync(new Error('disk I/O error'));

    // Assess
    expect(answeredBeforeSync).toBe(false);
    expect(syncCalls).toEqual([1, 2]);
    expect(firstAnswer.statusCode).toBe(200);
    expect(await second).toEqual({ statusCode: 500, body: { message: expect.any(String) } });
    expect(metrics.counts.get(MetricName.TIMERS_CREATED)).toBe(1);
    expect((await api.handle({ method: 'GET', path: '/periodic/synced' })).statusCode).toBe(200);
  });
});

describe('TimerApi one-shot timers', () => {
  test('reads as scheduled, then fired after fireAt, then 404 once expired', async () => {
    const { put, api, clock, config } = setup();
    const fireAt = NOW + 30_000;
    expect((await put('/oneshot/o1', { timerCallbackData: { n: 1 }, delaySeconds: 30 })).body).toEqual({
      id: 'o1',
      kind: 'oneshot',
      shardId: shardOf('o1', SHARDS),
      timerCallbackData: { n: 1 },
      createdAt: new Date(NOW).toISOString(),
      fireAt: new Date(fireAt).toISOString(),
      state: 'scheduled',
    });
    clock.set(fireAt);
    expect((await api.handle({ method: 'GET', path: '/oneshot/o1' })).body).toMatchObject({ state: 'fired' });
    clock.set(fireAt + config.oneShotRetentionMs - 1);
    expect((await api.handle({ method: 'GET', path: '/oneshot/o1' })).body).toMatchObject({ state: 'fired' });
    clock.set(fireAt + config.oneShotRetentionMs);
    expect((await api.handle({ method: 'GET', path: '/oneshot/o1' })).statusCode).toBe(404);
    expect((await api.handle({ method: 'DELETE', path: '/oneshot/o1' })).statusCode).toBe(404);
  });
});

describe('TimerApi invariant 4: timers created inside an already dispatched span', () => {
  test('a periodic timer gets its firings up to the watermark sent directly, and the ticks send the rest, each once', async () => {
    const { put, queue, clock, ticker, store } = setup();
    const shardId = shardOf('late', SHARDS);
    clock.set(T0);
    const first = await ticker.tick(shardId);
    expect(first.watermark).toBe(T0 + 120_000);

    clock.set(NOW);
    await put('/periodic/late', { timerCallbackData: { hello: 'world' }, interval: 10, offset: 3 });
    const direct = queue.sent.map((e) => e.scheduledAt);
    const expectedDirect: number[] = [];
    for (let t = nextAligned(NOW, 10, 3); t < first.watermark; t += 10_000) expectedDirect.push(t);
    expect(direct).toEqual(expectedDirect);
    for (const entry of queue.sent) {
      expect(entry.delaySeconds).toBe(Math.ceil((entry.scheduledAt - NOW) / 1000));
      expect(entry.body).toBe('{"hello":"world"}');
      expect(entry.attributes).toEqual({ TimerId: 'late', TimerKind: 'periodic', ScheduledAt: String(entry.scheduledAt), FiringId: `late@${entry.scheduledAt}` });
    }

    let watermark = first.watermark;
    for (let k = 1; k <= 4; k++) {
      clock.set(T0 + k * 60_000 + 100);
      watermark = (await ticker.tick(shardId)).watermark;
    }
    const all: number[] = [];
    for (let t = nextAligned(NOW, 10, 3); t < watermark; t += 10_000) all.push(t);
    expect(queue.sent.map((e) => e.scheduledAt).sort((a, b) => a - b)).toEqual(all);
    expect(store.timers.get('late')).toMatchObject({ kind: 'periodic', createdAt: NOW });
  });

  test('a span claimed by a tick in progress counts as dispatched', async () => {
    const { put, queue, store } = setup();
    const shardId = shardOf('claimed', SHARDS);
    await store.initShardState(shardId, T0);
    await store.claimShard({ shardId, owner: 'tick-in-progress', nowMs: NOW, leaseUntil: NOW + 60_000, claimUntil: T0 + 180_000 });
    await put('/periodic/claimed', { timerCallbackData: 1, interval: 60, offset: 30 });
    expect(queue.sent.map((e) => e.scheduledAt)).toEqual([T0 + 30_000, T0 + 90_000, T0 + 150_000]);
  });

  test('nothing is sent directly for a timer whose firings all fall after the dispatched span', async () => {
    const { put, queue, store } = setup();
    await store.initShardState(shardOf('ahead', SHARDS), T0 + 20_000);
    await put('/periodic/ahead', { timerCallbackData: 1, interval: 60, offset: 30 });
    await put('/oneshot/ahead-once', { timerCallbackData: 1, delaySeconds: 3600 });
    expect(queue.calls).toHaveLength(0);
  });

  test('replacing a timer with the same schedule sends nothing again; a changed schedule sends its own firings', async () => {
    const { put, queue, clock, ticker } = setup();
    const shardId = shardOf('rep', SHARDS);
    clock.set(T0);
    await ticker.tick(shardId);
    clock.set(NOW);
    const body = { timerCallbackData: { v: 1 }, interval: 20, offset: 5 };
    await put('/periodic/rep', body);
    const sentOnce = queue.sent.length;
    expect(sentOnce).toBeGreaterThan(0);

    clock.advance(1_000);
    await put('/periodic/rep', body);
    expect(queue.sent).toHaveLength(sentOnce);

    await put('/periodic/rep', { ...body, offset: 6 });
    const changed = queue.sent.slice(sentOnce).map((e) => e.scheduledAt);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((t) => (t / 1000) % 20 === 6)).toBe(true);
  });

  test('a one-shot due inside the dispatched span is sent directly with its delay, and not again by the tick', async () => {
    const { put, queue, clock, ticker } = setup();
    const shardId = shardOf('soon', SHARDS);
    clock.set(T0);
    await ticker.tick(shardId);
    clock.set(NOW);
    await put('/oneshot/soon', { timerCallbackData: 'ring', delaySeconds: 30 });
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({
      body: '"ring"',
      delaySeconds: 30,
      scheduledAt: NOW + 30_000,
      attributes: { TimerId: 'soon', TimerKind: 'oneshot', ScheduledAt: String(NOW + 30_000), FiringId: `soon@${NOW + 30_000}` },
    });
    clock.set(T0 + 60_100);
    await ticker.tick(shardId);
    expect(queue.sent.filter((e) => e.attributes.TimerId === 'soon')).toHaveLength(1);
  });

  test('a one-shot a little in the past on a fresh shard goes out at once, and the first tick does not repeat it', async () => {
    const { put, queue, clock, ticker } = setup();
    const at = new Date(NOW - 3_000).toISOString();
    await put('/oneshot/skewed', { timerCallbackData: 1, at });
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({ delaySeconds: 0, scheduledAt: NOW - 3_000 });
    clock.advance(1_000);
    await ticker.tick(shardOf('skewed', SHARDS));
    expect(queue.sent).toHaveLength(1);
  });

  test('a PUT whose direct firings the queue refuses answers 500 so the client retries', async () => {
    const { put, queue, clock, ticker } = setup();
    clock.set(T0);
    await ticker.tick(shardOf('refused', SHARDS));
    clock.set(NOW);
    queue.refuse = () => true;
    expect((await put('/oneshot/refused', { timerCallbackData: 1, delaySeconds: 5 })).statusCode).toBe(500);
  });
});
