/**
 * Cron timers on the local runtime, black-box: a PUT /cron/{id} fires on the seconds its expression names, each
 * firing once, delivered with `x-timer-kind: cron`; the timer keeps firing across a restart on the same file (the
 * ticks' moves are committed with their firings); GET shows its next and last firing; a bad expression is a 400.
 */
import * as path from 'path';
import { Received, Service, call, startReceiver, startService, stopAll, tempDir, waitFor } from './harness';

afterAll(stopAll);

const firingsOf = (received: readonly Received[], id: string): Received[] => received.filter((r) => r.headers['x-timer-id'] === id);
const scheduledAt = (r: Received): number => Number(r.headers['x-timer-scheduled-at']);

test('fires on its seconds, once each, as kind cron, and goes on after a restart', async () => {
  const receiver = await startReceiver();
  const flags = ['--db', path.join(tempDir(), 'timers.db'), '--period', '2s', '--webhook', receiver.url];
  let service: Service = await startService(flags);

  const put = await call(service, 'PUT', '/cron/every-2s', { timerCallbackData: { n: 1 }, cron: '*/2 * * * * *' });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ kind: 'cron', cron: '*/2 * * * * *', timeZone: 'UTC', state: 'active', lastFireAt: null });
  const createdAt = Date.parse(put.body.createdAt);
  await waitFor('three firings', () => firingsOf(receiver.received, 'every-2s').length >= 3, 20_000);
  const read = await call(service, 'GET', '/cron/every-2s');
  expect(Date.parse(read.body.nextFireAt) % 2000).toBe(0);
  expect(Date.parse(read.body.lastFireAt)).toBeGreaterThan(createdAt);

  service.signal('SIGTERM');
  expect(await service.exited).toBe(0);
  const restartedAt = Date.now();
  service = await startService(flags);
  await waitFor('firings after the restart', () => firingsOf(receiver.received, 'every-2s').some((r) => scheduledAt(r) > restartedAt + 4000), 20_000);
  expect((await call(service, 'DELETE', '/cron/every-2s')).status).toBe(200);

  const firings = firingsOf(receiver.received, 'every-2s');
  expect(firings.every((r) => r.headers['x-timer-kind'] === 'cron' && r.body === '{"n":1}')).toBe(true);
  const times = [...new Set(firings.map(scheduledAt))].sort((a, b) => a - b);
  // Every even second from the first on, none skipped, none twice, none early (a restart may deliver a firing again:
  // at-least-once; here, none of them was in flight).
  expect(firings).toHaveLength(times.length);
  expect(times[0]).toBe(Math.ceil(createdAt / 2000) * 2000);
  times.forEach((t, i) => expect(t).toBe(times[0] + 2000 * i));
  for (const r of firings) expect(r.at).toBeGreaterThanOrEqual(scheduledAt(r));
  // Only those due while the runtime was stopped may be late.
  const late = firings.filter((r) => r.at - scheduledAt(r) > 1000);
  expect(late.every((r) => scheduledAt(r) < restartedAt + 2000)).toBe(true);
});

test('a bad expression or zone answers 400 naming the field, and stores nothing', async () => {
  const service = await startService(['--memory', '--period', '2s']);
  const bad = await call(service, 'PUT', '/cron/bad', { timerCallbackData: 1, cron: '0 9 * * MONDAY' });
  expect(bad.status).toBe(400);
  expect(bad.body.message).toBe('"cron" "0 9 * * MONDAY": the day of week field allows 0-7 or SUN-SAT, got "MONDAY"');
  const zone = await call(service, 'PUT', '/cron/bad', { timerCallbackData: 1, cron: '0 9 * * MON', timeZone: 'CEST' });
  expect(zone.status).toBe(400);
  expect(zone.body.message).toMatch(/^"timeZone" must be an IANA time-zone name/);
  expect((await call(service, 'GET', '/cron/bad')).status).toBe(404);
});
