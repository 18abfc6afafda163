/**
 * The dispatch benchmark (`npm run bench:dispatch -- --firings 50000 --concurrency 10`): how fast, and at what
 * request cost, the real tick (core `Ticker` + `Dispatcher` with the DynamoDB store and SQS queue adapters)
 * dispatches one window of N firings, next to the raw ceiling of the same SQS endpoint (SendMessageBatch of ten
 * at the same concurrency, no engine). It runs against dynalite and local-aws-sqs, each in a child process on
 * 127.0.0.1, counts every AWS request with SDK middleware, checks that the queue really holds N messages, and
 * prints figures, ending with one `dispatch: ...` line: the dispatch's own cost per million firings, and beside it the
 * cost of a firing end to end (`firing-cost.ts`: the consumer's receives and deletes, the tick's Lambda time from its
 * measured CPU, its invocations and the schedule's). It is a benchmark, not a test: it asserts only that the run is
 * real (all N messages arrived), and reports the rest. `--workload realistic` runs the shared realistic workload
 * (`workload.ts`) instead of the sequential ids and small payloads the figures have always been measured on.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  CeilingOptions,
  createTimerTable,
  fixed,
  freshQueue,
  median,
  seedItems,
  sendCeiling,
  stderrLog,
  verifyQueue,
  warmUpCeiling,
} from './aws-fixtures';
import { AwsMeter } from './aws-meter';
import { Emulator, LOCAL_CLIENT_CONFIG, startDynamoDbAndSqs } from './emulators';
import { endToEndCost } from './firing-cost';
import { parseFlags, wholeFlag } from './flags';
import {
  DYNAMODB_USD_PER_READ_UNIT,
  DYNAMODB_USD_PER_WRITE_UNIT,
  LAMBDA_USD_PER_GB_SECOND,
  LAMBDA_USD_PER_REQUEST,
  SQS_USD_PER_REQUEST,
} from './prices';
import { realisticWorkload, sequentialWorkload, Workload } from './workload';
import { DynamoTimerStore, timerToItem } from '../src/aws/dynamo-store';
import { SqsFiringQueue } from '../src/aws/sqs-queue';
import { Clock, Dispatcher, engineConfig, noMetrics, PeriodicTimer, shardOf, systemClock, Ticker } from '../src/core';

const USAGE = `usage: npm run bench:dispatch -- [--firings N] [--concurrency C] [--rounds R] [--workload W] [--tick-memory MB]
  --firings N       firings in each dispatched window (default 50000)
  --concurrency C   SendMessageBatch calls in flight, for the tick and the ceiling alike (default 10)
  --rounds R        ticks measured, each between two ceiling runs (default 5)
  --workload W      sequential (ids bench-N, ~50-byte payloads; the default) or realistic (UUID ids, ~300-byte
                    payloads, 10 % of ~8 KB: the workload of bench/workload.ts)
  --seed K          seed of the realistic workload (default 1)
  --tick-memory MB  the tick function's memory, for the Lambda cost of a firing (default 1769, the construct's)`;

/** The tick period and the timers' interval: one window of one period holds exactly one firing per timer. */
const PERIOD_SECONDS = 60;
const SHARD_COUNT = 1;
const TABLE_NAME = 'bench-timers';

/**
 * The construct's default tick memory (`DEFAULT_TICK_MEMORY_MB` in src/tick/tick-part.ts), not imported: that would
 * load aws-cdk-lib into the process that runs the tick being measured.
 */
const DEFAULT_TICK_MEMORY_MB = 1769;

interface Options {
  readonly firings: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly workload: Workload;
  readonly tickMemoryMb: number;
}

function parseOptions(argv: string[]): Options {
  const values = parseFlags(argv, ['firings', 'concurrency', 'rounds', 'workload', 'seed', 'tick-memory'], USAGE);
  const kind = values.workload ?? 'sequential';
  if (kind !== 'sequential' && kind !== 'realistic') throw new Error(`--workload must be sequential or realistic, got "${kind}"\n${USAGE}`);
  const seed = wholeFlag('seed', values.seed, 1, 0, 2 ** 31 - 1, USAGE);
  return {
    firings: wholeFlag('firings', values.firings, 50_000, 1, 10_000_000, USAGE),
    concurrency: wholeFlag('concurrency', values.concurrency, 10, 1, 1000, USAGE),
    rounds: wholeFlag('rounds', values.rounds, 5, 1, 20, USAGE),
    workload: kind === 'realistic' ? realisticWorkload({ seed }) : sequentialWorkload(),
    tickMemoryMb: wholeFlag('tick-memory', values['tick-memory'], DEFAULT_TICK_MEMORY_MB, 128, 10_240, USAGE),
  };
}

/** The N timers of the window [windowStart, windowStart + period): one interval, offsets spread over the period. */
function benchTimer(workload: Workload, i: number, windowStart: number): PeriodicTimer {
  const id = workload.id(i);
  const since = windowStart - 24 * 3600 * 1000;
  return {
    kind: 'periodic',
    id,
    shardId: shardOf(id, SHARD_COUNT),
    data: workload.data(i),
    createdAt: since,
    // Every firing of the window is the ticks' to send.
    tickFrom: since,
    interval: PERIOD_SECONDS,
    offset: i % PERIOD_SECONDS,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { firings: n, concurrency, rounds, workload } = options;
  const emulators: Emulator[] = [];
  let dynamodb: DynamoDBClient | undefined;
  let sqs: SQSClient | undefined;
  try {
    const { dynamodb: ddbEmulator, sqs: sqsEmulator } = await startDynamoDbAndSqs(emulators);
    dynamodb = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ddbEmulator.endpoint });
    sqs = new SQSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: sqsEmulator.endpoint });
    const meter = new AwsMeter();
    meter.attach(dynamodb, 'dynamodb');
    meter.attach(sqs, 'sqs');
    console.log(`dispatch benchmark: n=${n} firings per ${PERIOD_SECONDS} s window, concurrency=${concurrency}, rounds=${rounds}`);
    console.log(`workload: ${workload.description}`);
    console.log(`emulators: dynalite at ${ddbEmulator.endpoint}, local-aws-sqs at ${sqsEmulator.endpoint}`);

    // The window to dispatch starts on a period boundary, so the tick splits nothing: it dispatches one window.
    const windowStart = Math.ceil(Date.now() / (PERIOD_SECONDS * 1000)) * PERIOD_SECONDS * 1000 + PERIOD_SECONDS * 1000;
    const shardId = benchTimer(workload, 0, windowStart).shardId;
    const store = new DynamoTimerStore({ client: dynamodb, tableName: TABLE_NAME });

    await createTimerTable(dynamodb, TABLE_NAME);
    const seedStarted = performance.now();
    await store.registerInterval(shardId, PERIOD_SECONDS, windowStart);
    // Straight into the table, in the store's own item shape, as many as the window holds.
    await seedItems(dynamodb, TABLE_NAME, n, (i) => timerToItem(benchTimer(workload, i, windowStart)));
    await store.initShardState(shardId, windowStart);
    console.log(`seeded ${n} periodic timers (interval ${PERIOD_SECONDS} s, offsets 0..${PERIOD_SECONDS - 1}) in ${fixed((performance.now() - seedStarted) / 1000, 1)} s`);

    // The ceiling's messages: the tick's bodies and attributes.
    const ceilingOptions: CeilingOptions = { concurrency, messageAt: (i) => ({ timerId: workload.id(i), body: workload.data(i) }) };
    await warmUpCeiling(sqs, ceilingOptions, n);

    // Ceiling, ours, ceiling, ours, ..., ceiling: each run of ours is bracketed by two ceilings, whose mean is its
    // reference, so a machine whose speed drifts (shared cores, garbage collection) skews both sides alike.
    const ceilings: number[] = [];
    const ceiling = async (round: number): Promise<void> => {
      const queueUrl = await freshQueue(sqs!, 'ceiling');
      meter.reset();
      const rate = await sendCeiling(sqs!, queueUrl, n, ceilingOptions);
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
      /** CPU time of this process while the tick ran: the tick itself (the emulators are other processes). */
      tickCpuMs: 0,
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
      const cpu = process.cpuUsage();
      const report = await ticker.tick(shardId);
      const cpuUsed = process.cpuUsage(cpu);
      const seconds = (performance.now() - started) / 1000;
      totals.tickCpuMs += (cpuUsed.user + cpuUsed.system) / 1000;
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
          `${fixed(seconds, 2)} s, CPU ${fixed((cpuUsed.user + cpuUsed.system) / 1e6, 2)} s, ` +
          `first send after ${fixed(((firstSendAt ?? started) - started) / 1000, 2)} s, ` +
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
        `(claim, checkpoints, watermark, release), ${totals.queries / rounds} Query requests (pages)`,
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
        `$${fixed(DYNAMODB_USD_PER_WRITE_UNIT * 1e6, 3)}/M write units)`,
    );
    // End to end (firing-cost.ts has the arithmetic and what it assumes): each round was one scheduled tick, one
    // invocation with no deadline; its CPU time is the Lambda time it would be billed at the tick's memory.
    const e2e = endToEndCost({
      firings: totals.firings,
      dispatchUsd: totalCost,
      sendBilledRequests: totals.sqsBilled,
      tickCpuSeconds: totals.tickCpuMs / 1000,
      tickInvocations: rounds,
      scheduledTicks: rounds,
      tickMemoryMb: options.tickMemoryMb,
    });
    const perMillion = (usd: number): string => `$${fixed((usd / totals.firings) * 1e6, 4)}`;
    console.log(
      `end to end per million firings: dispatch ${perMillion(e2e.dispatch)} + consumer ReceiveMessage ${perMillion(e2e.receive)} ` +
        `(batches of 10, ${totals.sqsBilled} billed 64 KB chunks as sent) + DeleteMessageBatch ${perMillion(e2e.delete)} ` +
        `+ tick Lambda duration ${perMillion(e2e.tickDuration)} (CPU ${fixed((totals.tickCpuMs * 1000) / totals.firings, 1)} us per firing, ` +
        `${fixed((e2e.tickGbSeconds / totals.firings) * 1e6, 2)} GB-s per million at ${options.tickMemoryMb} MB, $${LAMBDA_USD_PER_GB_SECOND}/GB-s) ` +
        `+ tick invocations ${perMillion(e2e.tickRequests)} ($${fixed(LAMBDA_USD_PER_REQUEST * 1e6, 2)}/M, one per ${n} firings) ` +
        `+ schedule ${perMillion(e2e.schedule)} = ${perMillion(e2e.total)}; the callback's own invocations are the user's cost, not included`,
    );
    const endToEndPerMillion = (e2e.total / totals.firings) * 1_000_000;
    console.log(
      `dispatch: n=${n} ratio=${fixed(ratio, 2)} sqs_requests_per_1000=${fixed(perThousand(totals.sqsRequests), 1)} ` +
        `query_requests_per_1000=${fixed(perThousand(totals.queries), 2)} cost_per_million_usd=${fixed(costPerMillion, 4)} ` +
        `end_to_end_cost_per_million_usd=${fixed(endToEndPerMillion, 4)}`,
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
