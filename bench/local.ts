/**
 * The local-runtime benchmark (`npm run bench:local`; `-- --timers 2000 --seconds 20` for a smoke run). In one run:
 *
 * 1. local: starts the runtime as a user does (`src/local/cli.ts local`, its own process, 127.0.0.1, a temporary
 *    SQLite file), creates N periodic timers (interval 60 s, offsets spread evenly) over HTTP from 64 keep-alive
 *    connections, then measures firing lateness where the firings are received: the recorder callback module
 *    (`local/recorder.ts`) loaded by the runtime with `--callback`.
 * 2. local-1m: the same on a database already holding 900,000 timers that do not fire during the run (seeded
 *    through the runtime's own store before it starts), to show that stored timers do not slow the tick.
 * 3. bullmq: the same N timers as BullMQ job schedulers on a private redis-server, measured by a Worker in this
 *    process the same way. Redis keeps an append-only file synced every second, as BullMQ's production guide
 *    recommends: the runtime acknowledges a create only once it is in its SQLite log, so both sides lose nothing
 *    they acknowledged when killed. For reference, the creates are also timed on a Redis without persistence.
 *
 * Only firings scheduled after every timer exists plus a warm-up count, over a window of whole seconds whose
 * expected number of firings is known from the offsets; a firing that never arrives is reported as missing. It is a
 * benchmark, not a test: it prints figures as it goes and ends with one `local: ...` line.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
/* eslint-disable import/no-extraneous-dependencies */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { ioredisMissing, startBullmq } from './local/bullmq-side';
import { probeStalls, putAll } from './local/http-load';
import { LatencyFileReader } from './local/latency-file';
import { summariseProfile } from './local/profile';
import { LATENCY_FILE_ENV } from './local/recorder';
import { RedisPersistence, RedisServer, ensureRedisServer, startRedis } from './local/redis';
import { RuntimeProcess, startRuntimeProcess } from './local/runtime-process';
import { seedQuietTimers } from './local/seed';
import { LatenessSummary, MeasurementWindow, expectedFirings } from './local/stats';

const INTERVAL_SECONDS = 60;
/** A trivial GET slower than this means the runtime's event loop was blocked. */
const STALL_THRESHOLD_MS = 250;
const REPO_ROOT = path.resolve(__dirname, '..');

const USAGE = `usage: npm run bench:local -- [flags]
  --timers <n>        periodic timers firing (default 100000)
  --seconds <n>       measured window of scheduled times, in seconds (default 120)
  --warmup <n>        seconds after the last create before the window opens (default 5)
  --stored <n>        timers stored in the second phase, the firing ones included; 0 skips it (default 1000000)
  --connections <n>   keep-alive connections (and BullMQ calls in flight) while creating (default 64)
  --shards <n>        runtime shards (default 1)
  --worker-concurrency <n>  BullMQ Worker concurrency (default 100)
  --drain <n>         seconds to wait after the window for late firings before counting them missing (default 60)
  --skip-bullmq       run only the runtime phases
  --profile           write a CPU profile of each runtime to bench/out/ and print where its time went`;

interface Options {
  readonly timers: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly stored: number;
  readonly connections: number;
  readonly shards: number;
  readonly workerConcurrency: number;
  readonly drainSeconds: number;
  readonly skipBullmq: boolean;
  readonly profile: boolean;
}

function wholeFlag(values: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}\n${USAGE}`);
  }
  return value;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      'timers': { type: 'string' },
      'seconds': { type: 'string' },
      'warmup': { type: 'string' },
      'stored': { type: 'string' },
      'connections': { type: 'string' },
      'shards': { type: 'string' },
      'worker-concurrency': { type: 'string' },
      'drain': { type: 'string' },
      'skip-bullmq': { type: 'boolean' },
      'profile': { type: 'boolean' },
      'help': { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const timers = wholeFlag(values, 'timers', 100_000, 1);
  const stored = wholeFlag(values, 'stored', 1_000_000, 0);
  if (stored !== 0 && stored < timers) throw new Error(`--stored (${stored}) counts the firing timers too: give at least --timers (${timers}), or 0 to skip that phase`);
  return {
    timers,
    seconds: wholeFlag(values, 'seconds', 120, 1),
    warmupSeconds: wholeFlag(values, 'warmup', 5, 0),
    stored,
    connections: wholeFlag(values, 'connections', 64, 1),
    shards: wholeFlag(values, 'shards', 1, 1),
    workerConcurrency: wholeFlag(values, 'worker-concurrency', 100, 1),
    drainSeconds: wholeFlag(values, 'drain', 60, 1),
    skipBullmq: values['skip-bullmq'] === true,
    profile: values.profile === true,
  };
}

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Timer i fires at every epoch second t with t mod 60 = i mod 60: the same number of timers in every second. */
const offsetOf = (i: number): number => i % INTERVAL_SECONDS;

const fmt = (n: number): string => (Number.isFinite(n) ? String(Math.round(n)) : 'n/a');

/** Starts and stops what a run started, in reverse order, whatever happens in between. */
class Cleanup {
  private readonly steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): () => Promise<void> {
    this.steps.push(step);
    return async () => {
      const at = this.steps.indexOf(step);
      if (at < 0) return;
      this.steps.splice(at, 1);
      await step();
    };
  }

  async runAll(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (err) {
        process.stderr.write(`cleanup step failed: ${String(err)}\n`);
      }
    }
  }
}

/**
 * Opens the window once every timer exists, then polls `poll` (which feeds the window) every second, printing the
 * running figures every ten, until the window is over and every expected firing arrived or the drain time ran out.
 */
async function measure(
  label: string,
  window: MeasurementWindow,
  timers: number,
  createdAt: number,
  options: Options,
  poll: () => void,
): Promise<LatenessSummary> {
  const fromMs = Math.ceil((createdAt + options.warmupSeconds * 1000) / 1000) * 1000;
  const toMs = fromMs + options.seconds * 1000;
  window.open(fromMs, toMs, expectedFirings(timers, INTERVAL_SECONDS, offsetOf, fromMs, toMs));
  log(`[${label}] measuring firings scheduled in [${new Date(fromMs).toISOString()}, ${new Date(toMs).toISOString()}): ${window.expected} expected`);
  const deadline = toMs + options.drainSeconds * 1000;
  let lastReport = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    poll();
    const now = Date.now();
    if (now - lastReport >= 10_000) {
      lastReport = now;
      const recent = window.takeRecent();
      const phase = now < fromMs ? 'warm-up' : now < toMs ? `${Math.round((now - fromMs) / 1000)}/${options.seconds} s` : 'draining';
      log(
        `[${label}] ${phase}: ${recent.count} firings received in the last 10 s (${recent.outsideWindow} outside the window), ` +
          `lateness p50=${fmt(recent.p50)} p99=${fmt(recent.p99)} max=${fmt(recent.max)} ms; ${window.received}/${window.expected} of the window`,
      );
    }
    if (now >= toMs + 1000 && window.complete) break;
    if (now >= deadline) {
      log(`[${label}] ${window.expected - window.received} firings of the window had not arrived ${options.drainSeconds} s after it ended: counted as missing`);
      break;
    }
  }
  const summary = window.summary();
  log(`[${label}] window: ${summary.received}/${summary.expected} firings, lateness p50=${fmt(summary.p50)} p99=${fmt(summary.p99)} max=${fmt(summary.max)} ms`);
  return summary;
}

interface LocalResult {
  readonly createsPerSecond: number;
  readonly lateness: LatenessSummary;
}

/** One run of the runtime: optionally seed quiet timers, start it, create the firing timers over HTTP, measure. */
async function runLocal(label: string, options: Options, workDir: string, cleanup: Cleanup, quietTimers: number): Promise<LocalResult> {
  const db = path.join(workDir, `${label}.db`);
  if (quietTimers > 0) {
    log(`[${label}] seeding ${quietTimers} timers that do not fire during the run into ${path.basename(db)} through the runtime's store`);
    const seeded = await seedQuietTimers(db, quietTimers, options.shards, (done) => {
      if (done % 200_000 === 0 || done === quietTimers) log(`[${label}]   seeded ${done}`);
    });
    log(`[${label}] seeded ${seeded.periodic} daily periodic + ${seeded.oneShot} one-shot timers in ${(seeded.elapsedMs / 1000).toFixed(1)} s`);
  }
  const latencyFile = path.join(workDir, `${label}.latency`);
  const reader = new LatencyFileReader(latencyFile);
  const profileDir = path.join(REPO_ROOT, 'bench', 'out', `profile-${label}`);
  if (options.profile) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.mkdirSync(profileDir, { recursive: true });
  }
  let warnings = 0;
  const runtime: RuntimeProcess = await startRuntimeProcess({
    db,
    callback: path.join(__dirname, 'local', 'recorder.ts'),
    periodSeconds: INTERVAL_SECONDS,
    shards: options.shards,
    env: { [LATENCY_FILE_ENV]: latencyFile },
    nodeFlags: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    onLog: (line) => {
      // The runtime logs JSON lines on stderr; show its warnings and errors, a few of them, as they come.
      if (/"level":"(warn|error)"/.test(line) && warnings++ < 10) log(`[${label}] runtime: ${line.slice(0, 300)}`);
    },
  });
  const stopRuntime = cleanup.add(() => runtime.stop());
  log(`[${label}] runtime pid ${runtime.pid} listening on ${runtime.url}`);

  const startedAt = Date.now();
  // A GET of an absent timer is one index lookup; /healthz counts the queue and would itself load the runtime.
  const prober = probeStalls(runtime.url, '/periodic/stall-probe', 200, STALL_THRESHOLD_MS);
  const window = new MeasurementWindow();
  const poll = (): void => {
    reader.drain((scheduledAt, lateness) => window.record(scheduledAt, lateness));
  };
  const drainTimer = setInterval(poll, 1000);
  let created;
  try {
    created = await putAll(
      runtime.url,
      options.timers,
      options.connections,
      (i) => `/periodic/bench-${i}`,
      (i) => JSON.stringify({ timerCallbackData: { n: i }, interval: INTERVAL_SECONDS, offset: offsetOf(i) }),
      (done) => log(`[${label}]   created ${done}`),
    );
  } finally {
    clearInterval(drainTimer);
  }
  log(
    `[${label}] created ${created.created} timers in ${(created.elapsedMs / 1000).toFixed(1)} s: ${Math.round(created.perSecond)} creates/s ` +
      `over ${options.connections} connections (${created.retried} sent again after a reset connection)`,
  );
  const lateness = await measure(label, window, options.timers, Date.now(), options, poll);
  const stalls = prober.stop();
  const worst = stalls.reduce((a, b) => (b.ms > a.ms ? b : a), { at: startedAt, ms: 0 });
  log(
    `[${label}] the runtime's event loop: ${stalls.length} trivial GETs took over ${STALL_THRESHOLD_MS} ms, ` +
      `${stalls.reduce((sum, s) => sum + s.ms, 0)} ms in all; the longest ${worst.ms} ms at t+${Math.round((worst.at - startedAt) / 1000)} s` +
      (stalls.length > 0 ? ` (stalls at t+${stalls.slice(0, 12).map((s) => `${Math.round((s.at - startedAt) / 1000)}s:${s.ms}ms`).join(' ')})` : ''),
  );

  await stopRuntime();
  if (warnings > 10) log(`[${label}] the runtime logged ${warnings} warnings or errors in all`);
  if (options.profile) {
    for (const file of fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
      for (const line of summariseProfile(path.join(profileDir, file), REPO_ROOT)) log(`[${label}] ${line}`);
    }
  }
  return { createsPerSecond: created.perSecond, lateness };
}

interface BullmqResult {
  readonly createsPerSecond: number;
  /** Creates per second on a Redis without persistence, for reference. */
  readonly inMemoryCreatesPerSecond: number;
  readonly lateness: LatenessSummary;
}

/** Starts a Redis and BullMQ on it, and creates every timer; the caller measures or closes. */
async function bullmqCreates(
  label: string,
  options: Options,
  redisBinary: string,
  persistence: RedisPersistence,
  cleanup: Cleanup,
  window: MeasurementWindow,
): Promise<{ readonly perSecond: number; readonly close: () => Promise<void> }> {
  const redis: RedisServer = await startRedis(redisBinary, persistence);
  const stopRedis = cleanup.add(() => redis.stop());
  log(`[${label}] redis-server on ${redis.host}:${redis.port} (${persistence === 'aof' ? 'append-only file, synced every second' : 'no persistence'})`);
  const run = await startBullmq(
    {
      host: redis.host,
      port: redis.port,
      timers: options.timers,
      intervalSeconds: INTERVAL_SECONDS,
      offsetOf,
      concurrency: options.connections,
      workerConcurrency: options.workerConcurrency,
    },
    window,
  );
  const closeRun = cleanup.add(() => run.close());
  const created = await run.create((done) => log(`[${label}]   created ${done}`));
  log(`[${label}] created ${options.timers} job schedulers in ${(created.elapsedMs / 1000).toFixed(1)} s: ${Math.round(created.perSecond)} creates/s with ${options.connections} calls in flight`);
  return {
    perSecond: created.perSecond,
    close: async () => {
      await closeRun();
      await stopRedis();
    },
  };
}

async function runBullmq(options: Options, redisBinary: string, cleanup: Cleanup): Promise<BullmqResult> {
  // Creates only, on a Redis that keeps nothing: what durability costs BullMQ, printed for reference.
  const inMemory = await bullmqCreates('bullmq-in-memory', options, redisBinary, 'none', cleanup, new MeasurementWindow());
  await inMemory.close();
  const label = 'bullmq';
  const window = new MeasurementWindow();
  const durable = await bullmqCreates(label, options, redisBinary, 'aof', cleanup, window);
  const lateness = await measure(label, window, options.timers, Date.now(), options, () => undefined);
  await durable.close();
  return { createsPerSecond: durable.perSecond, inMemoryCreatesPerSecond: inMemory.perSecond, lateness };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  log(
    `bench:local: ${options.timers} periodic timers every ${INTERVAL_SECONDS} s (${Math.round(options.timers / INTERVAL_SECONDS)} firings/s), ` +
      `window ${options.seconds} s after a ${options.warmupSeconds} s warm-up, ${options.connections} connections, ${os.cpus().length} CPUs`,
  );
  const cleanup = new Cleanup();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-'));
  cleanup.add(() => fs.rmSync(workDir, { recursive: true, force: true }));
  const onSignal = (): void => {
    void cleanup.runAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let exitCode = 0;
  try {
    // Settle the BullMQ prerequisites first, so a missing one is known before minutes of measuring.
    let bullmqUnavailable = options.skipBullmq ? 'skipped (--skip-bullmq)' : ioredisMissing();
    let redisBinary: string | undefined;
    if (!bullmqUnavailable) redisBinary = ensureRedisServer(log);
    if (bullmqUnavailable) log(`[bullmq] not run: ${bullmqUnavailable}`);

    const local = await runLocal('local', options, workDir, cleanup, 0);
    let million: LocalResult | undefined;
    if (options.stored > 0) million = await runLocal('local-1m', options, workDir, cleanup, options.stored - options.timers);

    let bullmq: BullmqResult | undefined;
    if (redisBinary) {
      try {
        bullmq = await runBullmq(options, redisBinary, cleanup);
      } catch (err) {
        bullmqUnavailable = (err as Error).message;
        log(`[bullmq] failed: ${bullmqUnavailable}`);
      }
    }

    log('');
    if (million) {
      log(`local-1m: stored=${options.stored} firing=${options.timers} p50_ms=${fmt(million.lateness.p50)} p99_ms=${fmt(million.lateness.p99)} max_ms=${fmt(million.lateness.max)}`);
    }
    if (bullmq) {
      log(`bullmq-in-memory: creates_per_s=${fmt(bullmq.inMemoryCreatesPerSecond)} (Redis without persistence, for reference; the line below uses the durable Redis)`);
    }
    for (const [name, r] of [['local', local.lateness], ['local-1m', million?.lateness], ['bullmq', bullmq?.lateness]] as const) {
      if (r && r.received < r.expected) log(`note: ${name} missed ${r.expected - r.received} of ${r.expected} firings of its window (not in the percentiles)`);
    }
    log(
      `local: timers=${options.timers} creates_per_s=${fmt(local.createsPerSecond)} p50_ms=${fmt(local.lateness.p50)} p99_ms=${fmt(local.lateness.p99)} ` +
        `max_ms=${fmt(local.lateness.max)} bullmq_creates_per_s=${fmt(bullmq?.createsPerSecond ?? NaN)} bullmq_p99_ms=${fmt(bullmq?.lateness.p99 ?? NaN)}`,
    );
  } catch (err) {
    process.stderr.write(`bench:local failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    exitCode = 1;
  } finally {
    await cleanup.runAll();
  }
  process.exit(exitCode);
}

void main();
