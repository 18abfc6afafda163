/**
 * Nothing lost, black-box: the runtime is killed with SIGKILL while a delivery is in flight and restarted on the
 * same --db. Its timers are still there, every firing due while it was down is delivered once on restart and
 * counted late, and the delivery that was in flight is delivered again.
 */
import * as path from 'path';
import { Receiver, Service, call, metricValue, sleep, startReceiver, startService, stopAll, tempDir, waitFor } from './harness';

afterAll(stopAll);

test('after kill -9 and a restart: timers kept, missed firings delivered once and counted late, in-flight not lost', async () => {
  // Prepare: a 1 s periodic timer, and a one-shot whose delivery the receiver never answers (it stays in flight).
  const receiver: Receiver = await startReceiver();
  receiver.respond = (r) => (r.headers['x-timer-id'] === 'held-1' ? 'hold' : 200);
  const flags = ['--db', path.join(tempDir(), 'timers.db'), '--period', '2s', '--webhook', receiver.url];
  const first: Service = await startService(flags);
  const beat = await call(first, 'PUT', '/periodic/beat-1', { timerCallbackData: { beat: true }, interval: 1 });
  // Half-way between two beats: a delivery batch holds up to ten due messages, and a beat claimed with the held
  // one would stay in flight with it.
  const heldAt = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000 + 500).toISOString();
  const held = await call(first, 'PUT', '/oneshot/held-1', { timerCallbackData: 'in flight', at: heldAt });
  const beatsOf = (): number[] => receiver.received.filter((r) => r.headers['x-timer-id'] === 'beat-1').map((r) => Number(r.headers['x-timer-scheduled-at']));
  await waitFor('the held delivery', () => receiver.received.some((r) => r.headers['x-timer-id'] === 'held-1'), 10_000);
  await waitFor('3 beats', () => beatsOf().length >= 3, 10_000);
  // Kill half-way between two beats, so the last beat before the kill has been acknowledged.
  await waitFor('mid-second', () => Date.now() % 1000 >= 400 && Date.now() % 1000 < 600, 2000);

  // Act
  first.signal('SIGKILL');
  const killedAt = Date.now();
  await first.exited;
  await sleep(5000); // longer than the look-ahead (two periods): some missed firings were never queued
  receiver.respond = () => 200;
  const second = await startService(flags);
  const restartedAt = Date.now();
  await sleep(3000);

  // Assess: the timers survived.
  expect(beat.status).toBe(200);
  const { nextFireAt: _next, ...kept } = beat.body;
  expect((await call(second, 'GET', '/periodic/beat-1')).body).toMatchObject(kept);
  expect((await call(second, 'GET', '/oneshot/held-1')).body).toMatchObject({ id: 'held-1', fireAt: held.body.fireAt });

  // Every beat from the first to the last arrived, and none twice.
  const beats = beatsOf();
  expect(beats).toEqual(beats.map((_, i) => beats[0] + i * 1000));
  expect(beats[beats.length - 1]).toBeGreaterThan(restartedAt + 1000);
  // The ones due while the process was down arrived after the restart, late.
  const missed = receiver.received.filter((r) => {
    const scheduledAt = Number(r.headers['x-timer-scheduled-at']);
    return r.headers['x-timer-id'] === 'beat-1' && scheduledAt > killedAt && scheduledAt + 1000 < restartedAt;
  });
  expect(missed.length).toBeGreaterThanOrEqual(4);
  for (const r of missed) expect(r.at).toBeGreaterThanOrEqual(restartedAt - 2000);

  // The in-flight one-shot was delivered again, as its second receive.
  const helds = receiver.received.filter((r) => r.headers['x-timer-id'] === 'held-1');
  expect(helds.map((r) => r.headers['x-timer-receive-count'])).toEqual(['1', '2']);
  expect(new Set(helds.map((r) => r.headers['x-timer-firing-id']))).toEqual(new Set([`held-1@${Date.parse(held.body.fireAt)}`]));

  // The restarted process counted the catch-up: firings dispatched late by the tick, and lateness above a second.
  const text = await (await fetch(`${second.url}/metrics`)).text();
  expect(metricValue(text, 'timer_late_firings_total')).toBeGreaterThanOrEqual(1);
  const lateDeliveries = metricValue(text, 'timer_firing_lateness_seconds_count')! - metricValue(text, 'timer_firing_lateness_seconds_bucket{le="1"}')!;
  expect(lateDeliveries).toBeGreaterThanOrEqual(missed.length);
});

test('a second process on the same --db is refused with one line, and SIGTERM stops the first cleanly', async () => {
  const flags = ['--db', path.join(tempDir(), 'timers.db'), '--period', '2s'];
  const first = await startService(flags);

  const rival = startService(flags);
  await expect(rival).rejects.toThrow(/in use by another running timer service/);

  first.signal('SIGTERM');
  expect(await first.exited).toBe(0);
  const again = await startService(flags);
  expect((await call(again, 'GET', '/healthz')).status).toBe(200);
});
