'use strict';
/**
 * What was delivered on AWS, per minute, read from CloudWatch: the same minutes the local runtime's `GET /lateness`
 * answers (`rules.js` judges both). One GetMetricData request, period 60 s, over a lateness metric (its SampleCount is
 * the minute's firings; p50, p99 and Maximum its lateness) and, if given, a duplicates metric (Sum). CloudWatch shows
 * data points late, so `readMinutes` reads again until two reads in a row agree, within a bound, and says whether
 * they did.
 */
const { GetMetricDataCommand } = require('@aws-sdk/client-cloudwatch');

const MINUTE = 60_000;

/**
 * The GetMetricData queries for [fromMs, toMs): ids `count`, `max`, `p50`, `p99` (when `percentiles`), `dup`, then
 * one per `extras` entry (`{ id, namespace, metricName, dimensions, stat }`: context such as the dispatch lag).
 */
function buildQueries({ namespace, latency, duplicates, percentiles = true, extras = [] }) {
  const stat = (id, metric, statName, metricNamespace = namespace) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: metricNamespace, MetricName: metric.metricName, Dimensions: toDimensions(metric.dimensions) },
      Period: 60,
      Stat: statName,
    },
    ReturnData: true,
  });
  const queries = [stat('count', latency, 'SampleCount'), stat('max', latency, 'Maximum')];
  if (percentiles) queries.push(stat('p50', latency, 'p50'), stat('p99', latency, 'p99'));
  if (duplicates) queries.push(stat('dup', duplicates, 'Sum'));
  for (const extra of extras) queries.push(stat(extra.id, extra, extra.stat, extra.namespace));
  return queries;
}

function toDimensions(dimensions = {}) {
  return Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
}

/**
 * The minutes of [fromMs, toMs), every one listed, from GetMetricData's `MetricDataResults` (pages concatenated).
 * A minute without a data point has count 0 and null lateness.
 */
function parseResults(results, fromMs, toMs) {
  const value = valuesById(results);
  const minutes = [];
  for (let minute = Math.floor(fromMs / MINUTE) * MINUTE; minute < toMs; minute += MINUTE) {
    const count = Math.round(value('count', minute) ?? 0);
    const latency = (id) => (count > 0 && value(id, minute) !== undefined ? Math.round(value(id, minute)) : null);
    minutes.push({
      minute: new Date(minute).toISOString(),
      count,
      p50Ms: latency('p50'),
      p99Ms: latency('p99'),
      maxMs: latency('max'),
      duplicates: Math.round(value('dup', minute) ?? 0),
    });
  }
  return minutes;
}

/** A lookup (id, minute) -> value over the results' data points. */
function valuesById(results) {
  const byId = new Map();
  for (const result of results) {
    const values = byId.get(result.Id) ?? new Map();
    (result.Timestamps ?? []).forEach((timestamp, i) => values.set(new Date(timestamp).getTime(), result.Values[i]));
    byId.set(result.Id, values);
  }
  return (id, minute) => byId.get(id)?.get(minute);
}

/** Per minute of [fromMs, toMs), the value of each extra query (null for a minute without a data point). */
function parseExtras(results, extras, fromMs, toMs) {
  const value = valuesById(results);
  const minutes = [];
  for (let minute = Math.floor(fromMs / MINUTE) * MINUTE; minute < toMs; minute += MINUTE) {
    minutes.push(Object.fromEntries(extras.map((extra) => [extra.id, value(extra.id, minute) ?? null])));
  }
  return minutes;
}

/** One read: every page of one GetMetricData request. */
async function readOnce(client, options) {
  const results = [];
  let NextToken;
  do {
    const page = await client.send(new GetMetricDataCommand({
      MetricDataQueries: buildQueries(options),
      StartTime: new Date(Math.floor(options.fromMs / MINUTE) * MINUTE),
      EndTime: new Date(Math.ceil(options.toMs / MINUTE) * MINUTE),
      ScanBy: 'TimestampAscending',
      NextToken,
    }));
    results.push(...(page.MetricDataResults ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return { minutes: parseResults(results, options.fromMs, options.toMs), extras: parseExtras(results, options.extras ?? [], options.fromMs, options.toMs) };
}

/**
 * Reads until two reads in a row give the same counts and duplicates, `pollMs` apart, for at most `maxWaitMs`.
 * @returns {Promise<{ minutes: object[], extras: object[], settled: boolean, reads: number }>}
 */
async function readMinutes(client, options) {
  const { pollMs = 30_000, maxWaitMs = 600_000, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), now = Date.now } = options;
  const deadline = now() + maxWaitMs;
  const key = (minutes) => minutes.map((m) => `${m.count}/${m.duplicates}`).join(',');
  let read = await readOnce(client, options);
  let reads = 1;
  while (now() + pollMs <= deadline) {
    await sleep(pollMs);
    const next = await readOnce(client, options);
    reads++;
    const settled = key(next.minutes) === key(read.minutes) && next.minutes.some((m) => m.count > 0);
    read = next;
    if (settled) return { ...read, settled: true, reads };
  }
  return { ...read, settled: false, reads };
}

module.exports = { buildQueries, parseResults, parseExtras, readMinutes };
