/**
 * The --callback path, black-box: a handler module written by the test receives SQS-shaped events, reports one
 * record as failed (partial batch response), and that record is retried with backoff until it reaches
 * --max-receive-count and shows up in GET /dead-letters, while the other record is delivered once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Service, call, metricValue, startService, stopAll, tempDir, waitFor } from './harness';

const MAX_RECEIVE_COUNT = 3;

interface SeenRecord {
  readonly callAt: number;
  readonly batchSize: number;
  readonly record: any;
}

let service: Service;
let seenFile: string;

function seen(): SeenRecord[] {
  if (!fs.existsSync(seenFile)) return [];
  return fs.readFileSync(seenFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

beforeAll(async () => {
  const dir = tempDir();
  seenFile = path.join(dir, 'seen.jsonl');
  const handlerFile = path.join(dir, 'handler.ts');
  // A TypeScript handler, written as for a Lambda SQS consumer: it fails the records whose data asks for it.
  fs.writeFileSync(
    handlerFile,
    `import * as fs from 'fs';
interface Failure { itemIdentifier: string }
export async function handler(event: { Records: Array<{ messageId: string; body: string }> }): Promise<{ batchItemFailures: Failure[] }> {
  const failures: Failure[] = [];
  // One instant per call: the records of one event are told apart from other calls by it.
  const callAt = Date.now();
  for (const record of event.Records) {
    fs.appendFileSync(${JSON.stringify(seenFile)}, JSON.stringify({ callAt, batchSize: event.Records.length, record }) + '\\n');
    if (JSON.parse(record.body).fail === true) failures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures: failures };
}
`,
  );
  service = await startService([
    '--db', path.join(dir, 'timers.db'),
    '--period', '2s',
    '--callback', handlerFile,
    '--max-receive-count', String(MAX_RECEIVE_COUNT),
    '--retry-backoff', '100ms',
  ]);
});

afterAll(stopAll);

test('a record the handler fails is retried with backoff until it is dead-lettered; the other is delivered once', async () => {
  // Prepare: both one-shots due at the same millisecond, so that they arrive in one event.
  const at = new Date(Date.now() + 1500).toISOString();

  // Act
  const good = await call(service, 'PUT', '/oneshot/good-1', { timerCallbackData: { fail: false, n: 1 }, at });
  const bad = await call(service, 'PUT', '/oneshot/bad-1', { timerCallbackData: { fail: true, n: 2 }, at });
  const dead = await waitFor(
    'the dead letter',
    () => seen().filter((s) => s.record.messageAttributes.TimerId.stringValue === 'bad-1').length >= MAX_RECEIVE_COUNT,
    15_000,
  ).then(async () => {
    for (;;) {
      const answer = await call(service, 'GET', '/dead-letters');
      if (answer.body.total > 0) return answer;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  // Assess: the first event held both records, each shaped as an SQS event source delivers it.
  expect(good.status).toBe(200);
  expect(bad.status).toBe(200);
  const records = seen();
  const first = records.filter((s) => s.callAt === records[0].callAt);
  expect(first.map((s) => s.batchSize)).toEqual([2, 2]);
  const scheduledAt = Date.parse(at);
  for (const { record } of first) {
    const id = record.messageAttributes.TimerId.stringValue;
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        TimerId: { stringValue: id, dataType: 'String' },
        TimerKind: { stringValue: 'oneshot', dataType: 'String' },
        ScheduledAt: { stringValue: String(scheduledAt), dataType: 'String' },
        FiringId: { stringValue: `${id}@${scheduledAt}`, dataType: 'String' },
      },
    });
    expect(typeof record.messageId).toBe('string');
    expect(typeof record.receiptHandle).toBe('string');
  }

  const goods = records.filter((s) => s.record.messageAttributes.TimerId.stringValue === 'good-1');
  expect(goods).toHaveLength(1);
  expect(JSON.parse(goods[0].record.body)).toEqual({ fail: false, n: 1 });

  const bads = records.filter((s) => s.record.messageAttributes.TimerId.stringValue === 'bad-1');
  expect(bads.map((s) => s.record.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
  expect(new Set(bads.map((s) => s.record.messageId)).size).toBe(1);
  // Backoff of 100 ms, doubled: each retry waits at least as long as the backoff before it.
  expect(bads[1].callAt - bads[0].callAt).toBeGreaterThanOrEqual(100);
  expect(bads[2].callAt - bads[1].callAt).toBeGreaterThanOrEqual(200);

  expect(dead.body.total).toBe(1);
  expect(dead.body.deadLetters).toEqual([
    expect.objectContaining({
      messageId: bads[0].record.messageId,
      firingId: `bad-1@${scheduledAt}`,
      timerId: 'bad-1',
      kind: 'oneshot',
      scheduledAt: new Date(scheduledAt).toISOString(),
      timerCallbackData: { fail: true, n: 2 },
      receiveCount: MAX_RECEIVE_COUNT,
      lastError: 'reported in batchItemFailures',
    }),
  ]);

  const text = await (await fetch(`${service.url}/metrics`)).text();
  expect(metricValue(text, 'timer_dead_letters')).toBe(1);
  expect(metricValue(text, 'timer_dead_lettered_total')).toBe(1);
  expect(metricValue(text, 'timer_deliveries_failed_total')).toBe(MAX_RECEIVE_COUNT);
  expect(metricValue(text, 'timer_firings_delivered_total')).toBe(1);
});

test('a dead-lettered firing is not delivered again', async () => {
  const before = seen().length;
  await new Promise((resolve) => setTimeout(resolve, 1500));

  expect(seen()).toHaveLength(before);
  expect((await call(service, 'GET', '/dead-letters?limit=0')).status).toBe(400);
});
