'use strict';
/**
 * The load test's verdict, one set of rules for both sources of what was delivered: the local runtime's
 * `GET /lateness` and, on AWS, CloudWatch. Each gives, per minute of the firings' ScheduledAt, the firings delivered
 * (`count`), their lateness (`p50Ms`, `p99Ms`, `maxMs`) and the deliveries that repeated a firing (`duplicates`);
 * the suite knows how many firings each minute should have had (`expected`). A minute fails when:
 * - a firing it expected never arrived (`count` < `expected`): "missing";
 * - more arrived than it expected: "unexpected" (a deleted or ended timer fired);
 * - its p99 lateness is above `p99Ms`: "late";
 * - its duplicates are more than `duplicateRate` of its firings: "duplicates".
 * Plain CommonJS, so that Artillery's processor and the repository's tests load the same file.
 */

/** Defaults of the thresholds: locally, and on AWS (SQS DelaySeconds is whole seconds, rounded up by design). */
const DEFAULT_THRESHOLDS = {
  local: { p99Ms: 1000, duplicateRate: 0 },
  aws: { p99Ms: 2000, duplicateRate: 0.001 },
};

/**
 * @param {{ expected: Record<string, number>, observed: Array<{ minute: string, count: number, p50Ms: number|null,
 *   p99Ms: number|null, maxMs: number|null, duplicates: number }>, thresholds: { p99Ms: number, duplicateRate: number } }} input
 *   `expected` maps each minute (ISO-8601 of its start) to the firings due in it; a minute in `expected` but not in
 *   `observed` had no delivery at all.
 * @returns {{ ok: boolean, rows: Array<object>, failures: string[] }}
 */
function evaluate({ expected, observed, thresholds }) {
  checkThresholds(thresholds);
  const iso = (minute) => new Date(minute).toISOString();
  const due = new Map(Object.entries(expected).map(([minute, firings]) => [iso(minute), firings]));
  const seen = new Map(observed.map((m) => [iso(m.minute), m]));
  const minutes = [...new Set([...due.keys(), ...seen.keys()])].sort();
  const rows = [];
  const failures = [];
  for (const minute of minutes) {
    const want = due.get(minute) ?? 0;
    const got = seen.get(minute) ?? { count: 0, p50Ms: null, p99Ms: null, maxMs: null, duplicates: 0 };
    const problems = [];
    if (got.count < want) problems.push(`missing ${want - got.count} of ${want} firings`);
    if (got.count > want) problems.push(`unexpected: ${got.count} firings, ${want} expected`);
    if (got.p99Ms !== null && got.p99Ms > thresholds.p99Ms) problems.push(`late: p99 ${got.p99Ms} ms > ${thresholds.p99Ms} ms`);
    if (got.duplicates > thresholds.duplicateRate * got.count) {
      problems.push(`duplicates: ${got.duplicates} for ${got.count} firings > ${(thresholds.duplicateRate * 100).toFixed(2)} %`);
    }
    rows.push({
      minute, expected: want, count: got.count, missing: Math.max(0, want - got.count),
      p50Ms: got.p50Ms, p99Ms: got.p99Ms, maxMs: got.maxMs, duplicates: got.duplicates,
      verdict: problems.length === 0 ? 'ok' : problems.join('; '),
    });
    for (const problem of problems) failures.push(`${minute}: ${problem}`);
  }
  return { ok: failures.length === 0, rows, failures };
}

function checkThresholds(thresholds) {
  if (!thresholds || !(thresholds.p99Ms > 0) || !(thresholds.duplicateRate >= 0 && thresholds.duplicateRate <= 1)) {
    throw new Error(`thresholds need p99Ms > 0 and duplicateRate from 0 to 1, got ${JSON.stringify(thresholds)}`);
  }
}

/** The rows as a fixed-width table, one line per minute under a header. */
function formatTable(rows) {
  const columns = [
    ['minute', (r) => r.minute.slice(0, 16) + 'Z'], ['expected', (r) => r.expected], ['count', (r) => r.count],
    ['missing', (r) => r.missing], ['p50 ms', (r) => r.p50Ms ?? '-'], ['p99 ms', (r) => r.p99Ms ?? '-'],
    ['max ms', (r) => r.maxMs ?? '-'], ['dupes', (r) => r.duplicates], ['verdict', (r) => r.verdict],
  ];
  const cells = [columns.map(([name]) => name), ...rows.map((r) => columns.map(([, cell]) => String(cell(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

module.exports = { DEFAULT_THRESHOLDS, evaluate, formatTable };
