/**
 * The per-minute record behind `GET /lateness`: minutes of ScheduledAt, lateness percentiles by nearest rank over each
 * firing's first delivery, duplicates counted apart, every minute of the range listed, old minutes forgotten.
 */
import { LatenessLog, nearestRank } from '../../src/local/lateness';

const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const MINUTE = 60_000;

function logAt(nowMs: number, retentionMs?: number) {
  const clock = { now: nowMs };
  return { clock, log: new LatenessLog(() => clock.now, retentionMs) };
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test.each([
  ['one value', [5], 0.5, 5], ['one value', [5], 0.99, 5],
  ['1..4', [1, 2, 3, 4], 0.5, 2], ['1..4', [1, 2, 3, 4], 0.99, 4],
  ['1..100', upTo(100), 0.5, 50], ['1..100', upTo(100), 0.99, 99],
  ['1..1000', upTo(1000), 0.99, 990],
])('nearest rank of %s at %d is %d', (_label, sorted, q, expected) => {
  expect(nearestRank(sorted as number[], q as number)).toBe(expected);
});

test('firings are grouped by the minute of their ScheduledAt, with lateness over first deliveries and duplicates apart', () => {
  // GIVEN
  const { log } = logAt(T0 + 10 * MINUTE);
  // WHEN two minutes of deliveries: the first with a duplicate, the second with one late firing
  log.record('a@1', 'periodic', T0 + 1_000, T0 + 1_040);
  log.record('b@1', 'oneshot', T0 + 59_999, T0 + 60_020);
  log.record('a@1', 'periodic', T0 + 1_000, T0 + 31_000); // delivered again: a duplicate, its lateness not counted
  for (let i = 0; i < 99; i++) log.record(`c${i}@2`, 'periodic', T0 + MINUTE + i, T0 + MINUTE + i + 10);
  log.record('late@2', 'periodic', T0 + MINUTE, T0 + MINUTE + 5_000);
  // THEN
  const report = log.report(T0, T0 + 3 * MINUTE);
  expect(report.from).toBe('2026-12-02T10:00:00.000Z');
  expect(report.to).toBe('2026-12-02T10:03:00.000Z');
  expect(report.minutes).toEqual([
    { minute: '2026-12-02T10:00:00.000Z', count: 2, p50Ms: 21, p99Ms: 40, maxMs: 40, duplicates: 1 },
    { minute: '2026-12-02T10:01:00.000Z', count: 100, p50Ms: 10, p99Ms: 10, maxMs: 5_000, duplicates: 0 },
    { minute: '2026-12-02T10:02:00.000Z', count: 0, p50Ms: null, p99Ms: null, maxMs: null, duplicates: 0 },
  ]);
  expect(report.kinds).toEqual({ periodic: 101, oneshot: 1 });
});

test('a range is widened to whole minutes and counts only its own minutes', () => {
  const { log } = logAt(T0 + 10 * MINUTE);
  log.record('x@1', 'oneshot', T0 + 30_000, T0 + 30_001);
  log.record('y@1', 'oneshot', T0 + 2 * MINUTE, T0 + 2 * MINUTE + 1);
  const report = log.report(T0 + 45_000, T0 + 61_000);
  expect(report.minutes.map((m) => [m.minute, m.count])).toEqual([['2026-12-02T10:00:00.000Z', 1], ['2026-12-02T10:01:00.000Z', 0]]);
  expect(report.kinds).toEqual({ oneshot: 1 });
});

test('a timer id prefix narrows the report to those timers, duplicates and kinds included', () => {
  const { log } = logAt(T0 + 10 * MINUTE);
  log.record('run1-a@1', 'periodic', T0 + 1_000, T0 + 1_100);
  log.record('run1-a@1', 'periodic', T0 + 1_000, T0 + 9_000); // a duplicate of run1's firing
  log.record('run1-b@2', 'oneshot', T0 + 2_000, T0 + 2_300);
  log.record('run2-a@1', 'periodic', T0 + 1_000, T0 + 50_000);
  log.record('other@1', 'oneshot', T0 + 1_000, T0 + 1_001);
  const run1 = log.report(T0, T0 + MINUTE, 'run1-');
  expect(run1.minutes).toEqual([{ minute: '2026-12-02T10:00:00.000Z', count: 2, p50Ms: 100, p99Ms: 300, maxMs: 300, duplicates: 1 }]);
  expect(run1.kinds).toEqual({ periodic: 1, oneshot: 1 });
  expect(log.report(T0, T0 + MINUTE, 'run2-').minutes[0]).toMatchObject({ count: 1, maxMs: 49_000, duplicates: 0 });
  expect(log.report(T0, T0 + MINUTE, 'nobody').minutes[0]).toMatchObject({ count: 0, p99Ms: null, duplicates: 0 });
  expect(log.report(T0, T0 + MINUTE).minutes[0]).toMatchObject({ count: 4, duplicates: 1 });
});

test('a delivery before ScheduledAt counts as 0 ms late', () => {
  const { log } = logAt(T0 + MINUTE);
  log.record('early@1', 'oneshot', T0 + 5_000, T0 + 4_990);
  expect(log.report(T0, T0 + MINUTE).minutes[0]).toMatchObject({ count: 1, p50Ms: 0, maxMs: 0 });
});

test('minutes older than the retention are forgotten, and the report says from when it holds firings', () => {
  // GIVEN a one-hour retention and a firing at T0
  const { clock, log } = logAt(T0 + MINUTE, 3_600_000);
  log.record('old@1', 'periodic', T0, T0 + 5);
  expect(log.report(T0, T0 + MINUTE).minutes[0].count).toBe(1);
  // WHEN two hours pass
  clock.now = T0 + 2 * 3_600_000;
  log.record('new@1', 'periodic', clock.now - 1_000, clock.now);
  log.record('too-old@1', 'periodic', T0 + 5 * MINUTE, clock.now); // scheduled before the retained range: dropped
  // THEN
  const report = log.report(T0, T0 + 10 * MINUTE);
  expect(report.minutes.every((m) => m.count === 0)).toBe(true);
  expect(report.retainedFrom).toBe(new Date(T0 + 3_600_000).toISOString());
  expect(log.report(clock.now - MINUTE, clock.now).minutes.map((m) => m.count)).toEqual([1]);
});
