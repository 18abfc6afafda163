/**
 * The load test's CloudWatch reader: the minutes it builds from GetMetricData (count from SampleCount, lateness from
 * p50/p99/Maximum, duplicates from Sum), read from moto for the statistics moto answers, and parsed from a response in
 * GetMetricData's documented shape for the percentiles (moto cannot compute them); and the polling that waits for late
 * data points to settle.
 */
import { CloudWatchClient, MetricDataResult, PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { buildQueries, parseResults, readMinutes } from '../../loadtest/lib/cloudwatch';
import { DUMMY_CREDENTIALS, useMoto } from '../support/moto';

const NOW = Date.now();
const M0 = Math.floor((NOW - 10 * 60_000) / 60_000) * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const latency = { metricName: 'DeliveryLateness', dimensions: { Service: 'loadtest' } };
const duplicates = { metricName: 'DuplicateDeliveries', dimensions: { Service: 'loadtest' } };
const noWait = { pollMs: 1, maxWaitMs: 50, sleep: async () => undefined };

test('the queries ask one period of 60 s per statistic, percentiles only when asked', () => {
  const all = buildQueries({ namespace: 'Timers', latency, duplicates });
  expect(all.map((q) => [q.Id, q.MetricStat?.Stat, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Period])).toEqual([
    ['count', 'SampleCount', 'DeliveryLateness', 60], ['max', 'Maximum', 'DeliveryLateness', 60],
    ['p50', 'p50', 'DeliveryLateness', 60], ['p99', 'p99', 'DeliveryLateness', 60], ['dup', 'Sum', 'DuplicateDeliveries', 60],
  ]);
  expect(all[0].MetricStat?.Metric?.Dimensions).toEqual([{ Name: 'Service', Value: 'loadtest' }]);
  expect(buildQueries({ namespace: 'Timers', latency, percentiles: false }).map((q) => q.Id)).toEqual(['count', 'max']);
});

test('a GetMetricData response with percentiles becomes every minute of the range, empty minutes included', () => {
  // A response in the documented shape: one result per query id, timestamps ascending, values rounded by CloudWatch.
  const results: MetricDataResult[] = [
    { Id: 'count', Label: 'count', StatusCode: 'Complete', Timestamps: [new Date(M0), new Date(M0 + 120_000)], Values: [1200, 980] },
    { Id: 'max', Label: 'max', StatusCode: 'Complete', Timestamps: [new Date(M0), new Date(M0 + 120_000)], Values: [1830.0, 2950.5] },
    { Id: 'p50', Label: 'p50', StatusCode: 'Complete', Timestamps: [new Date(M0), new Date(M0 + 120_000)], Values: [412.3, 520.9] },
    { Id: 'p99', Label: 'p99', StatusCode: 'Complete', Timestamps: [new Date(M0), new Date(M0 + 120_000)], Values: [1011.7, 2140.2] },
    { Id: 'dup', Label: 'dup', StatusCode: 'Complete', Timestamps: [new Date(M0 + 120_000)], Values: [2] },
  ];
  expect(parseResults(results, M0, M0 + 180_000)).toEqual([
    { minute: iso(M0), count: 1200, p50Ms: 412, p99Ms: 1012, maxMs: 1830, duplicates: 0 },
    { minute: iso(M0 + 60_000), count: 0, p50Ms: null, p99Ms: null, maxMs: null, duplicates: 0 },
    { minute: iso(M0 + 120_000), count: 980, p50Ms: 521, p99Ms: 2140, maxMs: 2951, duplicates: 2 },
  ]);
});

test('reads again until two reads agree, and says when they never did', async () => {
  const counts = [[5], [9], [9]];
  let reads = 0;
  const client = {
    send: async () => {
      const values = counts[Math.min(reads++, counts.length - 1)];
      return { MetricDataResults: [{ Id: 'count', Timestamps: [new Date(M0)], Values: values }] };
    },
  } as unknown as CloudWatchClient;
  const settled = await readMinutes(client, { namespace: 'Timers', latency, fromMs: M0, toMs: M0 + 60_000, pollMs: 1, maxWaitMs: 1_000, sleep: async () => undefined });
  expect(settled).toMatchObject({ settled: true, reads: 3 });
  expect(settled.minutes[0].count).toBe(9);

  let growing = 0;
  const neverSettles = {
    send: async () => ({ MetricDataResults: [{ Id: 'count', Timestamps: [new Date(M0)], Values: [++growing] }] }),
  } as unknown as CloudWatchClient;
  let clock = 0;
  const bounded = await readMinutes(neverSettles, {
    namespace: 'Timers', latency, fromMs: M0, toMs: M0 + 60_000, pollMs: 10, maxWaitMs: 100, now: () => clock, sleep: async (ms) => { clock += ms; },
  });
  expect(bounded.settled).toBe(false);
  expect(bounded.reads).toBe(11);
});

describe('against moto', () => {
  const moto = useMoto();

  test('counts, maximum and duplicates per minute come back from the data points put', async () => {
    // GIVEN lateness samples in two minutes and duplicates in the second
    const client = new CloudWatchClient({ endpoint: moto.server().endpoint, region: moto.server().region, credentials: DUMMY_CREDENTIALS });
    const dimensions = [{ Name: 'Service', Value: 'loadtest' }];
    await client.send(new PutMetricDataCommand({
      Namespace: 'Timers',
      MetricData: [
        { MetricName: 'DeliveryLateness', Dimensions: dimensions, Timestamp: new Date(M0 + 5_000), Unit: StandardUnit.Milliseconds, Values: [10, 20, 30], Counts: [1, 1, 1] },
        { MetricName: 'DeliveryLateness', Dimensions: dimensions, Timestamp: new Date(M0 + 125_000), Unit: StandardUnit.Milliseconds, Value: 700 },
        { MetricName: 'DuplicateDeliveries', Dimensions: dimensions, Timestamp: new Date(M0 + 125_000), Unit: StandardUnit.Count, Value: 2 },
      ],
    }));
    // AND a context metric of another namespace (as the construct's DispatchLag is), in the first minute only
    await client.send(new PutMetricDataCommand({
      Namespace: 'Engine',
      MetricData: [{ MetricName: 'DispatchLag', Dimensions: [{ Name: 'Service', Value: 'timers' }], Timestamp: new Date(M0 + 9_000), Value: 340 }],
    }));
    const extras = [{ id: 'lag', namespace: 'Engine', metricName: 'DispatchLag', dimensions: { Service: 'timers' }, stat: 'Maximum' }];
    // WHEN
    const read = await readMinutes(client, {
      namespace: 'Timers', latency, duplicates, percentiles: false, extras, fromMs: M0, toMs: M0 + 180_000, ...noWait,
    });
    // THEN
    expect(read.minutes).toEqual([
      { minute: iso(M0), count: 3, p50Ms: null, p99Ms: null, maxMs: 30, duplicates: 0 },
      { minute: iso(M0 + 60_000), count: 0, p50Ms: null, p99Ms: null, maxMs: null, duplicates: 0 },
      { minute: iso(M0 + 120_000), count: 1, p50Ms: null, p99Ms: null, maxMs: 700, duplicates: 2 },
    ]);
    expect(read.extras).toEqual([{ lag: 340 }, { lag: null }, { lag: null }]);
    client.destroy();
  });
});
