/**
 * The dispatch benchmark (`npm run bench:dispatch -- --firings 50000 --concurrency 10`): how fast, and at what
 * request cost, the real tick (core `Ticker` + `Dispatcher` with the DynamoDB store and SQS queue adapters)
 * dispatches one window of N firings, next to the raw ceiling of the same SQS endpoint (SendMessageBatch of ten
 * at the same concurrency, no engine). It runs against dynalite and local-aws-sqs, each in a child process on
 * 127.0.0.1, counts every AWS request with SDK middleware, checks that the queue really holds N messages, and
 * prints figures, ending with one `dispatch: ...` line. It is a benchmark, not a test: it asserts only that the
 * run is real (all N messages arrived), and reports the rest.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import { parseArgs } from 'util';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, BatchWriteItemCommand, WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageBatchRequestEntry,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AwsMeter } from './aws-meter';
import { Emulator, LOCAL_CLIENT_CONFIG, startEmulator } from './emulators';
import { DYNAMODB_USD_PER_READ_UNIT, DYNAMODB_USD_PER_WRITE_UNIT, SQS_USD_PER_REQUEST } from './prices';
import { DynamoTimerStore, timerTableDefinition, timerToItem } from '../src/aws/dynamo-store';
import { SqsFiringQueue } from '../src/aws/sqs-queue';
import {
  Clock,
  Dispatcher,
  engineConfig,
  Log,
  messageAttributesOf,
  noMetrics,
  PeriodicTimer,
  shardOf,
  systemClock,
  Ticker,
} from '../src/core';

const USAGE = `usage: npm run bench:dispatch -- [--firings N] [--concurrency C] [--rounds R]
  --firings N      firings in each dispatched window (default 50000)
  --concurrency C  SendMessageBatch calls in flight, for the tick and the ceiling alike (default 10)
  --rounds R       ticks measured, each between two ceiling runs (default 5)`;

/** The tick period and the timers' interval: one window of one period holds exactly one firing per timer. */
const PERIOD_SECONDS = 60;
const SHARD_COUNT = 1;
const TABLE_NAME = 'bench-timers';
/** BatchWriteItem takes at most 25 items. */
const SEED_BATCH = 25;
const SEED_CONCURRENCY = 8;
/** Messages sent before measuring, so neither side pays for connection set-up and JIT warm-up. */
const WARM_UP_MESSAGES = 2_000;
/** The ceiling's messages are delayed like the tick's, so both queues hold their messages the same way. */
const CEILING_DELAY_SECONDS = 90;

interface Options {
  readonly firings: number;
  readonly concurrency: number;
  readonly rounds: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { firings: { type: 'string' }, concurrency: { type: 'string' }, rounds: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (name: string, text: string | undefined, fallback: number, max: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`--${name} must be a whole number from 1 to ${max}, got "${text}"\n${USAGE}`);
    }
    return value;
  };
  return {
    firings: whole('firings', values.firings, 50_000, 10_000_000),
    concurrency: whole('concurrency', values.concurrency, 10, 1000),
    rounds: whole('rounds', values.rounds, 5, 20),
  };
}

/** The body every firing carries: a small JSON object, as a typical callback payload. */
function callbackData(i: number): string {
  return JSON.stringify({ job: 'bench', tenant: `tenant-${i % 97}`, seq: i });
}

function timerId(i: number): string {
  return `bench-${String(i).padStart(8, '0')}`;
}

/** The N timers of the window [windowStart, windowStart + period): one interval, offsets spread over the period. */
function benchTimer(i: number, windowStart: number): PeriodicTimer {
  const id = timerId(i);
  return {
    kind: 'periodic',
    id,
    shardId: shardOf(id, SHARD_COUNT),
    data: callbackData(i),
    createdAt: windowStart - 24 * 3600 * 1000,
    interval: PERIOD_SECONDS,
    offset: i % PERIOD_SECONDS,
  };
}

/** Runs `count` tasks with at most `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Writes the timers with BatchWriteItem in the store's own item shape (`timerToItem`), retrying what is unprocessed. */
async function seedTimers(client: DynamoDBClient, timers: readonly PeriodicTimer[]): Promise<void> {
  const batches = Math.ceil(timers.length / SEED_BATCH);
  await inParallel(batches, SEED_CONCURRENCY, async (b) => {
    let requests: WriteRequest[] = timers
      .slice(b * SEED_BATCH, (b + 1) * SEED_BATCH)
      .map((timer) => ({ PutRequest: { Item: timerToItem(timer) } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`seeding: ${requests.length} timers still unprocessed after 10 BatchWriteItem attempts`);
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE_NAME]: requests } }));
      requests = out.UnprocessedItems?.[TABLE_NAME] ?? [];
    }
  });
}

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(new CreateTableCommand(timerTableDefinition(TABLE_NAME)));
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')) return;
    await systemClock.sleep(50);
  }
  throw new Error(`table ${TABLE_NAME} did not become ACTIVE in 5 s`);
}

/** Messages a queue holds in any state (visible, in flight, delayed). */
async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Fails the run unless the queue holds exactly the messages that were sent: the figures must come from real sends. */
async function verifyQueue(sqs: SQSClient, queueUrl: string, expected: number, label: string): Promise<void> {
  const held = await messagesIn(sqs, queueUrl);
  if (held !== expected) {
    throw new Error(`${label}: the queue holds ${held} messages but ${expected} were to be sent; the run's figures are not valid`);
  }
}

let queueSequence = 0;

async function freshQueue(sqs: SQSClient, label: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${label}-${++queueSequence}` }));
  if (!QueueUrl) throw new Error(`CreateQueue for ${label} returned no QueueUrl`);
  return QueueUrl;
}

/**
 * The raw ceiling: N messages shaped like the tick's (same bodies, same four attributes), sent with SendMessageBatch
 * of ten at the given concurrency, nothing else. Returns firings per second.
 */
async function runCeiling(sqs: SQSClient, queueUrl: string, firings: number, concurrency: number): Promise<number> {
  const scheduledAt = Date.now() + CEILING_DELAY_SECONDS * 1000;
  const started = performance.now();
  await inParallel(Math.ceil(firings / 10), concurrency, async (b) => {
    let entries: SendMessageBatchRequestEntry[] = [];
    for (let i = b * 10; i < Math.min(firings, (b + 1) * 10); i++) {
      const attributes = messageAttributesOf({ timerId: timerId(i), kind: 'periodic', scheduledAt, body: callbackData(i) });
      entries.push({
        Id: String(i % 10),
        MessageBody: callbackData(i),
        DelaySeconds: CEILING_DELAY_SECONDS,
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      });
    }
    for (let attempt = 1; entries.length > 0; attempt++) {
      if (attempt > 6) throw new Error(`ceiling: ${entries.length} messages refused after 6 attempts`);
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((entry) => failed.has(entry.Id));
    }
  });
  return firings / ((performance.now() - started) / 1000);
}

const stderrLog: Log = {
  info: () => undefined,
  warn: (message, fields) => console.error(`warn: ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`error: ${message}`, fields ?? ''),
};

function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { firings: n, concurrency, rounds } = options;
  const emulators: Emulator[] = [];
  let dynamodb: DynamoDBClient | undefined;
  let sqs: SQSClient | undefined;
  try {
    // One at a time, so that whichever started is stopped in `finally` if the other fails.
    const ddbEmulator = await startEmulator('dynamodb');
    emulators.push(ddbEmulator);
    const sqsEmulator = await startEmulator('sqs');
    emulators.push(sqsEmulator);
    dynamodb = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ddbEmulator.endpoint });
    sqs = new SQSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: sqsEmulator.endpoint });
    const meter = new AwsMeter();
    meter.attach(dynamodb, 'dynamodb');
    meter.attach(sqs, 'sqs');
    console.log(`dispatch benchmark: n=${n} firings per ${PERIOD_SECONDS} s window, concurrency=${concurrency}, rounds=${rounds}`);
    console.log(`emulators: dynalite at ${ddbEmulator.endpoint}, local-aws-sqs at ${sqsEmulator.endpoint}`);

    // The window to dispatch starts on a period boundary, so the tick splits nothing: it dispatches one window.
    const windowStart = Math.ceil(Date.now() / (PERIOD_SECONDS * 1000)) * PERIOD_SECONDS * 1000 + PERIOD_SECONDS * 1000;
    const timers = Array.from({ length: n }, (_, i) => benchTimer(i, windowStart));
    const shardId = timers[0].shardId;
    const store = new DynamoTimerStore({ client: dynamodb, tableName: TABLE_NAME });

    await createTable(dynamodb);
    const seedStarted = performance.now();
    await seedTimers(dynamodb, timers);
    await store.registerInterval(shardId, PERIOD_SECONDS);
    await store.initShardState(shardId, windowStart);
    console.log(`seeded ${n} periodic timers (interval ${PERIOD_SECONDS} s, offsets 0..${PERIOD_SECONDS - 1}) in ${fixed((performance.now() - seedStarted) / 1000, 1)} s`);

    const warmUpQueue = await freshQueue(sqs, 'warm-up');
    await runCeiling(sqs, warmUpQueue, Math.min(WARM_UP_MESSAGES, n), concurrency);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: warmUpQueue }));

    // Ceiling, ours, ceiling, ours, ..., ceiling: each run of ours is bracketed by two ceilings, whose mean is its
    // reference, so a machine whose speed drifts (shared cores, garbage collection) skews both sides alike.
    const ceilings: number[] = [];
    const ceiling = async (round: number): Promise<void> => {
      const queueUrl = await freshQueue(sqs!, 'ceiling');
      meter.reset();
      const rate = await runCeiling(sqs!, queueUrl, n, concurrency);
      console.log(`ceiling #${round}: ${fixed(rate, 0)} firings/s (SendMessageBatch of 10, concurrency ${concurrency}); requests: ${meter.describe()}`);
      await verifyQueue(sqs!, queueUrl, n, `ceiling #${round}`);
      await sqs!.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      ceilings.push(rate);
    };

    const config = engineConfig({ shardCount: SHARD_COUNT, periodSeconds: PERIOD_SECONDS, batchConcurrency: concurrency });
    const oursRates: number[] = [];
    const totals = {
      firings: 0,
      sqsRequests: 0,
      sqsBilled: 0,
      queries: 0,
      getItems: 0,
      stateWrites: 0,
      readUnits: 0,
      readUnitsFromBytes: 0,
      writeUnits: 0,
      reported: 0,
      computed: 0,
    };
    const costs = { sqs: 0, dynamodbReads: 0, dynamodbWrites: 0 };
    const ours = async (round: number): Promise<void> => {
      const queueUrl = await freshQueue(sqs!, 'tick');
      // Each round dispatches the next window: the previous tick left the watermark at its start.
      const start = windowStart + (round - 1) * config.windowMs;
      // The engine's clock runs at real speed, set so that its look-ahead ends exactly at the end of the window:
      // the tick finds watermark = start and dispatches [start, start + period) once.
      const shift = start + config.windowMs - config.lookAheadMs - Date.now();
      const clock: Clock = { now: () => Date.now() + shift, sleep: systemClock.sleep };
      const sqsQueue = new SqsFiringQueue({ client: sqs!, queueUrl });
      let firstSendAt: number | undefined;
      const dispatcher = new Dispatcher({
        queue: {
          sendBatch: (entries) => {
            firstSendAt ??= performance.now();
            return sqsQueue.sendBatch(entries);
          },
        },
        clock,
        concurrency: config.batchConcurrency,
        metrics: noMetrics,
        log: stderrLog,
      });
      const ticker = new Ticker(config, { store, dispatcher, clock, metrics: noMetrics, log: stderrLog });
      meter.reset();
      const started = performance.now();
      const report = await ticker.tick(shardId);
      const seconds = (performance.now() - started) / 1000;
      const rate = report.dispatched / seconds;
      // Everything the tick sent, read and wrote, taken before the verification's own requests.
      const cost = meter.costUsd();
      totals.firings += report.dispatched;
      totals.sqsRequests += meter.total('sqs');
      totals.sqsBilled += meter.sqsBilledRequests;
      totals.queries += meter.count('dynamodb:Query');
      totals.getItems += meter.count('dynamodb:GetItem');
      totals.stateWrites += meter.count('dynamodb:UpdateItem') + meter.count('dynamodb:PutItem');
      totals.readUnits += meter.readUnits;
      totals.readUnitsFromBytes += meter.readUnitsFromBytes;
      totals.writeUnits += meter.writeUnits;
      totals.reported += meter.unitsReported;
      totals.computed += meter.unitsComputed;
      costs.sqs += cost.sqs;
      costs.dynamodbReads += cost.dynamodbReads;
      costs.dynamodbWrites += cost.dynamodbWrites;
      console.log(
        `ours #${round}: ${fixed(rate, 0)} firings/s (one tick: ${report.windows} window, ${report.dispatched} dispatched, ${report.late} late, ` +
          `${fixed(seconds, 2)} s, first send after ${fixed(((firstSendAt ?? started) - started) / 1000, 2)} s, ` +
          `${fixed(meter.waited('dynamodb:Query') / 1000, 2)} s of Query requests in flight); requests: ${meter.describe()}`,
      );
      if (report.skipped || report.windows !== 1 || report.dispatched !== n) {
        throw new Error(
          `the tick was to dispatch one window of ${n} firings, but reported ${JSON.stringify(report)}; check the clock set-up of this benchmark`,
        );
      }
      await verifyQueue(sqs!, queueUrl, n, `ours #${round}`);
      await sqs!.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      oursRates.push(rate);
    };

    await ceiling(1);
    for (let round = 1; round <= rounds; round++) {
      await ours(round);
      await ceiling(round + 1);
    }
    console.log(`verified: every queue held exactly the ${n} messages sent to it (visible + in flight + delayed)`);

    const ratios = oursRates.map((rate, i) => rate / ((ceilings[i] + ceilings[i + 1]) / 2));
    const ratio = median(ratios);
    const perThousand = (count: number): number => (count * 1000) / totals.firings;
    const totalCost = costs.sqs + costs.dynamodbReads + costs.dynamodbWrites;
    const costPerMillion = (totalCost / totals.firings) * 1_000_000;
    console.log(
      `ceiling: ${ceilings.map((c) => fixed(c, 0)).join(', ')} firings/s; ours: ${oursRates.map((c) => fixed(c, 0)).join(', ')} firings/s; ` +
        `ours/ceiling per round: ${ratios.map((r) => fixed(r, 3)).join(', ')} (median ${fixed(ratio, 3)})`,
    );
    console.log(
      `per tick (not per firing): ${totals.getItems / rounds} GetItem (shard state), ${totals.stateWrites / rounds} shard-state writes ` +
        `(claim, watermark, release), ${totals.queries / rounds} Query requests (pages)`,
    );
    console.log(
      `capacity over ${rounds} tick(s): ${totals.readUnits} read units, ${totals.writeUnits} write units ` +
        `(${totals.reported} responses reported by the emulator, ${totals.computed} computed from returned bytes; ` +
        `computed from bytes for all reads: ${totals.readUnitsFromBytes} read units); ` +
        `SQS billed requests ${totals.sqsBilled} (64 KB chunks)`,
    );
    console.log(
      `cost per million firings: SQS $${fixed((costs.sqs / totals.firings) * 1e6, 4)} + DynamoDB reads $${fixed((costs.dynamodbReads / totals.firings) * 1e6, 4)} + ` +
        `DynamoDB writes $${fixed((costs.dynamodbWrites / totals.firings) * 1e6, 4)} ` +
        `(SQS $${fixed(SQS_USD_PER_REQUEST * 1e6, 2)}/M requests, DynamoDB $${fixed(DYNAMODB_USD_PER_READ_UNIT * 1e6, 3)}/M read units, ` +
        `$${fixed(DYNAMODB_USD_PER_WRITE_UNIT * 1e6, 3)}/M write units; Lambda compute of the tick is not included)`,
    );
    console.log(
      `dispatch: n=${n} ratio=${fixed(ratio, 2)} sqs_requests_per_1000=${fixed(perThousand(totals.sqsRequests), 1)} ` +
        `query_requests_per_1000=${fixed(perThousand(totals.queries), 2)} cost_per_million_usd=${fixed(costPerMillion, 4)}`,
    );
  } finally {
    dynamodb?.destroy();
    sqs?.destroy();
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
