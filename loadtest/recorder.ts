/**
 * The load test's callback on AWS. For each firing it receives, it records the firing id in a table with a conditional
 * put (a second delivery of the same firing is then known for certain to be a duplicate), and it reports through
 * Powertools Metrics (embedded metric format) the firing's delivery lateness (receipt minus `ScheduledAt`), the firings
 * and the duplicates. Every data point carries the minute of its firing's `ScheduledAt` as its timestamp and the run as a
 * dimension (`Run`, from the timer id `lt-{run}-{uuid}`), so that CloudWatch's per-minute statistics of one run are
 * the minutes the local runtime's `GET /lateness` answers (`lib/cloudwatch.js` reads them). A firing it could not
 * record is handed back (`batchItemFailures`) and counted at its next delivery.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LOAD_TEST_METRICS } from './lib/names';
import { MessageAttribute } from '../src/core/names';

const client = new DynamoDBClient({});
const RETAIN_SECONDS = 2 * 86_400;
/** Values per metric in one document: below the embedded metric format's 100, where Powertools flushes on its own. */
const VALUES_PER_DOCUMENT = 99;
const MINUTE = 60_000;

/** The run of a load-test timer id (`lt-{run}-{uuid}`); `other` for any other id. */
export function runOf(timerId: string | undefined): string {
  return /^lt-([A-Za-z0-9]+)-/.exec(timerId ?? '')?.[1] ?? 'other';
}

interface Group { readonly run: string; readonly minute: number; readonly lateness: number[]; duplicates: number }

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const receivedAt = Date.now();
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  const groups = new Map<string, Group>();
  for (const record of event.Records) {
    const attribute = (name: string): string | undefined => record.messageAttributes[name]?.stringValue;
    const firingId = attribute(MessageAttribute.FIRING_ID) ?? record.messageId;
    const scheduledAt = Number(attribute(MessageAttribute.SCHEDULED_AT));
    let duplicate = false;
    try {
      await client.send(new PutItemCommand({
        TableName: process.env.DELIVERIES_TABLE,
        Item: { firingId: { S: firingId }, expiresAt: { N: String(Math.floor(receivedAt / 1000) + RETAIN_SECONDS) } },
        ConditionExpression: 'attribute_not_exists(firingId)',
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') {
        duplicate = true;
      } else {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
    }
    const run = runOf(attribute(MessageAttribute.TIMER_ID));
    const minute = Math.floor(scheduledAt / MINUTE) * MINUTE;
    const key = `${run} ${minute}`;
    const group = groups.get(key) ?? { run, minute, lateness: [], duplicates: 0 };
    if (duplicate) group.duplicates++;
    else group.lateness.push(Math.max(0, receivedAt - scheduledAt));
    groups.set(key, group);
  }
  publish([...groups.values()]);
  return { batchItemFailures: failures };
}

/** One document per run, minute and up to VALUES_PER_DOCUMENT values, stamped with the minute. */
function publish(groups: readonly Group[]): void {
  const metrics = new Metrics({ namespace: LOAD_TEST_METRICS.namespace, serviceName: LOAD_TEST_METRICS.dimensions.Service });
  // Exactly the dimensions the reader asks for: `Service` (not Powertools' lowercase `service`) and `Run`.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions(LOAD_TEST_METRICS.dimensions);
  for (const group of groups) {
    for (let i = 0; i < Math.max(1, group.lateness.length); i += VALUES_PER_DOCUMENT) {
      metrics.addDimension('Run', group.run);
      metrics.setTimestamp(group.minute);
      const values = group.lateness.slice(i, i + VALUES_PER_DOCUMENT);
      for (const value of values) metrics.addMetric(LOAD_TEST_METRICS.latency, MetricUnit.Milliseconds, value);
      if (values.length > 0) metrics.addMetric(LOAD_TEST_METRICS.firings, MetricUnit.Count, values.length);
      if (i === 0 && group.duplicates > 0) metrics.addMetric(LOAD_TEST_METRICS.duplicates, MetricUnit.Count, group.duplicates);
      metrics.publishStoredMetrics();
    }
  }
}
