/**
 * The load test's expectation of what fires comes from the timers' definitions; it must be the engine's schedule
 * exactly, or the suite would report missing or unexpected firings that are not. Checked against the engine's own
 * `periodicOccurrences` on random timers and windows.
 */
import * as fc from 'fast-check';
import { ExpectedTimer, expectedPerMinute } from '../../loadtest/lib/expected';
import { periodicOccurrences } from '../../src/core/schedule';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);

function perMinute(instants: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const at of [...instants].sort((a, b) => a - b)) {
    const minute = new Date(Math.floor(at / 60_000) * 60_000).toISOString();
    out[minute] = (out[minute] ?? 0) + 1;
  }
  return out;
}

test('periodic and one-shot timers give, per minute, the firings the engine schedules', () => {
  const periodic = fc.record({
    kind: fc.constant('periodic' as const),
    interval: fc.integer({ min: 1, max: 600 }),
    offsetFraction: fc.double({ min: 0, max: 0.999, noNaN: true }),
    startAt: fc.option(fc.integer({ min: T0 - 600_000, max: T0 + 600_000 }), { nil: undefined }),
    length: fc.option(fc.integer({ min: 0, max: 900_000 }), { nil: undefined }),
  }).map(({ interval, offsetFraction, startAt, length }) => ({
    kind: 'periodic' as const,
    interval,
    offset: Math.floor(offsetFraction * interval),
    startAt,
    endAt: length === undefined ? undefined : (startAt ?? T0) + length,
  }));
  const oneShot = fc.integer({ min: T0 - 120_000, max: T0 + 900_000 }).map((fireAt) => ({ kind: 'oneshot' as const, fireAt }));
  fc.assert(fc.property(
    fc.array(fc.oneof(periodic, oneShot), { maxLength: 30 }),
    fc.integer({ min: T0 - 60_000, max: T0 + 300_000 }),
    fc.integer({ min: 1, max: 600_000 }),
    (timers: ExpectedTimer[], fromMs, spanMs) => {
      const toMs = fromMs + spanMs;
      const engine = timers.flatMap((timer) => (timer.kind === 'oneshot'
        ? (timer.fireAt >= fromMs && timer.fireAt < toMs ? [timer.fireAt] : [])
        : periodicOccurrences(timer, fromMs, toMs)));
      expect(expectedPerMinute(timers, fromMs, toMs)).toEqual(perMinute(engine));
    },
  ), { numRuns: 300 });
});

test('a minute of a 1 s timer has 60 firings, and the window bounds are start-inclusive, end-exclusive', () => {
  const timer: ExpectedTimer = { kind: 'periodic', interval: 1, offset: 0, startAt: T0, endAt: T0 + 120_000 };
  expect(expectedPerMinute([timer], T0, T0 + 180_000)).toEqual({ '2026-12-02T10:00:00.000Z': 60, '2026-12-02T10:01:00.000Z': 60 });
  expect(expectedPerMinute([{ kind: 'oneshot', fireAt: T0 + 60_000 }], T0, T0 + 60_000)).toEqual({});
  expect(expectedPerMinute([{ kind: 'oneshot', fireAt: T0 }], T0, T0 + 60_000)).toEqual({ '2026-12-02T10:00:00.000Z': 1 });
});
