/**
 * One shard at scale (`npm run bench:tick-scale`; `-- --timers 20000 --deadline 2` for a smoke run): does the tick
 * dispatch a window of 300,000 periodic timers exactly once, in several invocations that each stop before a short
 * deadline and hand over to the next, in bounded memory, and how close to the raw SendMessageBatch ceiling? It runs
 * against dynalite and local-aws-sqs (each in a child process), and prints figures, ending with one line:
 * `tick-scale: timers=... firings=... firings_per_s=... invocations=... peak_rss_mb=... missing=... duplicates=...`.
 * It is a benchmark, not a test: it fails only when the run itself is not valid, and prints whether the targets
 * (missing=0, duplicates=0, peak_rss_mb <= 256, firings_per_s >= 0.8x the ceiling) were met.
 *
 * Processes: this one seeds the table, sends the ceiling, plays the schedule and the Lambda service
 * (`tick-service.ts`) and counts what the queue received; the tick runs in a container process of its own
 * (`tick-container.ts`, bundled as the tick's asset is: the handler logic of `tick.lambda.ts`, `createTickHandler`
 * over what `adaptersFromEnv` builds, the real DynamoTimerStore and SqsFiringQueue), so its peak RSS is its own.
 *
 * 1. The timers of the shared workload (`workload.ts`: UUID v4 ids, ~300-byte JSON payloads, 10 % of ~8 KB) are
 *    written straight into the table with BatchWriteItem, in the store's own item mapping, each with its default
 *    offset (the id's hash, as the API gives it), so they spread over the interval as users' timers do. A second
 *    shard holds 3,000 more, dispatched once before anything is measured, to warm the container up.
 * 2. The schedule fires once per window. Every invocation of the chain that a scheduled tick starts (the scheduled
 *    one and each continuation) finds the engine's clock at the instant that window became due (its end entering
 *    the look-ahead), and the clock runs at real speed within the invocation: its deadline is real, and the chain
 *    dispatches that window alone, however long it takes this machine. (On AWS, a continuation started later looks
 *    further ahead and takes in the next window's first seconds; here that would make what a chain sends depend on
 *    the machine's speed.) Between windows the clock moves on by one period. Each invocation stops before its
 *    deadline, checkpoints, and `continueTick` queues the next invocation with the service, which starts it as soon
 *    as the container is free; a chain ends with an invocation that asks for no continuation. An invocation still
 *    running at its deadline is killed, as Lambda kills it, and the next scheduled tick resumes its window.
 * 3. The raw ceiling (`aws-fixtures.ts`: the same payloads and attributes, SendMessageBatch at the same concurrency,
 *    no engine) runs before the first window, between windows and after the last; `firings_per_s` is the firings
 *    sent over the time the chains ran (hand-overs included, the pauses between windows not), compared with the
 *    mean of the ceilings.
 * 4. Counting, after the last window: every message is received (ReceiveMessage of ten, long polling) and deleted
 *    (DeleteMessageBatch), as a consumer does. What proves missing=0 and duplicates=0: each message is recorded under
 *    its FiringId (its TimerId and ScheduledAt, checked to match the FiringId attribute) in a slot per firing owed
 *    (every timer's occurrences from the first window's start to the shard's final watermark, from its offset); a
 *    slot never filled is missing, every message beyond the first in a slot is a duplicate, and a message with no
 *    slot is unexpected. The tick's messages are delayed by 60 to 120 s (DelaySeconds to their target second), and
 *    the count waits them out: it ends only when ApproximateNumberOfMessagesDelayed is 0 (nothing left to become
 *    visible), nothing is in flight, and two ReceiveMessage calls in a row find nothing (local-aws-sqs's counts are
 *    exact). The visibility timeout outlasts the count, so SQS redelivers nothing: a duplicate is one the tick sent.
 *    Bodies are compared with the workload's too.
 * 5. One window by default: local-aws-sqs keeps a queue's messages in an array that every delete splices, so counting
 *    slows as the queue grows (about 1,100 messages a second for a window of 300,000 here, and less than half that for
 *    two); `--windows N` ticks N windows one after the other.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand, Message, SQSClient } from '@aws-sdk/client-sqs';
import {
  CeilingOptions,
  createTimerTable,
  drainQueue,
  fixed,
  freshQueue,
  median,
  queueDepth,
  seedItems,
  sendCeiling,
  verifyQueue,
  warmUpCeiling,
} from './aws-fixtures';
import { Emulator, LOCAL_CLIENT_CONFIG, startDynamoDbAndSqs } from './emulators';
import { numberFlag, parseFlags, wholeFlag } from './flags';
import { Chain, TickService } from './tick-service';
import { payloadStats, realisticWorkload, Workload } from './workload';
import { timerToItem } from '../src/aws/dynamo-store';
import { adaptersFromEnv, engineConfigFromEnv } from '../src/aws/engine-from-env';
import { defaultOffsetOf, MessageAttribute, PeriodicTimer, shardName, Timer } from '../src/core';
import { Envar } from '../src/envars';

const USAGE = `usage: npm run bench:tick-scale -- [flags]
  --timers N          periodic timers in the shard (default 300000)
  --interval S        their interval in seconds (default 60)
  --deadline S        how long each tick invocation may run, the Lambda timeout (default 5)
  --concurrency C     SendMessageBatch calls in flight, for the tick and the ceiling alike (default 10)
  --windows W         windows of one period ticked one after the other (default 1; each adds its firings to the
                      queue that is counted, and local-aws-sqs's receive and delete slow down as it grows)
  --ceiling N         messages of each ceiling run (default: as many as the timers, at most 50000)
  --seed K            seed of the workload's ids and payloads (default 1)
  --large-fraction F  share of the payloads of about 8 KB (default 0.1)`;

/** The construct's default period: one window, one scheduled tick, per minute. */
const PERIOD_SECONDS = 60;
/**
 * The deployment has two shards: the one measured holds every timer of the workload; the other holds a few timers
 * that one chain dispatches first, unmeasured, so that the container is warm (its JIT and connections), as the
 * ceiling's first messages warm its side, and as a tick's container is from its second period on.
 */
const SHARD_COUNT = 2;
const MEASURED_SHARD = shardName(0);
const WARM_UP_SHARD = shardName(1);
const WARM_UP_TIMERS = 3_000;
const WARM_UP_ID_PREFIX = 'warm-up-';
const TABLE_NAME = 'bench-tick-scale';
const RSS_TARGET_MB = 256;
const RATIO_TARGET = 0.8;
/** Consumers of the count: local-aws-sqs looks for messages every 10 ms, so each ReceiveMessage takes at least that. */
const DRAIN_CONSUMERS = 16;
/** BatchWriteItem requests in flight while seeding: dynalite takes them fastest at about this many. */
const SEED_CONCURRENCY = 4;
/** More chains than windows means invocations were killed and scheduled ticks had to resume their work. */
const EXTRA_CHAINS_ALLOWED = 3;

interface Options {
  readonly timers: number;
  readonly intervalSeconds: number;
  readonly deadlineSeconds: number;
  readonly concurrency: number;
  readonly windows: number;
  readonly ceilingMessages: number;
  readonly seed: number;
  readonly largeFraction: number;
}

function parseOptions(argv: string[]): Options {
  const values = parseFlags(argv, ['timers', 'interval', 'deadline', 'concurrency', 'windows', 'ceiling', 'seed', 'large-fraction'], USAGE);
  const timers = wholeFlag('timers', values.timers, 300_000, 1, 5_000_000, USAGE);
  return {
    timers,
    intervalSeconds: wholeFlag('interval', values.interval, 60, 1, 7 * 86_400, USAGE),
    deadlineSeconds: numberFlag('deadline', values.deadline, 5, 2, 900, USAGE),
    concurrency: wholeFlag('concurrency', values.concurrency, 10, 1, 1000, USAGE),
    windows: wholeFlag('windows', values.windows, 1, 1, 60, USAGE),
    ceilingMessages: wholeFlag('ceiling', values.ceiling, Math.min(timers, 50_000), 1_000, 5_000_000, USAGE),
    seed: wholeFlag('seed', values.seed, 1, 0, 2 ** 31 - 1, USAGE),
    largeFraction: numberFlag('large-fraction', values['large-fraction'], 0.1, 0, 1, USAGE),
  };
}

/**
 * How a timer becomes a table item: the store's own mapping, so the tick reads exactly what the API would have
 * written. The one place to change if the store's exported helpers change.
 */
const itemOfTimer: (timer: Timer) => Record<string, AttributeValue> = timerToItem;

/**
 * Timer `index` of the workload: periodic, in the measured shard (every one of them, whatever shard its id would hash
 * to), at its default offset, owed to the ticks since `since`.
 */
function timerAt(workload: Workload, index: number, intervalSeconds: number, since: number, shardId = MEASURED_SHARD): PeriodicTimer {
  const id = workload.id(index);
  return {
    kind: 'periodic',
    id,
    shardId,
    data: workload.data(index),
    createdAt: since,
    tickFrom: since,
    interval: intervalSeconds,
    offset: defaultOffsetOf(id, intervalSeconds),
  };
}

/**
 * Every message the queue delivered, recorded under its firing: one slot per firing the timers owe over
 * [spanStart, spanEnd), so that a slot left empty is a missing firing and a slot filled twice a duplicate.
 */
class FiringCounter {
  received = 0;
  /** Messages of the warm-up shard's timers: counted apart. */
  warmUp = 0;
  unexpected = 0;
  /** Messages whose FiringId attribute is not `{TimerId}@{ScheduledAt}`. */
  badFiringIds = 0;
  /** Messages whose body is not the timer's payload. */
  badBodies = 0;
  private readonly indexOf = new Map<string, number>();
  /** First occurrence of each timer at or after spanStart (epoch ms). */
  private readonly first: Float64Array;
  private readonly slotsPerTimer: number;
  private readonly counts: Uint8Array;
  private readonly intervalMs: number;

  constructor(
    private readonly workload: Workload,
    private readonly timers: number,
    intervalSeconds: number,
    spanStart: number,
    private readonly spanEnd: number,
  ) {
    this.intervalMs = intervalSeconds * 1000;
    this.first = new Float64Array(timers);
    for (let i = 0; i < timers; i++) {
      const id = workload.id(i);
      this.indexOf.set(id, i);
      const phaseMs = defaultOffsetOf(id, intervalSeconds) * 1000;
      this.first[i] = spanStart + ((((phaseMs - spanStart) % this.intervalMs) + this.intervalMs) % this.intervalMs);
    }
    this.slotsPerTimer = Math.ceil((spanEnd - spanStart) / this.intervalMs);
    this.counts = new Uint8Array(timers * this.slotsPerTimer);
  }

  /** Firings owed over the span: the slots that must each be filled once. */
  get expected(): number {
    let n = 0;
    for (let i = 0; i < this.timers; i++) n += this.occurrences(i);
    return n;
  }

  record(messages: readonly Message[]): void {
    for (const message of messages) {
      this.received++;
      const attribute = (name: string): string | undefined => message.MessageAttributes?.[name]?.StringValue;
      const timerId = attribute(MessageAttribute.TIMER_ID) ?? '';
      if (timerId.startsWith(WARM_UP_ID_PREFIX)) {
        this.received--;
        this.warmUp++;
        continue;
      }
      const scheduledAt = Number(attribute(MessageAttribute.SCHEDULED_AT));
      if (attribute(MessageAttribute.FIRING_ID) !== `${timerId}@${attribute(MessageAttribute.SCHEDULED_AT)}`) this.badFiringIds++;
      const index = this.indexOf.get(timerId);
      const k = index === undefined ? NaN : (scheduledAt - this.first[index]) / this.intervalMs;
      if (index === undefined || !Number.isInteger(k) || k < 0 || k >= this.occurrences(index)) {
        this.unexpected++;
        continue;
      }
      if (message.Body !== this.workload.data(index)) this.badBodies++;
      const slot = index * this.slotsPerTimer + k;
      if (this.counts[slot] < 255) this.counts[slot]++;
    }
  }

  summary(): { expected: number; distinct: number; missing: number; duplicates: number } {
    let distinct = 0;
    let duplicates = 0;
    for (let i = 0; i < this.timers; i++) {
      for (let k = 0; k < this.occurrences(i); k++) {
        const count = this.counts[i * this.slotsPerTimer + k];
        if (count > 0) distinct++;
        if (count > 1) duplicates += count - 1;
      }
    }
    const expected = this.expected;
    return { expected, distinct, missing: expected - distinct, duplicates };
  }

  private occurrences(index: number): number {
    const first = this.first[index];
    return first >= this.spanEnd ? 0 : Math.ceil((this.spanEnd - first) / this.intervalMs);
  }
}

function describeRequests(requests: Readonly<Record<string, number>>): string {
  return Object.entries(requests)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key}=${n}`)
    .join(' ');
}

function sumRequests(chains: readonly Chain[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const invocation of chains.flatMap((chain) => chain.invocations)) {
    for (const [key, n] of Object.entries(invocation.requests)) total[key] = (total[key] ?? 0) + n;
  }
  return total;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { timers, intervalSeconds, deadlineSeconds, concurrency, windows } = options;
  const workload = realisticWorkload({ seed: options.seed, largeFraction: options.largeFraction });
  const emulators: Emulator[] = [];
  let dynamodb: DynamoDBClient | undefined;
  let sqs: SQSClient | undefined;
  let counting: SQSClient | undefined;
  let service: TickService | undefined;
  try {
    const { dynamodb: ddbEmulator, sqs: sqsEmulator } = await startDynamoDbAndSqs(emulators);
    dynamodb = new DynamoDBClient({ ...LOCAL_CLIENT_CONFIG, endpoint: ddbEmulator.endpoint });
    sqs = new SQSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: sqsEmulator.endpoint });
    console.log(
      `tick-scale benchmark: ${timers} periodic timers of interval ${intervalSeconds} s in one shard, period ${PERIOD_SECONDS} s, ` +
        `${windows} window(s), invocation deadline ${deadlineSeconds} s, concurrency ${concurrency}`,
    );
    console.log(`workload: ${workload.description}`);
    console.log(`emulators: dynalite at ${ddbEmulator.endpoint}, local-aws-sqs at ${sqsEmulator.endpoint}`);

    await createTimerTable(dynamodb, TABLE_NAME);
    const queueUrl = await freshQueue(sqs, 'tick');
    // What the construct sets on the tick function, plus the emulators and throwaway credentials in place of AWS's.
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: LOCAL_CLIENT_CONFIG.region,
      AWS_ACCESS_KEY_ID: LOCAL_CLIENT_CONFIG.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CLIENT_CONFIG.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: ddbEmulator.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEmulator.endpoint,
      AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
      [Envar.TABLE_NAME]: TABLE_NAME,
      [Envar.QUEUE_URL]: queueUrl,
      [Envar.SHARD_COUNT]: String(SHARD_COUNT),
      [Envar.PERIOD_SECONDS]: String(PERIOD_SECONDS),
      [Envar.BATCH_CONCURRENCY]: String(concurrency),
    };
    const config = engineConfigFromEnv(env);
    const { store } = adaptersFromEnv(env, { dynamodb, sqs });

    // The first window starts on a period boundary a little ahead; the timers are owed to the ticks since long before.
    const spanStart = Math.ceil(Date.now() / config.windowMs) * config.windowMs + config.windowMs;
    const since = spanStart - 86_400_000;
    const shardId = MEASURED_SHARD;
    const payloads = payloadStats(workload, timers);
    console.log(
      `payloads: mean ${fixed(payloads.meanBytes, 0)} bytes, largest ${payloads.largest}, ${payloads.overKiB} over 1 KiB ` +
        `(${fixed((payloads.overKiB / timers) * 100, 1)} %)`,
    );

    const seedStarted = performance.now();
    let lastReport = seedStarted;
    await store.registerInterval(shardId, intervalSeconds, spanStart);
    await seedItems(dynamodb, TABLE_NAME, timers, (i) => itemOfTimer(timerAt(workload, i, intervalSeconds, since)), {
      concurrency: SEED_CONCURRENCY,
      onProgress: (written) => {
        if (performance.now() - lastReport < 15_000) return;
        lastReport = performance.now();
        console.log(`  seeding: ${written} of ${timers} (${fixed(written / ((lastReport - seedStarted) / 1000), 0)} items/s)`);
      },
    });
    await store.initShardState(shardId, spanStart);
    const warmUpWorkload: Workload = { ...workload, id: (i) => `${WARM_UP_ID_PREFIX}${i}` };
    await store.registerInterval(WARM_UP_SHARD, intervalSeconds, spanStart);
    await seedItems(dynamodb, TABLE_NAME, WARM_UP_TIMERS, (i) => itemOfTimer(timerAt(warmUpWorkload, i, intervalSeconds, since, WARM_UP_SHARD)));
    await store.initShardState(WARM_UP_SHARD, spanStart);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(`seeded ${timers} timers with BatchWriteItem in ${fixed(seedSeconds, 1)} s (${fixed(timers / seedSeconds, 0)} items/s)`);

    // The ceiling's messages: timer i's payload and attributes, as the tick sends them.
    const ceilingOptions: CeilingOptions = {
      concurrency,
      messageAt: (i) => ({ timerId: workload.id(i % timers), body: workload.data(i % timers) }),
    };
    await warmUpCeiling(sqs, ceilingOptions);
    const ceilings: number[] = [];
    const ceiling = async (round: number): Promise<void> => {
      const ceilingQueue = await freshQueue(sqs!, 'ceiling');
      const rate = await sendCeiling(sqs!, ceilingQueue, options.ceilingMessages, ceilingOptions);
      await verifyQueue(sqs!, ceilingQueue, options.ceilingMessages, `ceiling #${round}`);
      await sqs!.send(new DeleteQueueCommand({ QueueUrl: ceilingQueue }));
      console.log(`ceiling #${round}: ${fixed(rate, 0)} firings/s (${options.ceilingMessages} messages, SendMessageBatch at concurrency ${concurrency})`);
      ceilings.push(rate);
    };

    service = new TickService({ env, timeoutMs: deadlineSeconds * 1000 });
    await service.warm();
    const readyRssMb = service.readyRssMb;
    const warmUpChain = await service.runChain({ shardId: WARM_UP_SHARD }, () => spanStart + config.windowMs - config.lookAheadMs);
    console.log(
      `tick container ready in ${fixed(service.containerStartMs / 1000, 1)} s, RSS ${fixed(readyRssMb, 0)} MB before its first invocation; ` +
        `warmed up on ${shardName(1)}: ${warmUpChain.dispatched} firings in ${warmUpChain.invocations.length} invocation(s)`,
    );

    const spanEnd = spanStart + windows * config.windowMs;
    const chains: Chain[] = [];
    await ceiling(1);
    let watermark = spanStart;
    for (let w = 0; watermark < spanEnd; w++) {
      if (w >= windows + EXTRA_CHAINS_ALLOWED) {
        throw new Error(`after ${w} scheduled ticks the shard's watermark is ${watermark}, short of ${spanEnd}: the tick does not finish its windows`);
      }
      // The instant window w becomes due: its end enters the look-ahead.
      const dueAt = spanStart + (w + 1) * config.windowMs - config.lookAheadMs;
      const chain = await service.runChain({ shardId }, () => dueAt);
      chains.push(chain);
      const state = await store.getShardState(shardId);
      watermark = state?.watermark ?? watermark;
      const killed = chain.invocations.filter((invocation) => invocation.timedOut).length;
      const errors = chain.invocations.filter((invocation) => invocation.error);
      console.log(
        `window #${w + 1}: ${chain.dispatched} firings in ${chain.invocations.length} invocations, ${fixed(chain.durationMs / 1000, 1)} s ` +
          `(${fixed(chain.dispatched / (chain.durationMs / 1000), 0)} firings/s); per invocation: ` +
          chain.invocations.map((invocation) => invocation.report?.dispatched ?? (invocation.timedOut ? 'killed' : 'error')).join(', ') +
          `; watermark now ${new Date(watermark).toISOString()}${killed ? `; ${killed} killed at the deadline` : ''}`,
      );
      for (const invocation of errors) console.error(`  invocation ${JSON.stringify(invocation.event)} failed: ${invocation.error}`);
      await ceiling(w + 2);
    }

    const dispatched = chains.reduce((n, chain) => n + chain.dispatched, 0);
    const counter = new FiringCounter(workload, timers, intervalSeconds, spanStart, watermark);
    // The count's own client skips the SDK's MD5 check of each body: the counter compares every body with the
    // workload's instead, and the check's CPU would only make counting slower.
    counting = new SQSClient({ ...LOCAL_CLIENT_CONFIG, endpoint: sqsEmulator.endpoint, md5: false });
    const drainStarted = performance.now();
    let lastProgress = drainStarted;
    const drain = await drainQueue(counting, queueUrl, {
      consumers: DRAIN_CONSUMERS,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 43_200,
      onMessages: (messages) => counter.record(messages),
      onProgress: (received, depth) => {
        if (performance.now() - lastProgress < 15_000) return;
        lastProgress = performance.now();
        console.log(`  counting: ${received} received; the queue holds ${depth.visible} visible, ${depth.delayed} delayed, ${depth.inFlight} in flight`);
      },
    });
    const finalDepth = await queueDepth(sqs, queueUrl);
    const count = counter.summary();
    console.log(
      `counted: ${drain.received} messages received in ${fixed((performance.now() - drainStarted) / 1000, 1)} s ` +
        `(${drain.receiveRequests} ReceiveMessage, ${drain.emptyReceives} of them empty; ${drain.deleteRequests} DeleteMessageBatch); ` +
        `the queue then held ${finalDepth.total}; ${counter.warmUp} of the warm-up; ${count.expected} firings owed over ` +
        `[${new Date(spanStart).toISOString()}, ${new Date(watermark).toISOString()}), ${count.distinct} received, ` +
        `${counter.unexpected} unexpected, ${counter.badFiringIds} with a wrong FiringId, ${counter.badBodies} with a wrong body`,
    );

    const invocations = chains.flatMap((chain) => chain.invocations);
    const tickSeconds = chains.reduce((s, chain) => s + chain.durationMs, 0) / 1000;
    const firingsPerSecond = dispatched / tickSeconds;
    const meanCeiling = ceilings.reduce((a, b) => a + b, 0) / ceilings.length;
    const ratio = firingsPerSecond / meanCeiling;
    const perWindow = chains.map((chain, w) => chain.dispatched / (chain.durationMs / 1000) / ((ceilings[w] + ceilings[w + 1]) / 2));
    const cpuMs = invocations.reduce((s, invocation) => s + invocation.cpuMs, 0);
    // What an invocation spends before it sends (shard state, claim, intervals, first Query page): the price of a hand-over.
    const setUpMs = invocations.flatMap((invocation) => (invocation.firstSendMs === undefined ? [] : [invocation.firstSendMs]));
    const killed = invocations.filter((invocation) => invocation.timedOut).length;
    const failed = invocations.filter((invocation) => invocation.error).length;
    const peakRss = service.peakRssMb;
    console.log(
      `tick: ${invocations.length} invocations (${chains.length} scheduled, ${invocations.length - chains.length} continuations; ` +
        `${killed} killed at the deadline, ${failed} failed, ${service.coldStarts} container start(s)); ` +
        `longest ${fixed(Math.max(...invocations.map((i) => i.endedAt - i.startedAt)) / 1000, 2)} s of ${deadlineSeconds} s; ` +
        `first send after ${fixed(setUpMs.length ? median(setUpMs) : 0, 0)} ms (median; longest ${fixed(Math.max(0, ...setUpMs), 0)}); ` +
        `CPU ${fixed((cpuMs * 1000) / Math.max(1, dispatched), 1)} us per firing; requests: ${describeRequests(sumRequests(chains))}`,
    );
    console.log(
      `rate: ${fixed(firingsPerSecond, 0)} firings/s over ${fixed(tickSeconds, 1)} s of chains; ceiling ${ceilings.map((c) => fixed(c, 0)).join(', ')} ` +
        `(mean ${fixed(meanCeiling, 0)}); ratio ${fixed(ratio, 2)} (per window, against the ceilings around it: ${perWindow.map((r) => fixed(r, 2)).join(', ')}); ` +
        `${timers} timers of ${intervalSeconds} s need ${fixed(timers / intervalSeconds, 0)} firings/s sustained`,
    );
    const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    console.log(
      `targets: missing=0 ${met(count.missing === 0)}, duplicates=0 ${met(count.duplicates === 0)}, ` +
        `peak_rss_mb<=${RSS_TARGET_MB} ${met(peakRss <= RSS_TARGET_MB)}, ` +
        `firings_per_s>=${RATIO_TARGET}x ceiling ${met(ratio >= RATIO_TARGET)} (${fixed(ratio, 2)}x of ${fixed(meanCeiling, 0)})`,
    );
    // The tick's own count of what it sent must agree with what arrived, unless a killed invocation sent unreported.
    const disagree = killed === 0 && (counter.received !== dispatched || counter.warmUp !== warmUpChain.dispatched);
    if (disagree || counter.unexpected > 0 || counter.badFiringIds > 0 || counter.badBodies > 0) {
      console.error(
        `invalid run: ${counter.received} messages received, ${dispatched} reported sent by the tick (warm-up: ${counter.warmUp} ` +
          `received, ${warmUpChain.dispatched} sent); ${counter.unexpected} unexpected, ` +
          `${counter.badFiringIds} with a wrong FiringId, ${counter.badBodies} with a wrong body`,
      );
      process.exitCode = 1;
    }
    console.log(
      `tick-scale: timers=${timers} firings=${dispatched} firings_per_s=${fixed(firingsPerSecond, 0)} invocations=${invocations.length} ` +
        `peak_rss_mb=${fixed(peakRss, 0)} missing=${count.missing} duplicates=${count.duplicates}`,
    );
  } finally {
    await service?.stop();
    dynamodb?.destroy();
    sqs?.destroy();
    counting?.destroy();
    await Promise.all(emulators.map((emulator) => emulator.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
