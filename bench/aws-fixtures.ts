/**
 * What the AWS benchmarks (`bench:dispatch`, `bench:tick-scale`) set up and measure against the emulators besides the
 * engine itself: the timer table and its seeding, fresh queues and what they hold, and the raw SendMessageBatch
 * ceiling the tick is compared with. Each benchmark composes these; none of them knows a benchmark's flags.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import {
  AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { timerTableDefinition } from '../src/aws/dynamo-store';
import { Firing, Log, messageAttributesOf, planBatches, systemClock } from '../src/core';

/** BatchWriteItem takes at most 25 items. */
const SEED_BATCH = 25;

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function inParallel(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Creates the timer table (the store's own definition) and waits until it and its index are ACTIVE. */
export async function createTimerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(timerTableDefinition(tableName)));
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')) return;
    await systemClock.sleep(50);
  }
  throw new Error(`table ${tableName} did not become ACTIVE in 5 s`);
}

export interface SeedOptions {
  /** BatchWriteItem requests in flight. @default 8 */
  readonly concurrency?: number;
  /** Called after each batch with the items written so far, e.g. to print progress. */
  readonly onProgress?: (written: number) => void;
}

/**
 * Writes `count` items straight into the table with BatchWriteItem, retrying what comes back unprocessed. Items are
 * made by index as they are written (`itemAt(i)`, e.g. the store's item of the workload's timer i), so a table of any
 * size is seeded without holding it in memory.
 */
export async function seedItems(
  client: DynamoDBClient,
  tableName: string,
  count: number,
  itemAt: (index: number) => Record<string, AttributeValue>,
  options: SeedOptions = {},
): Promise<void> {
  let written = 0;
  await inParallel(Math.ceil(count / SEED_BATCH), options.concurrency ?? 8, async (b) => {
    const end = Math.min(count, (b + 1) * SEED_BATCH);
    let requests: WriteRequest[] = [];
    for (let i = b * SEED_BATCH; i < end; i++) requests.push({ PutRequest: { Item: itemAt(i) } });
    const size = requests.length;
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`seeding: ${requests.length} items still unprocessed after 10 BatchWriteItem attempts`);
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = out.UnprocessedItems?.[tableName] ?? [];
    }
    written += size;
    options.onProgress?.(written);
  });
}

let queueSequence = 0;

/** A new, empty standard queue named after what it is for. */
export async function freshQueue(sqs: SQSClient, label: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${label}-${++queueSequence}-${process.pid}` }));
  if (!QueueUrl) throw new Error(`CreateQueue for ${label} returned no QueueUrl`);
  return QueueUrl;
}

/** What a queue holds, by state, as SQS reports it (approximate on AWS; exact on local-aws-sqs). */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly total: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const visible = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  const delayed = Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  return { visible, inFlight, delayed, total: visible + inFlight + delayed };
}

/** Fails the run unless the queue holds exactly the messages that were sent: the figures must come from real sends. */
export async function verifyQueue(sqs: SQSClient, queueUrl: string, expected: number, label: string): Promise<void> {
  const { total } = await queueDepth(sqs, queueUrl);
  if (total !== expected) {
    throw new Error(`${label}: the queue holds ${total} messages but ${expected} were to be sent; the run's figures are not valid`);
  }
}

/** How long the ceiling's messages are delayed: as the tick's are (60 to 120 s), so both queues hold them alike. */
export const CEILING_DELAY_SECONDS = 90;
/** Messages a sender's unmeasured first run sends, so no measured run pays for connection set-up or JIT warm-up. */
const CEILING_WARM_UP_MESSAGES = 2_000;

export interface CeilingOptions {
  /** SendMessageBatch calls in flight. */
  readonly concurrency: number;
  /** Message i: a timer's id and body, as the tick sends them. */
  readonly messageAt: (index: number) => { readonly timerId: string; readonly body: string };
}

/**
 * The raw ceiling: `count` messages shaped like the tick's (the same bodies, the callback contract's four attributes,
 * a delay), sent with SendMessageBatch at the given concurrency and nothing else: no store, no engine. Batches are
 * packed as SQS allows (ten entries, 256 KiB), as any sender must. Returns messages per second.
 */
export async function sendCeiling(sqs: SQSClient, queueUrl: string, count: number, options: CeilingOptions): Promise<number> {
  const scheduledAt = Date.now() + CEILING_DELAY_SECONDS * 1000;
  const firings = (function* (): Generator<Firing> {
    for (let i = 0; i < count; i++) yield { ...options.messageAt(i), kind: 'periodic', scheduledAt };
  })();
  const batches = planBatches(firings);
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let next = batches.next(); !next.done; next = batches.next()) {
      let entries: SendMessageBatchRequestEntry[] = next.value.map((firing, i) => ({
        Id: String(i),
        MessageBody: firing.body,
        DelaySeconds: CEILING_DELAY_SECONDS,
        MessageAttributes: Object.fromEntries(
          Object.entries(messageAttributesOf(firing)).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        if (attempt > 6) throw new Error(`ceiling: ${entries.length} messages refused after 6 attempts`);
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return count / ((performance.now() - started) / 1000);
}

/** The sender's first, unmeasured run, to a queue deleted after it. */
export async function warmUpCeiling(sqs: SQSClient, options: CeilingOptions, count = CEILING_WARM_UP_MESSAGES): Promise<void> {
  const queueUrl = await freshQueue(sqs, 'warm-up');
  await sendCeiling(sqs, queueUrl, Math.min(count, CEILING_WARM_UP_MESSAGES), options);
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}

export interface DrainOptions {
  /** ReceiveMessage loops in flight. */
  readonly consumers: number;
  /** Long polling: how long a ReceiveMessage waits for a message (s, 0..20). */
  readonly waitTimeSeconds: number;
  /** Long enough that no message comes back while the drain runs: SQS's own redeliveries are not what is counted. */
  readonly visibilityTimeoutSeconds: number;
  /** Told every message received, before it is deleted. */
  readonly onMessages: (messages: readonly Message[]) => void;
  /**
   * Delete each batch received (DeleteMessageBatch), as a consumer does. Off, received messages stay in flight until
   * their visibility timeout, which outlasts the drain, so none is received twice. @default true
   */
  readonly deleteMessages?: boolean;
  /** Told about once a second what has been received and what the queue still holds. */
  readonly onProgress?: (received: number, depth: QueueDepth) => void;
}

export interface DrainOutcome {
  readonly received: number;
  readonly receiveRequests: number;
  readonly emptyReceives: number;
  readonly deleteRequests: number;
}

/**
 * Receives (and by default deletes) every message of a queue, ten at a time, as a consumer does, and returns once
 * the queue has nothing left to deliver: a message still waiting out its DelaySeconds counts as delayed, so the drain
 * ends only when every message sent has been received.
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string, options: DrainOptions): Promise<DrainOutcome> {
  const totals = { received: 0, receiveRequests: 0, emptyReceives: 0, deleteRequests: 0 };
  let drained = false;
  /** One ReceiveMessage of up to ten; resolves with how many messages it returned. */
  const receiveOnce = async (): Promise<number> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitTimeSeconds,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    totals.receiveRequests++;
    if (Messages.length === 0) {
      totals.emptyReceives++;
      return 0;
    }
    totals.received += Messages.length;
    options.onMessages(Messages);
    if (options.deleteMessages !== false) {
      const out = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      totals.deleteRequests++;
      const failed = out.Failed ?? [];
      if (failed.length > 0) throw new Error(`DeleteMessageBatch refused ${failed.length} of ${Messages.length} receipts: ${JSON.stringify(failed)}`);
    }
    return Messages.length;
  };
  const consumer = async (): Promise<void> => {
    while (!drained) await receiveOnce();
  };
  // Done when nothing is delayed (nothing will become visible), nothing is in flight but what this drain kept, and
  // two receives in a row find nothing visible. ApproximateNumberOfMessages is not used: local-aws-sqs counts the
  // messages in flight in it too.
  const monitor = async (): Promise<void> => {
    let emptyChecks = 0;
    while (!drained && emptyChecks < 2) {
      await systemClock.sleep(1000);
      const depth = await queueDepth(sqs, queueUrl);
      options.onProgress?.(totals.received, depth);
      const kept = options.deleteMessages === false ? totals.received : 0;
      emptyChecks = depth.delayed === 0 && depth.inFlight === kept && (await receiveOnce()) === 0 ? emptyChecks + 1 : 0;
    }
    drained = true;
  };
  const stopOnError = (err: unknown): never => {
    drained = true;
    throw err;
  };
  await Promise.all([monitor().catch(stopOnError), ...Array.from({ length: options.consumers }, () => consumer().catch(stopOnError))]);
  return totals;
}

/** Logs warnings and errors to stderr and drops the rest: a benchmark's output is its figures. */
export const stderrLog: Log = {
  info: () => undefined,
  warn: (message, fields) => console.error(`warn: ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`error: ${message}`, fields ?? ''),
};

export function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
