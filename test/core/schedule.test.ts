/**
 * Schedule arithmetic (src/core/schedule.ts) against a brute-force enumeration of epoch seconds: whatever way a
 * span is cut into windows, every occurrence of a periodic timer is produced exactly once and inside its window.
 */
import fc from 'fast-check';
import { OneShotTimer, PeriodicTimer } from '../../src/core/model';
import {
  ceilSecond,
  firingsInWindow,
  hasEndedBy,
  nextPeriodicFiring,
  offsetRangesInWindow,
  oneShotFirings,
  periodicFirings,
  periodicOccurrences,
  splitIntoWindows,
  tickFiringsInWindow,
} from '../../src/core/schedule';

type Schedule = Pick<PeriodicTimer, 'interval' | 'offset' | 'startAt' | 'endAt'>;

/** Every instant in [fromMs, toMs) at which the schedule fires, found by testing each second. */
function bruteForce(s: Schedule, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(fromMs / 1000) - 1; t * 1000 < toMs; t++) {
    const ms = t * 1000;
    if (ms < fromMs || ms >= toMs) continue;
    if (s.startAt !== undefined && ms < s.startAt) continue;
    if (s.endAt !== undefined && ms >= s.endAt) continue;
    if (((t % s.interval) + s.interval) % s.interval === s.offset) out.push(ms);
  }
  return out;
}

/** Around now, and around the epoch (negative times exercise the floor arithmetic). */
const baseMs = fc.oneof(fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), fc.integer({ min: -5_000_000, max: 5_000_000 }));

const schedule = fc
  .record({
    interval: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 700 }), fc.constantFrom(60, 3600, 604_800)),
    offsetSeed: fc.nat(),
    startDelta: fc.option(fc.integer({ min: -200_000, max: 3_000_000 }), { nil: undefined }),
    endDelta: fc.option(fc.integer({ min: 0, max: 4_000_000 }), { nil: undefined }),
  })
  .map(({ interval, offsetSeed, startDelta, endDelta }) => ({ interval, offset: offsetSeed % interval, startDelta, endDelta }));

/** A span [from, to) of up to ~1 hour and cut points inside it. */
const span = fc
  .record({
    from: baseMs,
    length: fc.integer({ min: 0, max: 3_600_000 }),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
  })
  .map(({ from, length, cuts }) => {
    const points = [...new Set(cuts.map((c) => from + Math.floor(c * length)))].filter((p) => p > from && p < from + length).sort((a, b) => a - b);
    const bounds = [from, ...points, from + length];
    const windows: Array<[number, number]> = [];
    for (let i = 0; i + 1 < bounds.length; i++) windows.push([bounds[i], bounds[i + 1]]);
    return { from, to: from + length, windows };
  });

/** Window sizes: whole seconds as periods are, and odd millisecond sizes. */
const windowSize = fc.oneof(fc.integer({ min: 1, max: 900 }).map((s) => s * 1000), fc.integer({ min: 1, max: 100_000 }));

function withBounds(s: { interval: number; offset: number; startDelta?: number; endDelta?: number }, from: number): Schedule {
  const startAt = s.startDelta === undefined ? undefined : from + s.startDelta;
  const endAt = s.endDelta === undefined ? undefined : (startAt ?? from) + s.endDelta + 1;
  return { interval: s.interval, offset: s.offset, startAt, endAt };
}

describe('periodicOccurrences', () => {
  test('windows of any sizes yield every occurrence exactly once, each inside its window', () => {
    fc.assert(
      fc.property(schedule, span, (s, { from, to, windows }) => {
        const timer = withBounds(s, from);
        const produced: number[] = [];
        for (const [lo, hi] of windows) {
          const inWindow = periodicOccurrences(timer, lo, hi);
          expect(inWindow.filter((t) => t < lo || t >= hi || t % 1000 !== 0)).toEqual([]);
          produced.push(...inWindow);
        }
        expect(produced).toEqual(bruteForce(timer, from, to));
      }),
      { numRuns: 300 },
    );
  });

  test('windows from splitIntoWindows yield every occurrence exactly once', () => {
    fc.assert(
      fc.property(schedule, baseMs, fc.integer({ min: 0, max: 3_600_000 }), windowSize, (s, from, anyLength, windowMs) => {
        const length = Math.min(anyLength, windowMs * 2000);
        const timer = withBounds(s, from);
        const produced = splitIntoWindows(from, from + length, windowMs).flatMap(([lo, hi]) => periodicOccurrences(timer, lo, hi));
        expect(produced).toEqual(bruteForce(timer, from, from + length));
      }),
      { numRuns: 200 },
    );
  });

  test.each([
    ['offset 0 at a window start', { interval: 60, offset: 0 }, 120_000, 240_000, [120_000, 180_000]],
    ['window end is exclusive', { interval: 60, offset: 0 }, 120_001, 240_000, [180_000]],
    ['fractional window start rounds up to the next second', { interval: 1, offset: 0 }, 999, 3000, [1000, 2000]],
    ['startAt inclusive, endAt exclusive', { interval: 10, offset: 5, startAt: 15_000, endAt: 35_000 }, 0, 100_000, [15_000, 25_000]],
    ['startAt between seconds', { interval: 10, offset: 5, startAt: 15_001 }, 0, 40_000, [25_000, 35_000]],
    ['ended before the window', { interval: 10, offset: 5, endAt: 5_000 }, 10_000, 100_000, []],
    ['empty window', { interval: 1, offset: 0 }, 5000, 5000, []],
    ['negative epoch times', { interval: 7, offset: 3 }, -20_000, 0, [-18_000, -11_000, -4_000]],
  ])('%s', (_name, timer: Schedule, from: number, to: number, expected: number[]) => {
    expect(periodicOccurrences(timer, from, to)).toEqual(expected);
    expect(bruteForce(timer, from, to)).toEqual(expected);
  });
});

describe('offsetRangesInWindow', () => {
  test('covers exactly the offsets with an occurrence in the window, with disjoint ranges inside [0, interval)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        baseMs,
        fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 500_000 })),
        (interval, from, length) => {
          const to = from + length;
          const ranges = offsetRangesInWindow(interval, from, to);
          const covered = new Set<number>();
          for (const [lo, hi] of ranges) {
            expect(Number.isInteger(lo) && Number.isInteger(hi)).toBe(true);
            expect(lo).toBeGreaterThanOrEqual(0);
            expect(hi).toBeLessThanOrEqual(interval);
            expect(lo).toBeLessThan(hi);
            for (let o = lo; o < hi; o++) {
              if (covered.has(o)) throw new Error(`offset ${o} is in two ranges: ${JSON.stringify(ranges)}`);
              covered.add(o);
            }
          }
          const expected = new Set<number>();
          for (let t = ceilSecond(from); t * 1000 < to && expected.size < interval; t++) expected.add(((t % interval) + interval) % interval);
          expect([...covered].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
        },
      ),
      { numRuns: 500 },
    );
  });

  test.each([
    ['window inside one cycle', 60, 10_000, 20_000, [[10, 20]]],
    ['window wrapping the cycle', 60, 50_000, 70_000, [[50, 60], [0, 10]]],
    ['window ending on a cycle boundary', 60, 50_000, 60_000, [[50, 60]]],
    ['window longer than the interval', 60, 0, 61_000, [[0, 60]]],
    ['window without a whole second', 60, 1_001, 1_999, []],
  ])('%s', (_name, interval: number, from: number, to: number, expected: number[][]) => {
    expect(offsetRangesInWindow(interval, from, to)).toEqual(expected);
  });
});

describe('splitIntoWindows', () => {
  test('consecutive windows covering the span, each ending on a multiple of the window size except the last', () => {
    fc.assert(
      fc.property(baseMs, fc.integer({ min: 0, max: 10_000_000 }), windowSize, (from, anyLength, windowMs) => {
        const length = Math.min(anyLength, windowMs * 2000);
        const to = from + length;
        const windows = splitIntoWindows(from, to, windowMs);
        if (length === 0) {
          expect(windows).toEqual([]);
          return;
        }
        expect(windows[0][0]).toBe(from);
        expect(windows[windows.length - 1][1]).toBe(to);
        const bad = windows.filter(
          ([lo, hi], i) =>
            hi <= lo ||
            hi - lo > windowMs ||
            (i > 0 && lo !== windows[i - 1][1]) ||
            (i < windows.length - 1 && ((hi % windowMs) + windowMs) % windowMs !== 0),
        );
        expect(bad).toEqual([]);
      }),
    );
  });
});

describe('periodicFirings and tickFiringsInWindow', () => {
  const timer: PeriodicTimer = { kind: 'periodic', id: 'p', shardId: 'shard0', data: '{"a":1}', createdAt: 100_500, tickFrom: 112_000, interval: 10, offset: 0 };

  test('the schedule alone: the API asks from the request, so firings before tickFrom are produced', () => {
    expect(periodicFirings(timer, 100_500, 130_000).map((f) => f.scheduledAt)).toEqual([110_000, 120_000]);
  });

  test('a tick owes only the firings at or after tickFrom', () => {
    expect(tickFiringsInWindow(timer, 0, 130_000).map((f) => f.scheduledAt)).toEqual([120_000]);
    expect(tickFiringsInWindow({ ...timer, tickFrom: 120_000 }, 0, 130_000).map((f) => f.scheduledAt)).toEqual([120_000]);
  });

  test('a later startAt wins over tickFrom', () => {
    expect(tickFiringsInWindow({ ...timer, startAt: 125_000 }, 0, 150_000).map((f) => f.scheduledAt)).toEqual([130_000, 140_000]);
  });

  test('firings carry the timer id, kind and body', () => {
    expect(firingsInWindow(timer, 110_000, 111_000)).toEqual([{ timerId: 'p', kind: 'periodic', scheduledAt: 110_000, body: '{"a":1}' }]);
  });

  test('what the API sends before tickFrom and what the ticks send from it make the whole schedule, each firing once', () => {
    fc.assert(
      fc.property(schedule, span, fc.integer({ min: 0, max: 4_000_000 }), (s, { from, to, windows }, boundaryDelta) => {
        const bounds = withBounds(s, from);
        const tickFrom = ceilSecond(from + boundaryDelta) * 1000;
        const t: PeriodicTimer = { kind: 'periodic', id: 'x', shardId: 'shard0', data: 'null', createdAt: from, tickFrom, ...bounds };
        const direct = periodicFirings(t, from, Math.min(tickFrom, to));
        const ticked = windows.flatMap(([lo, hi]) => tickFiringsInWindow(t, lo, hi));
        expect([...direct, ...ticked].map((f) => f.scheduledAt)).toEqual(bruteForce(bounds, from, to));
      }),
      { numRuns: 200 },
    );
  });

  test('hasEndedBy: no firing at or after the instant remains', () => {
    expect(hasEndedBy({ ...timer, endAt: 130_000 }, 130_000)).toBe(true);
    expect(hasEndedBy({ ...timer, endAt: 130_001 }, 130_000)).toBe(false);
    expect(hasEndedBy(timer, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe('oneShotFirings', () => {
  const timer: OneShotTimer = { kind: 'oneshot', id: 'o', shardId: 'shard0', data: '"x"', createdAt: 0, tickFrom: 0, fireAt: 50_250, expiresAt: 90_000 };

  test.each([
    [50_250, 50_251, 1],
    [50_000, 50_250, 0],
    [50_251, 60_000, 0],
    [0, 100_000, 1],
  ])('window [%d, %d) holds %d firing(s)', (from, to, count) => {
    expect(oneShotFirings(timer, from, to)).toHaveLength(count);
  });

  test('fires exactly once whatever way the span is cut', () => {
    fc.assert(
      fc.property(span, fc.double({ min: 0, max: 1, noNaN: true }), ({ from, to, windows }, at) => {
        const fireAt = Math.min(from + Math.floor(at * (to - from)), to - 1);
        const produced = windows.flatMap(([lo, hi]) => firingsInWindow({ ...timer, fireAt }, lo, hi));
        expect(produced).toEqual(to > from ? [{ timerId: 'o', kind: 'oneshot', scheduledAt: fireAt, body: '"x"' }] : []);
      }),
    );
  });
});

describe('nextPeriodicFiring', () => {
  test.each([
    ['the next aligned second', { interval: 60, offset: 5 }, 100_000, 125_000],
    ['now itself when it is a firing', { interval: 60, offset: 5 }, 125_000, 125_000],
    ['just after a firing', { interval: 60, offset: 5 }, 125_001, 185_000],
    ['not before startAt', { interval: 60, offset: 5, startAt: 1_000_000 }, 0, 1_025_000],
    ['undefined once ended', { interval: 60, offset: 5, endAt: 125_000 }, 100_000, undefined],
    ['a seven-day interval', { interval: 604_800, offset: 604_799 }, 0, 604_799_000],
  ])('%s', (_name, timer: Schedule, now: number, expected: number | undefined) => {
    expect(nextPeriodicFiring(timer, now)).toBe(expected);
  });

  test('is the first brute-force occurrence at or after now', () => {
    fc.assert(
      fc.property(schedule, baseMs, (s, now) => {
        const timer = withBounds(s, now);
        const horizon = Math.max(now, timer.startAt ?? now) + (timer.interval + 1) * 1000;
        const [expected] = bruteForce(timer, now, horizon);
        expect(nextPeriodicFiring(timer, now)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
