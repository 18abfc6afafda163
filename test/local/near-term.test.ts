/**
 * Who sends a new timer's firings, black-box over HTTP: the API sends those before the timer's `tickFrom` itself, the
 * ticks those after, and no firing is sent by both. Each firing arrives once, and the firings sent (the engine's
 * count, which the queue's (timer, instant) key would otherwise hide) are exactly those delivered or still queued.
 */
import { Receiver, Service, call, metricValue, sleep, startReceiver, startService, stopAll, waitFor } from './harness';

afterAll(stopAll);

async function counts(service: Service): Promise<{ dispatched: number; delivered: number; queued: number }> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  return {
    dispatched: metricValue(text, 'timer_firings_dispatched_total') ?? 0,
    delivered: metricValue(text, 'timer_firings_delivered_total') ?? 0,
    queued: metricValue(text, 'timer_queue_messages') ?? 0,
  };
}

test('a PUT fires its near-term firings once, the ticks the rest, none sent twice; one-shots due in 2 s and 5 s arrive once', async () => {
  // Prepare: a 2 s period, so the API sends the first 6 to 7 s of a timer's firings and the ticks the rest, and the
  // watermark runs 2 to 4 s ahead: a one-shot due in 5 s lies beyond it, where a tick would send it too if it could.
  const receiver: Receiver = await startReceiver();
  const service = await startService(['--memory', '--period', '2s', '--webhook', receiver.url]);
  const of = (id: string): number[] => receiver.received.filter((r) => r.headers['x-timer-id'] === id).map((r) => Number(r.headers['x-timer-scheduled-at']));

  // Act
  const putAt = Date.now();
  const periodic = await call(service, 'PUT', '/periodic/near-1', { timerCallbackData: { n: 1 }, interval: 3 });
  const oneShot = await call(service, 'PUT', '/oneshot/soon-1', { timerCallbackData: 'soon', delaySeconds: 2 });
  const later = await call(service, 'PUT', '/oneshot/later-1', { timerCallbackData: 'later', delaySeconds: 5 });
  await waitFor('five periodic firings and both one-shots', () => of('near-1').length >= 5 && of('later-1').length > 0, 30_000);

  // Assess: every firing from the first after the PUT on, each once, the one-shot once.
  expect(periodic.status).toBe(200);
  expect(oneShot.status).toBe(200);
  expect(later.status).toBe(200);
  const beats = of('near-1');
  expect(beats[0]).toBe(Date.parse(periodic.body.nextFireAt));
  expect(beats[0]).toBeGreaterThanOrEqual(Math.floor(putAt / 1000) * 1000);
  expect(beats).toEqual(beats.map((_, i) => beats[0] + i * 3000));
  expect(of('soon-1')).toEqual([Date.parse(oneShot.body.fireAt)]);
  expect(of('later-1')).toEqual([Date.parse(later.body.fireAt)]);
  const firingIds = receiver.received.map((r) => r.headers['x-timer-firing-id']);
  expect(new Set(firingIds).size).toBe(firingIds.length);

  // Nothing was sent twice: what the API and the ticks sent is what was delivered and what is queued. A scrape while
  // a tick is sending may count fewer sent (a tick counts its sends when it ends), never more.
  const samples: Array<{ dispatched: number; delivered: number; queued: number }> = [];
  for (let i = 0; i < 8; i++) {
    samples.push(await counts(service));
    await sleep(250);
  }
  for (const c of samples) expect(c.dispatched).toBeLessThanOrEqual(c.delivered + c.queued);
  expect(samples.some((c) => c.dispatched === c.delivered + c.queued && c.delivered > 0)).toBe(true);
});
