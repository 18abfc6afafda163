/**
 * The load test's AWS callback against moto's DynamoDB: each firing's lateness goes out through Powertools Metrics as
 * an embedded-metric-format document stamped with its ScheduledAt minute and its run, a second delivery of a firing
 * counts as a duplicate instead, and a firing it could not record is handed back for another delivery.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MessageAttribute } from '../../src/core/names';
import { DUMMY_CREDENTIALS, useMoto } from '../support/moto';

const moto = useMoto();
const TABLE = 'loadtest-deliveries';

type Handler = (event: { Records: unknown[] }) => Promise<SQSBatchResponse>;

function record(firingId: string, scheduledAt: number, timerId = `lt-run1-${firingId}`) {
  const attribute = (value: string) => ({ stringValue: value, dataType: 'String' });
  return {
    messageId: `m-${firingId}-${Math.random()}`,
    body: '{}',
    messageAttributes: {
      [MessageAttribute.FIRING_ID]: attribute(firingId),
      [MessageAttribute.TIMER_ID]: attribute(timerId),
      [MessageAttribute.SCHEDULED_AT]: attribute(String(scheduledAt)),
    },
  };
}

let handler: Handler;
let runOf: (timerId: string | undefined) => string;
let printed: string[];

beforeAll(async () => {
  const server = moto.server();
  await server.dynamodb.send(new CreateTableCommand({
    TableName: TABLE,
    KeySchema: [{ AttributeName: 'firingId', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'firingId', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_REGION: server.region,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    DELIVERIES_TABLE: TABLE,
  });
  // Loaded once the environment names moto: the module's DynamoDB client reads it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const recorder = require('../../loadtest/recorder') as { handler: (event: SQSEvent) => Promise<SQSBatchResponse>; runOf: typeof runOf };
  handler = recorder.handler as unknown as Handler;
  runOf = recorder.runOf;
});

beforeEach(() => {
  printed = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

const documents = () => printed.join('').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));

test('lateness per ScheduledAt minute, in EMF stamped with that minute; a second delivery is a duplicate', async () => {
  // GIVEN firings of two minutes, one of them delivered twice
  const minute = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;
  const first = [record('a@1', minute + 1_000), record('b@1', minute + 2_000), record('c@2', minute + 61_000)];
  // WHEN
  const answers = [await handler({ Records: first }), await handler({ Records: [record('a@1', minute + 1_000)] })];
  // THEN
  expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
  const docs = documents();
  expect(docs.map((d) => d._aws.Timestamp)).toEqual([minute, minute + 60_000, minute]);
  for (const doc of docs) {
    expect(doc._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'ServerlessTimerLoadTest', Dimensions: [['Service', 'Run']] });
    expect(doc.Service).toBe('loadtest');
    expect(doc.Run).toBe('run1');
  }
  expect(docs[0].DeliveryLateness).toHaveLength(2);
  expect([docs[0].Firings, docs[1].Firings]).toEqual([2, 1]);
  // Powertools writes a single value as a number, several as an array: EMF takes both.
  expect(docs[1].DeliveryLateness).toEqual(expect.any(Number));
  for (const value of [...docs[0].DeliveryLateness, docs[1].DeliveryLateness]) {
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(200_000);
  }
  expect(docs[2]).not.toHaveProperty('DeliveryLateness');
  expect(docs[2].DuplicateDeliveries).toBe(1);
  expect(docs[2]._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'DuplicateDeliveries', Unit: 'Count' }]);
});

test('more than 100 firings of one minute go out in documents of fewer than 100 values each', async () => {
  const minute = Math.floor((Date.now() - 60_000) / 60_000) * 60_000;
  await handler({ Records: Array.from({ length: 130 }, (_, i) => record(`many-${i}@1`, minute + i)) });
  expect(documents().map((d) => [d.DeliveryLateness.length, d.Firings])).toEqual([[99, 99], [31, 31]]);
});

test('firings of two runs in one batch go out under their own Run; an id of no run counts as "other"', async () => {
  const minute = Math.floor((Date.now() - 60_000) / 60_000) * 60_000;
  await handler({ Records: [record('r2@1', minute, 'lt-run2-x'), record('r3@1', minute, 'lt-run3-x'), record('mine@1', minute, 'my-own-timer')] });
  expect(documents().map((d) => [d.Run, d.Firings]).sort()).toEqual([['other', 1], ['run2', 1], ['run3', 1]]);
  expect(runOf('lt-9f1c2a7b-0d9e')).toBe('9f1c2a7b');
  expect(runOf(undefined)).toBe('other');
});

test('a firing it cannot record is handed back, and reported nowhere', async () => {
  const saved = process.env.DELIVERIES_TABLE;
  process.env.DELIVERIES_TABLE = 'no-such-table';
  try {
    const r = record('lost@1', Date.now() - 1_000);
    expect(await handler({ Records: [r] })).toEqual({ batchItemFailures: [{ itemIdentifier: r.messageId }] });
    expect(documents()).toEqual([]);
  } finally {
    process.env.DELIVERIES_TABLE = saved;
  }
});
