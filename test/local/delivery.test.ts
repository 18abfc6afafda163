/**
 * Delivery, black-box: timers created through the local runtime's API arrive at a webhook (a server in this
 * test) with the exact body and headers of the callback contract, each within 250 ms of its ScheduledAt; with no
 * target, firings are printed to stdout as JSON lines.
 */
import * as path from 'path';
import { Receiver, Service, call, metricValue, sleep, startReceiver, startService, stopAll, tempDir, waitFor } from './harness';

const TOLERANCE_MS = 250;

afterAll(stopAll);

describe('webhook delivery', () => {
  let receiver: Receiver;
  let service: Service;

  beforeAll(async () => {
    receiver = await startReceiver();
    service = await startService(['--db', path.join(tempDir(), 'timers.db'), '--period', '2s', '--webhook', receiver.url]);
  });

  test('a 1 s periodic timer and a 2 s one-shot arrive with the exact body and headers, within 250 ms of ScheduledAt', async () => {
    // Prepare
    const periodicData = { job: 'heartbeat', weights: [1, 2.5], nested: { ok: true } };
    const oneShotData = 'remind me';

    // Act
    const periodic = await call(service, 'PUT', '/periodic/heartbeat-1', { timerCallbackData: periodicData, interval: 1 });
    const oneShot = await call(service, 'PUT', '/oneshot/reminder-1', { timerCallbackData: oneShotData, delaySeconds: 2 });
    const fireAt = Date.parse(oneShot.body.fireAt);
    await waitFor('the one-shot firing', () => receiver.received.some((r) => r.headers['x-timer-id'] === 'reminder-1'), 10_000);
    await waitFor('4 periodic firings', () => receiver.received.filter((r) => r.headers['x-timer-id'] === 'heartbeat-1').length >= 4, 10_000);
    await sleep(300); // room for a duplicate, should one be sent

    // Assess
    expect(periodic.status).toBe(200);
    expect(oneShot.status).toBe(200);
    const beats = receiver.received.filter((r) => r.headers['x-timer-id'] === 'heartbeat-1');
    const scheduled = beats.map((r) => Number(r.headers['x-timer-scheduled-at']));
    for (const beat of beats) {
      const scheduledAt = Number(beat.headers['x-timer-scheduled-at']);
      expect(scheduledAt % 1000).toBe(0);
      expect(beat.body).toBe(JSON.stringify(periodicData));
      expect(beat.headers['content-type']).toBe('application/json');
      expect(beat.headers['x-timer-kind']).toBe('periodic');
      expect(beat.headers['x-timer-firing-id']).toBe(`heartbeat-1@${scheduledAt}`);
      expect(beat.at - scheduledAt).toBeGreaterThanOrEqual(0);
      expect(beat.at - scheduledAt).toBeLessThanOrEqual(TOLERANCE_MS);
    }
    // One firing per second, none skipped, none twice.
    expect(scheduled).toEqual(scheduled.map((_, i) => scheduled[0] + i * 1000));

    const reminders = receiver.received.filter((r) => r.headers['x-timer-id'] === 'reminder-1');
    expect(reminders).toHaveLength(1);
    const [reminder] = reminders;
    expect(reminder.body).toBe(JSON.stringify(oneShotData));
    expect(reminder.headers['x-timer-kind']).toBe('oneshot');
    expect(Number(reminder.headers['x-timer-scheduled-at'])).toBe(fireAt);
    expect(reminder.headers['x-timer-firing-id']).toBe(`reminder-1@${fireAt}`);
    expect(reminder.at - fireAt).toBeGreaterThanOrEqual(0);
    expect(reminder.at - fireAt).toBeLessThanOrEqual(TOLERANCE_MS);

    await call(service, 'DELETE', '/periodic/heartbeat-1');
  });

  test('after DELETE no further firing of the timer arrives, although ticks had queued them ahead of time', async () => {
    await sleep(500); // a firing already being delivered when the DELETE came may still land
    const countAfterDelete = receiver.received.filter((r) => r.headers['x-timer-id'] === 'heartbeat-1').length;
    await sleep(3000); // longer than a period: ticks ran meanwhile

    expect(receiver.received.filter((r) => r.headers['x-timer-id'] === 'heartbeat-1')).toHaveLength(countAfterDelete);
  });

  test('/metrics counts each delivered firing in the delivered counter and the lateness histogram', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const delivered = receiver.received.length;

    expect(delivered).toBeGreaterThanOrEqual(5);
    expect(metricValue(text, 'timer_firings_delivered_total')).toBe(delivered);
    expect(metricValue(text, 'timer_firing_lateness_seconds_count')).toBe(delivered);
    expect(metricValue(text, 'timer_firing_lateness_seconds_bucket{le="0.25"}')).toBe(delivered);
    expect(metricValue(text, 'timer_deliveries_failed_total')).toBe(0);
  });
});

describe('stdout delivery', () => {
  test('with neither --callback nor --webhook each firing is printed as one JSON line', async () => {
    const service = await startService(['--memory', '--period', '2s']);

    const put = await call(service, 'PUT', '/oneshot/printed-1', { timerCallbackData: { hello: 'stdout' }, delaySeconds: 1 });
    const line = await waitFor('the printed firing', () => service.stdout.find((l) => l.includes('printed-1')), 10_000);

    expect(put.status).toBe(200);
    const printed = JSON.parse(line);
    expect(printed).toMatchObject({
      firingId: `printed-1@${Date.parse(put.body.fireAt)}`,
      timerId: 'printed-1',
      kind: 'oneshot',
      scheduledAt: put.body.fireAt,
      receiveCount: 1,
      timerCallbackData: { hello: 'stdout' },
    });
    expect(printed.lateMs).toBeLessThanOrEqual(TOLERANCE_MS);
  });
});

describe('GET /lateness', () => {
  let receiver: Receiver;
  let service: Service;

  beforeAll(async () => {
    receiver = await startReceiver();
    service = await startService(['--db', path.join(tempDir(), 'timers.db'), '--period', '2s', '--webhook', receiver.url]);
  });

  test('counts per minute what the target received, by kind, with lateness measured from ScheduledAt', async () => {
    // GIVEN a periodic timer that fires 4 times and a one-shot, all delivered
    const startAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    const endAt = new Date(startAt.getTime() + 4000);
    await call(service, 'PUT', '/periodic/counted', { timerCallbackData: 1, interval: 1, startAt: startAt.toISOString(), endAt: endAt.toISOString() });
    await call(service, 'PUT', '/oneshot/counted-once', { timerCallbackData: 2, delaySeconds: 2 });
    const ours = () => receiver.received.filter((r) => String(r.headers['x-timer-id']).startsWith('counted'));
    await waitFor('5 firings', () => ours().length >= 5, 15_000);
    await sleep(500);
    // WHEN
    const from = startAt.getTime() - 120_000;
    const answer = await call(service, 'GET', `/lateness?from=${from}&to=${endAt.getTime() + 60_000}`);
    // THEN every minute of the range is listed, and the firings add up to what the receiver saw
    expect(answer.status).toBe(200);
    const minutes = answer.body.minutes as Array<{ minute: string; count: number; p99Ms: number | null; maxMs: number | null; duplicates: number }>;
    expect(minutes.length).toBeGreaterThanOrEqual(3);
    expect(minutes.map((m) => Date.parse(m.minute) % 60_000)).toEqual(minutes.map(() => 0));
    const received = ours();
    expect(minutes.reduce((sum, m) => sum + m.count, 0)).toBe(new Set(received.map((r) => r.headers['x-timer-firing-id'])).size);
    expect(minutes.reduce((sum, m) => sum + m.duplicates, 0)).toBe(0);
    expect(answer.body.kinds).toEqual({ periodic: 4, oneshot: 1 });
    const latest = Math.max(...received.map((r) => r.at - Number(r.headers['x-timer-scheduled-at'])));
    const worst = Math.max(...minutes.map((m) => m.maxMs ?? 0));
    expect(worst).toBeLessThanOrEqual(latest);
    expect(worst).toBeLessThan(1_000);
    // AND a timer id prefix narrows it to those timers
    const narrowed = await call(service, 'GET', `/lateness?from=${from}&to=${endAt.getTime() + 60_000}&timerIdPrefix=counted-`);
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.kinds).toEqual({ oneshot: 1 });
    expect((narrowed.body.minutes as Array<{ count: number }>).reduce((sum, m) => sum + m.count, 0)).toBe(1);
  });

  test.each([
    ['from=yesterday', /from must be a time in epoch milliseconds/],
    ['to=-5', /to must be a time in epoch milliseconds/],
    ['from=2000&to=1000', /from must be before to/],
    [`from=0&to=${2 * 86_400_000}`, /at most 1440 minutes apart/],
    [`timerIdPrefix=${'x'.repeat(129)}`, /timerIdPrefix may be at most 128 characters/],
  ])('?%s answers 400 with a message', async (query, message) => {
    const answer = await call(service, 'GET', `/lateness?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(message);
  });
});

