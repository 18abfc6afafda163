/**
 * The load test's rules, table-driven: the same verdict whichever source (the local runtime's GET /lateness or
 * CloudWatch) gave the minutes.
 */
import { DEFAULT_THRESHOLDS, ObservedMinute, evaluate, formatTable } from '../../loadtest/lib/rules';

const M0 = '2026-12-02T10:00:00.000Z';
const M1 = '2026-12-02T10:01:00.000Z';
const M2 = '2026-12-02T10:02:00.000Z';

function minute(at: string, count: number, p99Ms: number | null = count ? 40 : null, duplicates = 0): ObservedMinute {
  return { minute: at, count, p50Ms: count ? 10 : null, p99Ms, maxMs: p99Ms, duplicates };
}

const local = DEFAULT_THRESHOLDS.local;

test.each([
  ['every firing on time', { [M0]: 100, [M1]: 80 }, [minute(M0, 100), minute(M1, 80)], local, []],
  ['a late minute', { [M0]: 100, [M1]: 80 }, [minute(M0, 100), minute(M1, 80, 1_500)], local, [`${M1}: late: p99 1500 ms > 1000 ms`]],
  ['p99 at the threshold passes', { [M0]: 10 }, [minute(M0, 10, 1_000)], local, []],
  ['a missing firing', { [M0]: 100 }, [minute(M0, 99)], local, [`${M0}: missing 1 of 100 firings`]],
  ['a paused runtime: a minute with no delivery at all', { [M0]: 100, [M1]: 100, [M2]: 100 },
    [minute(M0, 100), minute(M2, 100, 65_000)], local,
    [`${M1}: missing 100 of 100 firings`, `${M2}: late: p99 65000 ms > 1000 ms`]],
  ['a firing nobody expected', { [M0]: 5 }, [minute(M0, 6)], local, [`${M0}: unexpected: 6 firings, 5 expected`]],
  ['a minute observed but not expected', {}, [minute(M0, 1)], local, [`${M0}: unexpected: 1 firings, 0 expected`]],
  ['duplicates within the rate pass', { [M0]: 2_000 }, [minute(M0, 2_000, 900, 2)], DEFAULT_THRESHOLDS.aws, []],
  ['duplicates above the rate fail', { [M0]: 2_000 }, [minute(M0, 2_000, 900, 3)], DEFAULT_THRESHOLDS.aws,
    [`${M0}: duplicates: 3 for 2000 firings > 0.10 %`]],
  ['any duplicate fails locally', { [M0]: 10 }, [minute(M0, 10, 40, 1)], local, [`${M0}: duplicates: 1 for 10 firings > 0.00 %`]],
  ['minutes given in another ISO form are the same minute', { '2026-12-02T10:00:00Z': 3 }, [minute(M0, 3)], local, []],
])('%s', (_name, expected, observed, thresholds, failures) => {
  const verdict = evaluate({ expected, observed, thresholds });
  expect(verdict.failures).toEqual(failures);
  expect(verdict.ok).toBe(failures.length === 0);
  expect(verdict.rows.map((r) => r.minute)).toEqual([...new Set([...Object.keys(expected), ...observed.map((m) => m.minute)]
    .map((m) => new Date(m).toISOString()))].sort());
});

test('the table has a header and one line per minute, with the verdict last', () => {
  const { rows } = evaluate({ expected: { [M0]: 2, [M1]: 2 }, observed: [minute(M0, 2), minute(M1, 1)], thresholds: local });
  const lines = formatTable(rows).split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0].split(/\s{2,}/)).toEqual(['minute', 'expected', 'count', 'missing', 'p50 ms', 'p99 ms', 'max ms', 'dupes', 'verdict']);
  expect(lines[1].split(/\s{2,}/)).toEqual(['2026-12-02T10:00Z', '2', '2', '0', '10', '40', '40', '0', 'ok']);
  expect(lines[2].split(/\s{2,}/)).toEqual(['2026-12-02T10:01Z', '2', '1', '1', '10', '40', '40', '0', 'missing 1 of 2 firings']);
});

test.each([
  [{ p99Ms: 0, duplicateRate: 0 }], [{ p99Ms: 1000, duplicateRate: -1 }], [{ p99Ms: 1000, duplicateRate: 2 }],
])('thresholds %j are refused with a message', (thresholds) => {
  expect(() => evaluate({ expected: {}, observed: [], thresholds })).toThrow(/thresholds need p99Ms > 0 and duplicateRate from 0 to 1/);
});
