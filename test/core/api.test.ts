/**
 * The timer API (src/core/api.ts) against the in-memory store: the routes and their JSON, refusals, and who sends
 * which firing: the API before a new timer's `tickFrom`, the ticks from it, each firing once, even when the index
 * lags writes (invariants 4 and 9), and a 200 after failed attempts still guaranteeing every firing (invariant 7).
 */
import fc from 'fast-check';
import { TimerApi } from '../../src/core/api';
import { engineConfig } from '../../src/core/config';
import { Dispatcher } from '../../src/core/dispatch';
import { defaultOffsetOf, shardOf } from '../../src/core/hash';
import { MetricName } from '../../src/core/names';
import { silentLog } from '../../src/core/ports';
import { firingsInWindow } from '../../src/core/schedule';
import { Ticker } from '../../src/core/ticker';
import { ManualClock, MemoryTimerStore, RecordingMetrics, RecordingQueue } from '../support/memory-store';

/** A minute boundary. */
const T0 = 1_750_000_020_000;
const NOW = T0 + 12_345;
const SHARDS = 4;

/** The engine over the in-memory store; with `indexLag`, the store's schedule reads lag writes by `lagMs`. */
function setup(indexLag?: { readonly lagMs: number; readonly toleranceMs: number }) {
  const config = engineConfig({ shardCount: SHARDS, periodSeconds: 60, indexLagToleranceMs: indexLag?.toleranceMs });
  const clock = new ManualClock(NOW);
  const store = new MemoryTimerStore({ pageSize: 2, ...(indexLag && { indexLag: { clock, lagMs: indexLag.lagMs } }) });
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
      state: 'active',
      missedFirings: 'all',
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
    ['GET', '/timers/a', 404, 'no route for /timers/a: use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume'],
    ['GET', '/periodic/', 404, 'no route for /periodic/: use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume'],
    ['GET', '/periodic/a/b', 404, 'no route for /periodic/a/b: use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume'],
    ['GET', '/periodic/%E0%A4%A', 400, 'the timer id in /periodic/%E0%A4%A is not valid percent-encoding'],
    ['GET', '/periodic/a%20b', 400, 'invalid timer id "a b": use 1 to 128 characters of A-Z a-z 0-9 . _ - : @'],
  ])('%s %s answers %d', async (method, path, statusCode, message) => {
    const { api } = setup();
    expect(await api.handle({ method, path })).toEqual({ statusCode, body: { message } });
  });

  test('a 404 names the routes the host serves besides the timer routes, after them', async () => {
    const { config, store, clock, metrics } = setup();
    const dispatcher = new Dispatcher({ queue: new RecordingQueue({ clock }), clock, concurrency: 1, metrics, log: silentLog });
    const api = new TimerApi(config, { store, dispatcher, clock, metrics, log: silentLog, otherRoutes: ['GET /healthz', 'GET /status'] });
    expect(await api.handle({ method: 'DELETE', path: '/nowhere' })).toEqual({
      statusCode: 404,
      body: { message: 'no route for /nowhere: use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume, or GET /healthz, GET /status' },
    });
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
    let finishSync: ((error?: Error) => void) | undefined;
    const syncCalled = async (): Promise<(error?: Error) => void> => {
      while (!finishSync) await new Promise((resolve) => setImmediate(resolve));
      const finish = finishSync;
      finishSync = undefined;
      return finish;
    };
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
    const finishFirst = await syncCalled();
    const answeredBeforeSync = answered;
    finishFirst();
    const firstAnswer = await first;
    const second = put('/periodic/unsynced', { timerCallbackData: 2 });
    (await syncCalled())(new Error('disk I/O error'));

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
      missedFirings: 'all',
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

describe('TimerApi: who sends which firing (invariants 4 and 7)', () => {
  test('a new timer\'s firings before now + directSendMs are sent by the API, before the timer is stored; the rest by the ticks', async () => {
    const { put, queue, store, config, clock, ticker } = setup();
    const shardId = shardOf('late', SHARDS);
    let storedWhenSent: boolean | undefined;
    const send = queue.sendBatch.bind(queue);
    queue.sendBatch = (entries) => {
      storedWhenSent ??= store.timers.has('late');
      return send(entries);
    };
    expect((await put('/periodic/late', { timerCallbackData: { hello: 'world' }, interval: 10, offset: 3 })).statusCode).toBe(200);
    const boundary = Math.ceil((NOW + config.directSendMs) / 1000) * 1000;
    expect(storedWhenSent).toBe(false);
    expect(store.timers.get('late')).toMatchObject({ createdAt: NOW, tickFrom: boundary });
    const expectedDirect: number[] = [];
    for (let t = nextAligned(NOW, 10, 3); t < boundary; t += 10_000) expectedDirect.push(t);
    expect(queue.sent.map((e) => e.scheduledAt)).toEqual(expectedDirect);
    for (const entry of queue.sent) {
      expect(entry.delaySeconds).toBe(Math.ceil((entry.scheduledAt - NOW) / 1000));
      expect(entry.body).toBe('{"hello":"world"}');
      expect(entry.attributes).toEqual({ TimerId: 'late', TimerKind: 'periodic', ScheduledAt: String(entry.scheduledAt), FiringId: `late@${entry.scheduledAt}` });
    }

    let watermark = 0;
    for (let k = 0; k <= 5; k++) {
      clock.set(T0 + k * 60_000 + 100);
      watermark = (await ticker.tick(shardId)).watermark;
    }
    const all: number[] = [];
    for (let t = nextAligned(NOW, 10, 3); t < watermark; t += 10_000) all.push(t);
    expect(queue.sent.map((e) => e.scheduledAt).sort((a, b) => a - b)).toEqual(all);
  });

  test('a PUT reads and writes no shard state', async () => {
    const { put, store } = setup();
    const reads = jest.spyOn(store, 'getShardState');
    await put('/periodic/p', { timerCallbackData: 1, interval: 1 });
    await put('/oneshot/o', { timerCallbackData: 1, delaySeconds: 5 });
    expect(reads).not.toHaveBeenCalled();
    expect(store.shardWrites).toEqual([]);
  });

  test('an identical PUT changes nothing and sends nothing; a changed one sends its own firings', async () => {
    const { put, queue, clock, store } = setup();
    const body = { timerCallbackData: { v: 1 }, interval: 20, offset: 5 };
    const first = await put('/periodic/rep', body);
    const sentOnce = queue.sent.length;
    expect(sentOnce).toBeGreaterThan(0);

    clock.advance(1_000);
    expect(await put('/periodic/rep', body)).toEqual(first);
    expect(queue.sent).toHaveLength(sentOnce);
    expect(store.timers.get('rep')?.createdAt).toBe(NOW);

    await put('/periodic/rep', { ...body, offset: 6 });
    const changed = queue.sent.slice(sentOnce).map((e) => e.scheduledAt);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((t) => (t / 1000) % 20 === 6)).toBe(true);
  });

  test('a one-shot due before the boundary is sent by the API with its delay, and not again by a tick', async () => {
    const { put, queue, clock, ticker } = setup();
    const shardId = shardOf('soon', SHARDS);
    await put('/oneshot/soon', { timerCallbackData: 'ring', delaySeconds: 30 });
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({
      body: '"ring"',
      delaySeconds: 30,
      scheduledAt: NOW + 30_000,
      attributes: { TimerId: 'soon', TimerKind: 'oneshot', ScheduledAt: String(NOW + 30_000), FiringId: `soon@${NOW + 30_000}` },
    });
    for (const t of [NOW + 100, NOW + 60_100]) {
      clock.set(t);
      await ticker.tick(shardId);
    }
    expect(queue.sent.filter((e) => e.attributes.TimerId === 'soon')).toHaveLength(1);
  });

  test('a one-shot due after the boundary is left to the ticks, which send it once, ahead of time', async () => {
    const { put, queue, clock, ticker } = setup();
    const shardId = shardOf('later', SHARDS);
    await put('/oneshot/later', { timerCallbackData: 1, delaySeconds: 600 });
    expect(queue.calls).toHaveLength(0);
    for (let k = 0; k <= 10; k++) {
      clock.set(NOW + k * 60_000);
      await ticker.tick(shardId);
    }
    expect(queue.sent.map((e) => [e.scheduledAt, e.sentAt < e.scheduledAt])).toEqual([[NOW + 600_000, true]]);
  });

  test('a one-shot a little in the past goes out at once, on time, and no tick repeats it', async () => {
    const { put, queue, clock, ticker } = setup();
    await put('/oneshot/skewed', { timerCallbackData: 1, at: new Date(NOW - 3_000).toISOString() });
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({ delaySeconds: 0, scheduledAt: NOW - 3_000 });
    clock.advance(1_000);
    const report = await ticker.tick(shardOf('skewed', SHARDS));
    expect(report.late).toBe(0);
    expect(queue.sent).toHaveLength(1);
  });

  test('a PUT whose sends fail answers 500 and stores nothing; its retry answers 200 and every firing is sent', async () => {
    const { put, queue, clock, ticker, store } = setup();
    const shardId = shardOf('retried', SHARDS);
    clock.set(T0);
    await ticker.tick(shardId);
    clock.set(NOW);
    queue.refuse = () => true;
    const body = { timerCallbackData: 1, interval: 30, offset: 10 };
    expect((await put('/periodic/retried', body)).statusCode).toBe(500);
    expect((await put('/oneshot/retried-once', { timerCallbackData: 1, at: new Date(T0 + 70_000).toISOString() })).statusCode).toBe(500);
    expect(store.timers.size).toBe(0);

    queue.refuse = () => false;
    clock.advance(2_000);
    expect((await put('/periodic/retried', body)).statusCode).toBe(200);
    expect((await put('/oneshot/retried-once', { timerCallbackData: 1, at: new Date(T0 + 70_000).toISOString() })).statusCode).toBe(200);
    for (let k = 1; k <= 4; k++) {
      clock.set(T0 + k * 60_000 + 100);
      await ticker.tick(shardId);
      await ticker.tick(shardOf('retried-once', SHARDS));
    }
    const periodic = queue.sent.filter((e) => e.attributes.TimerId === 'retried').map((e) => e.scheduledAt);
    const expected: number[] = [];
    for (let t = nextAligned(NOW + 2_000, 30, 10); t < T0 + 4 * 60_000; t += 30_000) expected.push(t);
    expect(periodic.filter((t) => t < T0 + 4 * 60_000).sort((a, b) => a - b)).toEqual(expected);
    expect(queue.sent.filter((e) => e.attributes.TimerId === 'retried-once').map((e) => e.scheduledAt)).toEqual([T0 + 70_000]);
  });

  test('a PUT whose write ended later than createWithinMs sends up to a boundary measured from then', async () => {
    const { put, queue, store, clock, config } = setup();
    const write = store.putTimer.bind(store);
    let slow = true;
    store.putTimer = async (timer) => {
      if (slow) clock.advance(config.createWithinMs + 5_000);
      slow = false;
      return write(timer);
    };
    expect((await put('/periodic/slow', { timerCallbackData: 1, interval: 1 })).statusCode).toBe(200);
    const stored = store.timers.get('slow')!;
    const end = Math.ceil((NOW + config.createWithinMs + 5_000 + config.directSendMs) / 1000) * 1000;
    expect(stored.tickFrom).toBe(end);
    // Every second from the request to the new boundary, each once.
    const sent = queue.sent.map((e) => e.scheduledAt);
    expect(sent.length).toBe(new Set(sent).size);
    expect(Math.min(...sent)).toBe(Math.ceil(NOW / 1000) * 1000);
    expect(Math.max(...sent)).toBe(end - 1000);
    expect(sent).toHaveLength((end - Math.ceil(NOW / 1000) * 1000) / 1000);
  });

  test('without faults, with an index lagging up to its tolerance, every firing of every kind is sent exactly once and never late', async () => {
    const intervals = [1, 5, 7, 60, 90, 600, 3600];
    const put = fc.record({
      at: fc.integer({ min: 0, max: 480_000 }),
      kind: fc.constantFrom('periodic' as const, 'oneshot' as const, 'cron' as const),
      interval: fc.constantFrom(...intervals),
      cron: fc.constantFrom('*/7 * * * * *', '* * * * *', '*/2 * * * *', '30 */3 * * * *', '0 0 * * *', '*/5 * * * * *'),
      offsetSeed: fc.nat(),
      delayMs: fc.integer({ min: -4_000, max: 700_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(put, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.array(fc.integer({ min: 0, max: 25_000 }), { minLength: 12, maxLength: 12 }),
        async (puts, lagMs, tickJitter) => {
          const rig = setup({ lagMs, toleranceMs: 30_000 });
          const events: Array<{ t: number; run: () => Promise<unknown> }> = [];
          const created: Array<{ id: string; createdAt: number }> = [];
          puts.forEach((p, i) => {
            const id = `t${i}`;
            const t = NOW + p.at;
            const bodies = {
              periodic: { timerCallbackData: i, interval: p.interval, offset: p.offsetSeed % p.interval },
              oneshot: { timerCallbackData: i, at: new Date(t + p.delayMs).toISOString() },
              cron: { timerCallbackData: i, cron: p.cron },
            };
            const body = bodies[p.kind];
            events.push({
              t,
              run: async () => {
                expect((await rig.put(`/${p.kind}/${id}`, body)).statusCode).toBe(200);
                created.push({ id, createdAt: t });
              },
            });
          });
          // Each shard ticks every minute, up to 25 s late (the look-ahead margin is a minute).
          const ticks = tickJitter.map((jitter, k) => T0 + k * 60_000 + jitter);
          for (const t of ticks) events.push({ t, run: () => Promise.all(Array.from({ length: SHARDS }, (_, s) => rig.ticker.tick(`shard${s}`))) });
          events.sort((a, b) => a.t - b.t);
          for (const event of events) {
            rig.clock.set(event.t);
            await event.run();
          }
          const horizon = ticks[ticks.length - 1];
          const expected: string[] = [];
          for (const { id } of created) {
            const timer = rig.store.timers.get(id)!;
            const from = timer.kind === 'oneshot' ? Math.min(timer.fireAt, timer.createdAt) : timer.createdAt;
            for (const f of firingsInWindow(timer, from, horizon)) expected.push(`${id}@${f.scheduledAt}`);
          }
          const sent = rig.queue.sent.filter((e) => e.scheduledAt < horizon);
          const ids = sent.map((e) => e.attributes.FiringId);
          expect(ids.length).toBe(new Set(ids).size);
          expect(ids.sort()).toEqual(expected.sort());
          // On time: queued before its second (or, for a one-shot asked for in the past, when it was asked for).
          for (const e of sent) {
            const createdAt = created.find((c) => c.id === e.attributes.TimerId)!.createdAt;
            expect(e.sentAt).toBeLessThanOrEqual(Math.max(e.scheduledAt, createdAt));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('TimerApi cron timers', () => {
  test('PUT, GET and DELETE: the view, the near-term firings sent by the API, the rest placed for the ticks', async () => {
    const { api, put, store, queue, config } = setup();
    const answer = await put('/cron/standup', { timerCallbackData: { room: 4 }, cron: '*/20 * * * * *', timeZone: 'Europe/Paris' });
    const nextSecond = Math.ceil(NOW / 20_000) * 20_000;
    const expected = {
      id: 'standup',
      kind: 'cron',
      shardId: shardOf('standup', SHARDS),
      timerCallbackData: { room: 4 },
      cron: '*/20 * * * * *',
      timeZone: 'Europe/Paris',
      startAt: undefined,
      endAt: undefined,
      state: 'active',
      missedFirings: 'all',
      nextFireAt: new Date(nextSecond).toISOString(),
      lastFireAt: null,
      createdAt: new Date(NOW).toISOString(),
    };
    expect(answer).toEqual({ statusCode: 200, body: expected });
    expect(await api.handle({ method: 'GET', path: '/cron/standup' })).toEqual({ statusCode: 200, body: expected });
    // The API sent every firing before its boundary; the timer waits for the ticks at its first firing after it.
    const boundary = Math.ceil((NOW + config.directSendMs) / 1000) * 1000;
    const apiSent = Array.from({ length: Math.ceil((boundary - nextSecond) / 20_000) }, (_, k) => nextSecond + k * 20_000);
    expect(queue.sent.map((e) => e.scheduledAt)).toEqual(apiSent);
    expect(queue.sent.every((e) => e.attributes.TimerKind === 'cron' && e.body === '{"room":4}')).toBe(true);
    expect(store.timers.get('standup')).toMatchObject({ kind: 'cron', tickFrom: boundary, dueAt: Math.ceil(boundary / 20_000) * 20_000 });
    // The kinds do not see each other; DELETE as for the others.
    expect((await api.handle({ method: 'GET', path: '/periodic/standup' })).statusCode).toBe(404);
    expect(await api.handle({ method: 'DELETE', path: '/cron/standup' })).toEqual({ statusCode: 200, body: { id: 'standup' } });
    expect((await api.handle({ method: 'GET', path: '/cron/standup' })).statusCode).toBe(404);
  });

  test('lastFireAt and nextFireAt follow the clock; a cron timer past its end reads as ended, then 404', async () => {
    const { api, put, clock, config } = setup();
    const endAt = new Date(NOW + 3 * 3600_000).toISOString();
    await put('/cron/hourly', { timerCallbackData: 1, cron: '0 * * * *', endAt });
    const hour = (k: number) => new Date(Math.floor(NOW / 3600_000) * 3600_000 + k * 3600_000).toISOString();
    expect((await api.handle({ method: 'GET', path: '/cron/hourly' })).body).toMatchObject({ lastFireAt: null, nextFireAt: hour(1), endAt });
    clock.set(Date.parse(hour(2)) + 5_000);
    expect((await api.handle({ method: 'GET', path: '/cron/hourly' })).body).toMatchObject({ lastFireAt: hour(2), nextFireAt: hour(3), state: 'active' });
    clock.set(NOW + 3 * 3600_000 + 1);
    expect((await api.handle({ method: 'GET', path: '/cron/hourly' })).body).toMatchObject({ lastFireAt: hour(3), nextFireAt: null, state: 'ended' });
    clock.set(NOW + 3 * 3600_000 + config.oneShotRetentionMs);
    expect((await api.handle({ method: 'GET', path: '/cron/hourly' })).statusCode).toBe(404);
  });

  test.each([
    [{ timerCallbackData: 1 }, /^"cron" is required: a cron expression such as "0 9 \* \* MON-FRI"/],
    [{ timerCallbackData: 1, cron: '0 25 * * *' }, /^"cron" "0 25 \* \* \*": the hour field allows 0-23, got "25"$/],
    [{ timerCallbackData: 1, cron: '0 9 * * *', timeZone: 'Paris' }, /^"timeZone" must be an IANA time-zone name/],
    [{ timerCallbackData: 1, cron: '0 0 30 2 *' }, /has no firing from now on: the timer would never fire$/],
    [{ timerCallbackData: 1, cron: '0 0 1 1 *', endAt: new Date(NOW + 3600_000).toISOString() }, /has no firing before "endAt"/],
    [{ timerCallbackData: 1, cron: '* * * * *', interval: 60 }, /^unknown field\(s\) "interval"; allowed: timerCallbackData, cron, timeZone, startAt, endAt, missedFirings$/],
    [{ cron: '* * * * *' }, /^"timerCallbackData" is required/],
  ])('a bad body %j answers 400 naming the field, and stores and sends nothing', async (body, message) => {
    const { put, store, queue } = setup();
    const answer = await put('/cron/bad', body);
    expect(answer.statusCode).toBe(400);
    expect((answer.body as { message: string }).message).toMatch(message);
    expect(store.timers.size).toBe(0);
    expect(queue.sent).toHaveLength(0);
  });

  test('an identical PUT changes nothing and sends nothing; another zone is another timer', async () => {
    const { put, store, queue } = setup();
    await put('/cron/c', { timerCallbackData: 1, cron: '* * * * *' });
    const stored = store.timers.get('c');
    const sent = queue.sent.length;
    expect((await put('/cron/c', { timerCallbackData: 1, cron: '*  * * * *' })).statusCode).toBe(200);
    expect(store.timers.get('c')).toBe(stored);
    expect(queue.sent).toHaveLength(sent);
    await put('/cron/c', { timerCallbackData: 1, cron: '* * * * *', timeZone: 'Asia/Kolkata' });
    expect(store.timers.get('c')).toMatchObject({ timeZone: 'Asia/Kolkata' });
  });
});

describe('TimerApi ended periodic timers', () => {
  test('read as active, then ended with no next firing after endAt, then 404 once expired', async () => {
    const { put, api, clock, config } = setup();
    const endAt = NOW + 600_000;
    const body = { timerCallbackData: 1, interval: 60, endAt: new Date(endAt).toISOString() };
    expect((await put('/periodic/bounded', body)).body).toMatchObject({ state: 'active', endAt: new Date(endAt).toISOString() });
    clock.set(endAt);
    expect((await api.handle({ method: 'GET', path: '/periodic/bounded' })).body).toMatchObject({ state: 'ended', nextFireAt: null });
    clock.set(endAt + config.oneShotRetentionMs - 1);
    expect((await api.handle({ method: 'GET', path: '/periodic/bounded' })).statusCode).toBe(200);
    clock.set(endAt + config.oneShotRetentionMs);
    expect((await api.handle({ method: 'GET', path: '/periodic/bounded' })).statusCode).toBe(404);
  });
});
