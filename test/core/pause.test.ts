/**
 * Pause and resume through the timer API (src/core/api.ts), with the ticks running: `POST /{kind}/{id}/pause` and
 * `/resume`, the states they show, the firings they stop and start (a periodic timer keeping its phase, none of the
 * paused span replayed), a one-shot resumed after its time (late, or dropped under `missedFirings: none`), and the
 * conditional write that never undoes a change made in between.
 */
import { TimerApi } from '../../src/core/api';
import { engineConfig } from '../../src/core/config';
import { Dispatcher } from '../../src/core/dispatch';
import { MetricName } from '../../src/core/names';
import { silentLog } from '../../src/core/ports';
import { Ticker } from '../../src/core/ticker';
import { ManualClock, MemoryTimerStore, RecordingMetrics, RecordingQueue } from '../support/memory-store';

/** A minute boundary. */
const T0 = 1_750_000_020_000;
const SHARDS = 2;
const MINUTE = 60_000;

function setup() {
  const config = engineConfig({ shardCount: SHARDS, periodSeconds: 60 });
  const clock = new ManualClock(T0);
  const store = new MemoryTimerStore({ pageSize: 2 });
  const queue = new RecordingQueue({ clock });
  const metrics = new RecordingMetrics();
  const dispatcher = new Dispatcher({ queue, clock, concurrency: 2, metrics, log: silentLog });
  const api = new TimerApi(config, { store, dispatcher, clock, metrics, log: silentLog });
  const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log: silentLog });
  const call = async (method: string, path: string, body?: unknown) =>
    api.handle({ method, path, ...(body !== undefined && { body: JSON.stringify(body) }) });
  /** Runs every shard's tick once a minute (plus 100 ms) from now up to `untilMs`. */
  const tickUntil = async (untilMs: number) => {
    for (let t = Math.floor(clock.now() / MINUTE) * MINUTE + MINUTE + 100; t <= untilMs; t += MINUTE) {
      clock.set(t);
      for (let s = 0; s < SHARDS; s++) await ticker.tick(`shard${s}`);
    }
    clock.set(untilMs);
  };
  return { config, clock, store, queue, metrics, api, ticker, call, tickUntil };
}

function sentOf(queue: RecordingQueue, id: string): number[] {
  return queue.sent.filter((e) => e.attributes.TimerId === id).map((e) => e.scheduledAt).sort((a, b) => a - b);
}

describe('pause and resume', () => {
  test('a paused periodic timer stops firing; resumed, it fires on its phase again, with none of the paused span', async () => {
    const { clock, queue, call, tickUntil, config } = setup();
    expect((await call('PUT', '/periodic/p', { timerCallbackData: 1, interval: 10, offset: 3 })).statusCode).toBe(200);
    await tickUntil(T0 + 5 * MINUTE);
    const pausedAt = clock.now();
    const paused = await call('POST', '/periodic/p/pause');
    expect(paused).toMatchObject({ statusCode: 200, body: { id: 'p', state: 'paused', nextFireAt: null, pausedAt: new Date(pausedAt).toISOString() } });
    // Pausing again changes nothing.
    clock.advance(1000);
    expect(await call('POST', '/periodic/p/pause')).toEqual(paused);
    expect((await call('GET', '/periodic/p')).body).toEqual(paused.body);

    await tickUntil(T0 + 30 * MINUTE);
    // What the ticks queued before the pause still arrives: up to their look-ahead past it, no further.
    const queuedBeforePause = sentOf(queue, 'p');
    expect(queuedBeforePause[queuedBeforePause.length - 1]).toBeLessThan(pausedAt + config.lookAheadMs);
    expect(queuedBeforePause[queuedBeforePause.length - 1]).toBeGreaterThan(pausedAt);

    const resumedAt = clock.now();
    const resumed = await call('POST', '/periodic/p/resume');
    expect(resumed).toMatchObject({ statusCode: 200, body: { state: 'active', offset: 3 } });
    expect(resumed.body).not.toHaveProperty('pausedAt');
    expect(await call('POST', '/periodic/p/resume')).toEqual(resumed);
    await tickUntil(T0 + 40 * MINUTE);
    const after = sentOf(queue, 'p').filter((t) => t >= resumedAt);
    // Every occurrence from the resume on, on its phase, each once; nothing of the paused span.
    const expected: number[] = [];
    for (let t = Math.ceil(resumedAt / 1000); t * 1000 < T0 + 40 * MINUTE; t++) if (t % 10 === 3) expected.push(t * 1000);
    expect(after.slice(0, expected.length)).toEqual(expected);
    expect(new Set(sentOf(queue, 'p')).size).toBe(sentOf(queue, 'p').length);
    expect(sentOf(queue, 'p').filter((t) => t >= pausedAt + config.lookAheadMs && t < resumedAt)).toEqual([]);
  });

  test('a paused cron timer shows no next firing and is not sent; resumed, it fires from then on', async () => {
    const { clock, queue, call, tickUntil } = setup();
    await call('PUT', '/cron/c', { timerCallbackData: 'c', cron: '*/30 * * * * *' });
    await call('POST', '/cron/c/pause');
    expect((await call('GET', '/cron/c')).body).toMatchObject({ state: 'paused', nextFireAt: null });
    const queued = sentOf(queue, 'c').length;
    await tickUntil(T0 + 20 * MINUTE);
    expect(sentOf(queue, 'c').length).toBe(queued);
    const resumedAt = clock.now();
    expect((await call('POST', '/cron/c/resume')).body).toMatchObject({ state: 'active', nextFireAt: new Date(resumedAt).toISOString() });
    await tickUntil(T0 + 30 * MINUTE);
    // Cron firings are sent ahead: those of the ten minutes after the resume, each once, on its second.
    expect(sentOf(queue, 'c').filter((t) => t >= resumedAt && t < T0 + 30 * MINUTE)).toEqual(Array.from({ length: 20 }, (_, i) => resumedAt + i * 30_000));
  });

  test('a one-shot resumed after its fireAt fires at once, late and counted', async () => {
    const { clock, queue, metrics, call, tickUntil } = setup();
    const fireAt = T0 + 20 * MINUTE;
    await call('PUT', '/oneshot/o', { timerCallbackData: 'o', at: new Date(fireAt).toISOString() });
    expect((await call('POST', '/oneshot/o/pause')).body).toMatchObject({ state: 'paused' });
    await tickUntil(fireAt + 10 * MINUTE);
    expect(sentOf(queue, 'o')).toEqual([]);
    // Kept past its retention while paused.
    expect((await call('GET', '/oneshot/o')).body).toMatchObject({ state: 'paused' });
    const lateBefore = metrics.count(MetricName.LATE_FIRINGS);
    expect((await call('POST', '/oneshot/o/resume')).body).toMatchObject({ state: 'fired' });
    expect(queue.sent.filter((e) => e.attributes.TimerId === 'o')).toMatchObject([{ scheduledAt: fireAt, delaySeconds: 0, sentAt: clock.now() }]);
    expect(metrics.count(MetricName.LATE_FIRINGS)).toBe(lateBefore + 1);
    await tickUntil(fireAt + 20 * MINUTE);
    expect(sentOf(queue, 'o')).toEqual([fireAt]);
  });

  test('under missedFirings none, a one-shot resumed after its fireAt does not fire, and is counted as dropped', async () => {
    const { queue, metrics, call, tickUntil } = setup();
    const fireAt = T0 + 20 * MINUTE;
    await call('PUT', '/oneshot/o', { timerCallbackData: 'o', at: new Date(fireAt).toISOString(), missedFirings: 'none' });
    await call('POST', '/oneshot/o/pause');
    await tickUntil(fireAt + 10 * MINUTE);
    expect((await call('POST', '/oneshot/o/resume')).body).toMatchObject({ state: 'fired', missedFirings: 'none' });
    await tickUntil(fireAt + 20 * MINUTE);
    expect(sentOf(queue, 'o')).toEqual([]);
    expect(metrics.count(MetricName.FIRINGS_DROPPED_NONE)).toBe(1);
  });

  test('a one-shot resumed before its fireAt fires on time, once; one the PUT had already queued is not sent again', async () => {
    const { clock, queue, call, tickUntil } = setup();
    await call('PUT', '/oneshot/later', { timerCallbackData: 1, at: new Date(T0 + 30 * MINUTE).toISOString() });
    await call('PUT', '/oneshot/soon', { timerCallbackData: 1, delaySeconds: 60 });
    expect(sentOf(queue, 'soon')).toEqual([T0 + MINUTE]);
    await call('POST', '/oneshot/later/pause');
    await call('POST', '/oneshot/soon/pause');
    clock.advance(5 * MINUTE);
    await call('POST', '/oneshot/later/resume');
    await call('POST', '/oneshot/soon/resume');
    await tickUntil(T0 + 40 * MINUTE);
    expect(sentOf(queue, 'later')).toEqual([T0 + 30 * MINUTE]);
    expect(queue.sent.find((e) => e.attributes.TimerId === 'later')?.sentAt).toBeLessThan(T0 + 30 * MINUTE);
    expect(sentOf(queue, 'soon')).toEqual([T0 + MINUTE]);
  });

  test('a PUT over a paused timer replaces it and leaves it active', async () => {
    const { call } = setup();
    await call('PUT', '/periodic/p', { timerCallbackData: 1 });
    await call('POST', '/periodic/p/pause');
    // The same definition as stored: not a no-op while paused.
    expect((await call('PUT', '/periodic/p', { timerCallbackData: 1 })).body).toMatchObject({ state: 'active' });
    expect((await call('GET', '/periodic/p')).body).not.toHaveProperty('pausedAt');
  });

  test.each([
    ['GET', '/periodic/p/pause', 405, 'method GET is not allowed on /periodic/p/pause: use POST'],
    ['POST', '/periodic/p', 405, 'method POST is not allowed on /periodic/p: use PUT, GET or DELETE'],
    ['POST', '/periodic/none/pause', 404, 'no periodic timer with id "none"'],
    ['POST', '/oneshot/p/resume', 404, 'no oneshot timer with id "p"'],
    ['POST', '/periodic/p/stop', 404, 'no route for /periodic/p/stop: use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume'],
  ])('%s %s answers %d', async (method, path, statusCode, message) => {
    const { call } = setup();
    await call('PUT', '/periodic/p', { timerCallbackData: 1 });
    expect(await call(method, path)).toEqual({ statusCode, body: { message } });
  });

  test('a fired one-shot and an ended periodic timer cannot be paused: 409', async () => {
    const { clock, call } = setup();
    await call('PUT', '/oneshot/o', { timerCallbackData: 1, delaySeconds: 10 });
    await call('PUT', '/periodic/p', { timerCallbackData: 1, endAt: new Date(T0 + MINUTE).toISOString() });
    clock.advance(2 * MINUTE);
    expect(await call('POST', '/oneshot/o/pause')).toEqual({ statusCode: 409, body: { message: 'the oneshot timer "o" has fired: there is nothing left to pause' } });
    expect(await call('POST', '/periodic/p/pause')).toEqual({ statusCode: 409, body: { message: 'the periodic timer "p" has ended: there is nothing left to pause' } });
  });

  test('a change made between the read and the write is not undone: the pause is decided again on what is stored', async () => {
    const { store, call } = setup();
    await call('PUT', '/periodic/p', { timerCallbackData: 'old' });
    const replace = store.replaceTimer.bind(store);
    let raced = false;
    store.replaceTimer = async (expected, next) => {
      if (!raced) {
        raced = true;
        // A PUT of new data lands first.
        await store.putTimer({ ...expected, data: '"new"', createdAt: expected.createdAt + 1 });
      }
      return replace(expected, next);
    };
    expect((await call('POST', '/periodic/p/pause')).body).toMatchObject({ state: 'paused', timerCallbackData: 'new' });
    expect(await store.getTimer('p')).toMatchObject({ data: '"new"', pausedAt: expect.any(Number) });
  });
});
