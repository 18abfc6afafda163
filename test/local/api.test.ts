/**
 * The local runtime's HTTP API, black-box: the contract's round trips for both kinds of timer, the runtime routes,
 * and the bad-input battery (each refused with a 4xx JSON message, nothing stored, the server still serving).
 */
import * as path from 'path';
import { Service, call, metricValue, startService, stopAll, tempDir } from './harness';
import { RUNTIME_ROUTE_NAMES } from '../../src/local/server';

let service: Service;

beforeAll(async () => {
  service = await startService(['--db', path.join(tempDir(), 'timers.db'), '--period', '2s']);
});

afterAll(stopAll);

describe('API contract round trip', () => {
  test('periodic: PUT answers the timer, GET reads it back, DELETE removes it, GET then answers 404', async () => {
    // Prepare
    const body = { timerCallbackData: { order: 42, tags: ['a', 'b'] }, interval: 30, offset: 7 };

    // Act
    const put = await call(service, 'PUT', '/periodic/order-42', body);
    const get = await call(service, 'GET', '/periodic/order-42');
    const del = await call(service, 'DELETE', '/periodic/order-42');
    const after = await call(service, 'GET', '/periodic/order-42');
    const deleteAgain = await call(service, 'DELETE', '/periodic/order-42');

    // Assess
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: 'order-42',
      kind: 'periodic',
      shardId: 'shard0',
      timeShardId: '7:order-42',
      timerCallbackData: body.timerCallbackData,
      interval: 30,
      offset: 7,
    });
    const next = Date.parse(put.body.nextFireAt);
    expect((next / 1000) % 30).toBe(7);
    expect(next).toBeGreaterThan(Date.now() - 1000);
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put.body);
    expect(del).toEqual({ status: 200, body: { id: 'order-42' } });
    expect(after.status).toBe(404);
    expect(after.body.message).toContain('order-42');
    expect(deleteAgain.status).toBe(404);
  });

  test('periodic: the interval defaults to the period and the offset to a hash of the id, within the interval', async () => {
    const put = await call(service, 'PUT', '/periodic/defaults-1', { timerCallbackData: null });

    expect(put.status).toBe(200);
    expect(put.body.interval).toBe(2);
    expect([0, 1]).toContain(put.body.offset);
    expect(put.body.timerCallbackData).toBeNull();
    await call(service, 'DELETE', '/periodic/defaults-1');
  });

  test('one-shot: PUT with delaySeconds answers fireAt, GET reads it as scheduled, DELETE removes it', async () => {
    const before = Date.now();
    const put = await call(service, 'PUT', '/oneshot/reminder%3A1', { timerCallbackData: 'wake up', delaySeconds: 3600 });
    const get = await call(service, 'GET', '/oneshot/reminder:1');
    const asPeriodic = await call(service, 'GET', '/periodic/reminder:1');
    const del = await call(service, 'DELETE', '/oneshot/reminder:1');
    const after = await call(service, 'GET', '/oneshot/reminder:1');

    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'reminder:1', kind: 'oneshot', timerCallbackData: 'wake up', state: 'scheduled' });
    const fireAt = Date.parse(put.body.fireAt);
    expect(fireAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(fireAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(get.body).toEqual(put.body);
    expect(asPeriodic.status).toBe(404);
    expect(del).toEqual({ status: 200, body: { id: 'reminder:1' } });
    expect(after.status).toBe(404);
  });

  test('PUT on an existing id replaces the timer', async () => {
    await call(service, 'PUT', '/oneshot/replace-me', { timerCallbackData: { v: 1 }, at: '2099-01-01T00:00:00Z' });
    const second = await call(service, 'PUT', '/oneshot/replace-me', { timerCallbackData: { v: 2 }, at: '2098-01-01T00:00:00Z' });
    const get = await call(service, 'GET', '/oneshot/replace-me');

    expect(second.status).toBe(200);
    expect(get.body).toMatchObject({ timerCallbackData: { v: 2 }, fireAt: '2098-01-01T00:00:00.000Z' });
    await call(service, 'DELETE', '/oneshot/replace-me');
  });

  test('GET /healthz answers ok, GET /metrics counts stored timers by kind, GET /dead-letters starts empty', async () => {
    await call(service, 'PUT', '/periodic/counted-1', { timerCallbackData: 1, interval: 3600 });
    await call(service, 'PUT', '/periodic/counted-2', { timerCallbackData: 2, interval: 3600 });
    await call(service, 'PUT', '/oneshot/counted-3', { timerCallbackData: 3, delaySeconds: 3600 });

    const health = await call(service, 'GET', '/healthz');
    const metrics = await fetch(`${service.url}/metrics`);
    const text = await metrics.text();
    const dead = await call(service, 'GET', '/dead-letters');

    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metricValue(text, 'timer_timers{kind="periodic"}')).toBe(2);
    expect(metricValue(text, 'timer_timers{kind="oneshot"}')).toBe(1);
    expect(text).toContain('# TYPE timer_firing_lateness_seconds histogram');
    expect(metricValue(text, 'timer_dead_letters')).toBe(0);
    expect(dead).toEqual({ status: 200, body: { total: 0, deadLetters: [] } });
    for (const id of ['periodic/counted-1', 'periodic/counted-2', 'oneshot/counted-3']) await call(service, 'DELETE', `/${id}`);
  });
});

test('an unknown route answers 404 naming every route the runtime serves: the timer routes and each of its own', async () => {
  const answer = await call(service, 'GET', '/timers/some-id');

  expect(answer.status).toBe(404);
  expect(answer.body.message).toBe(
    'no route for /timers/some-id: use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume, or GET /healthz, GET /metrics, GET /dead-letters, GET /lateness',
  );
  // Each route it names is served (a GET on it is not a 404).
  for (const route of RUNTIME_ROUTE_NAMES) {
    expect(route).toMatch(/^GET \/[a-z-]+$/);
    expect((await call(service, 'GET', route.slice('GET '.length))).status).toBe(200);
  }
});

describe('bad input: a 4xx with a message, nothing stored, the server keeps serving', () => {
  const past = new Date(Date.now() - 3_600_000).toISOString();
  const future = new Date(Date.now() + 3_600_000).toISOString();
  const cases: Array<[string, string, string, string | undefined, number, RegExp]> = [
    ['malformed JSON', 'PUT', '/periodic/bad-1', '{"timerCallbackData": ', 400, /not valid JSON/],
    ['empty body', 'PUT', '/periodic/bad-2', undefined, 400, /body is empty/],
    ['a JSON array body', 'PUT', '/periodic/bad-3', '[1, 2]', 400, /must be a JSON object/],
    ['missing timerCallbackData', 'PUT', '/periodic/bad-4', '{"interval": 60}', 400, /"timerCallbackData" is required/],
    ['an unknown field', 'PUT', '/periodic/bad-5', '{"timerCallbackData": 1, "cron": "* * *"}', 400, /unknown field.*"cron"/],
    ['an id with a space', 'PUT', '/periodic/bad%20id', '{"timerCallbackData": 1}', 400, /invalid timer id/],
    ['an id of 129 characters', 'PUT', `/periodic/${'x'.repeat(129)}`, '{"timerCallbackData": 1}', 400, /1 to 128 characters/],
    ['interval 0', 'PUT', '/periodic/bad-6', '{"timerCallbackData": 1, "interval": 0}', 400, /"interval" must be a whole number/],
    ['interval above 7 days', 'PUT', '/periodic/bad-7', '{"timerCallbackData": 1, "interval": 604801}', 400, /"interval"/],
    ['a fractional interval', 'PUT', '/periodic/bad-8', '{"timerCallbackData": 1, "interval": 1.5}', 400, /"interval"/],
    ['offset equal to the interval', 'PUT', '/periodic/bad-9', '{"timerCallbackData": 1, "interval": 10, "offset": 10}', 400, /"offset"/],
    ['endAt before startAt', 'PUT', '/periodic/bad-10', `{"timerCallbackData": 1, "startAt": "${future}", "endAt": "${past}"}`, 400, /"endAt"/],
    ['a startAt that is not ISO-8601', 'PUT', '/periodic/bad-11', '{"timerCallbackData": 1, "startAt": "tomorrow"}', 400, /ISO-8601/],
    ['a one-shot at in the past', 'PUT', '/oneshot/bad-12', `{"timerCallbackData": 1, "at": "${past}"}`, 400, /in the past/],
    ['a one-shot with both at and delaySeconds', 'PUT', '/oneshot/bad-13', `{"timerCallbackData": 1, "at": "${future}", "delaySeconds": 5}`, 400, /not both/],
    ['a one-shot with neither at nor delaySeconds', 'PUT', '/oneshot/bad-14', '{"timerCallbackData": 1}', 400, /needs "at"/],
    ['a negative delaySeconds', 'PUT', '/oneshot/bad-15', '{"timerCallbackData": 1, "delaySeconds": -1}', 400, /"delaySeconds"/],
    ['timerCallbackData over 254 KiB', 'PUT', '/oneshot/bad-16', JSON.stringify({ timerCallbackData: 'x'.repeat(255 * 1024), delaySeconds: 5 }), 413, /at most/],
    ['a body over the size limit', 'PUT', '/oneshot/bad-17', JSON.stringify({ timerCallbackData: 'x'.repeat(300 * 1024), delaySeconds: 5 }), 413, /at most \d+ are accepted/],
    ['POST on a timer route', 'POST', '/periodic/bad-18', '{"timerCallbackData": 1}', 405, /use PUT, GET or DELETE/],
    ['an unknown route', 'PUT', '/timers/bad-19', '{"timerCallbackData": 1}', 404, /use \/periodic\/\{id\}, \/oneshot\/\{id\} or \/cron\/\{id\}/],
  ];

  test.each(cases)('%s', async (_name, method, route, body, status, message) => {
    const answer = await call(service, method, route, body);

    expect(answer.status).toBe(status);
    expect(typeof answer.body).toBe('object');
    expect(answer.body.message).toMatch(message);
    const id = route.split('/')[2];
    if (route.startsWith('/periodic/') || route.startsWith('/oneshot/')) {
      for (const kind of ['periodic', 'oneshot']) {
        expect((await call(service, 'GET', `/${kind}/${id}`)).status).toBeGreaterThanOrEqual(400);
      }
    }
    expect((await call(service, 'GET', '/healthz')).status).toBe(200);
  });

  test('after the battery no timer is stored and valid requests still succeed', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const ok = await call(service, 'PUT', '/periodic/after-battery', { timerCallbackData: 'ok', interval: 3600 });

    expect(metricValue(text, 'timer_timers{kind="periodic"}')).toBe(0);
    expect(metricValue(text, 'timer_timers{kind="oneshot"}')).toBe(0);
    expect(ok.status).toBe(200);
  });
});
