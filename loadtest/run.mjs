#!/usr/bin/env node
/**
 * Runs the load test (`timers.yml`). Against `TARGET` (`npm start`), it runs Artillery alone. With `--local`
 * (`npm run local`), it owns the whole run: it starts the local runtime (`src/local/cli.ts`) on a free port with a
 * temporary database, runs the scenario against it, waits until the one-shot timers the run kept have fired,
 * checks the firings the runtime printed, prints the runtime's firing-lateness histogram from GET /metrics, and
 * stops the runtime. The exit code is non-zero when Artillery's checks or the firing checks fail.
 *
 *   node run.mjs [--local] [--smoke] [--aws] [artillery run flags...]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..');
const SCENARIO = join(HERE, 'timers.yml');
const ARTILLERY = join(HERE, 'node_modules', 'artillery', 'bin', 'run');

const DEFAULT_TARGET = 'http://127.0.0.1:8787';
/** The longest one-shot delay the scenario draws (processor.js), plus time for the delivery itself. */
const DEFAULT_DRAIN_SECONDS = 33;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

function fail(message) {
  process.stderr.write(`loadtest: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  const options = { local: false, smoke: false, aws: false, artilleryArgs: [] };
  for (const arg of argv) {
    if (arg === '--local') options.local = true;
    else if (arg === '--smoke') options.smoke = true;
    else if (arg === '--aws') options.aws = true;
    else options.artilleryArgs.push(arg);
  }
  if (options.local && options.aws) fail('--local and --aws exclude each other: --aws signs requests for a deployed stack');
  // Checked here too: Artillery would report the missing credentials only as truncated error counts.
  if (options.aws && signs(options.artilleryArgs) && (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY)) {
    fail('--aws signs requests with SigV4 but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set: export them ' +
      '(e.g. eval "$(aws configure export-credentials --format env)"), or add --variables \'{"sigv4": false}\' for an API without IAM auth');
  }
  const drain = process.env.DRAIN_SECONDS ?? String(DEFAULT_DRAIN_SECONDS);
  if (!/^\d+$/.test(drain)) fail(`DRAIN_SECONDS must be a whole number of seconds, got ${JSON.stringify(drain)}`);
  options.drainSeconds = Number(drain);
  options.period = process.env.PERIOD ?? '60s';
  return options;
}

/** True unless `--variables` sets `sigv4` to false (an API deployed without IAM authorization). */
function signs(artilleryArgs) {
  const i = artilleryArgs.indexOf('--variables');
  if (i < 0 || i + 1 >= artilleryArgs.length) return true;
  try {
    return JSON.parse(artilleryArgs[i + 1]).sigv4 !== false;
  } catch {
    return fail(`--variables must be a JSON object, got ${JSON.stringify(artilleryArgs[i + 1])}`);
  }
}

function environmentOf(options) {
  if (options.aws) return options.smoke ? 'aws-smoke' : 'aws';
  return options.smoke ? 'smoke' : undefined;
}

/** Runs Artillery in the foreground, its output on this terminal; resolves with its exit code. */
function runArtillery({ target, environment, output, extraArgs, env }) {
  if (!existsSync(ARTILLERY)) fail('Artillery is not installed: run npm ci in the loadtest directory first');
  const args = [ARTILLERY, 'run', '--target', target, ...(environment ? ['--environment', environment] : []),
    ...(output ? ['--output', output] : []), ...extraArgs, SCENARIO];
  process.stdout.write(`loadtest: artillery run against ${target}${environment ? ` (environment ${environment})` : ''}\n`);
  const child = spawn(process.execPath, args, {
    cwd: HERE,
    // No telemetry: a load test must not talk to anything but its target.
    env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', ...env },
    stdio: 'inherit',
  });
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
}

/**
 * The local runtime as its own process, delivering to stdout: every firing arrives here as one JSON line, which is
 * how the run checks that what it created fired, once, on its second.
 */
async function startLocalRuntime(db, period) {
  if (!existsSync(join(REPO_ROOT, 'node_modules', 'tsx')) || !existsSync(join(REPO_ROOT, 'node_modules', 'better-sqlite3'))) {
    fail(`the local runtime needs the repository's devDependencies (tsx, better-sqlite3): run npm ci in ${REPO_ROOT}`);
  }
  const args = ['--import', 'tsx', join(REPO_ROOT, 'src', 'local', 'cli.ts'), 'local',
    '--host', '127.0.0.1', '--port', '0', '--db', db, '--period', period];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const firings = [];
  let stderrTail = '';
  let warnings = 0;
  let partialErr = '';
  child.stderr.on('data', (chunk) => {
    const lines = (partialErr + chunk.toString()).split('\n');
    partialErr = lines.pop();
    for (const line of lines) {
      stderrTail = (stderrTail + line + '\n').slice(-4000);
      if (/"level":"(warn|error)"/.test(line)) warnings++;
    }
  });
  let partialOut = '';
  let onStartLine;
  child.stdout.on('data', (chunk) => {
    const lines = (partialOut + chunk.toString()).split('\n');
    partialOut = lines.pop();
    for (const line of lines) {
      if (line.startsWith('{')) firings.push(JSON.parse(line));
      else onStartLine?.(line);
    }
  });
  const url = await new Promise((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime printed no URL within ${START_TIMEOUT_MS} ms; its log: ${stderrTail}`)), START_TIMEOUT_MS);
    onStartLine = (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        done(match[1]);
      }
    };
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited at start (code ${code}, signal ${signal}); its log: ${stderrTail}`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  process.stdout.write(`loadtest: local runtime pid ${child.pid} listening on ${url} (db ${db}, period ${period})\n`);
  return {
    url,
    firings,
    warnings: () => warnings,
    stderrTail: () => stderrTail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(kill);
      return result;
    },
  };
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** The samples of one metric family from Prometheus text, as [labels text, value]. */
function samples(text, name) {
  const out = [];
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) out.push([match[2] ?? '', Number(match[3])]);
  }
  return out;
}

function printLatenessHistogram(metricsText) {
  const buckets = samples(metricsText, 'timer_firing_lateness_seconds_bucket')
    .map(([labels, value]) => [/le="([^"]+)"/.exec(labels)[1], value]);
  const count = samples(metricsText, 'timer_firing_lateness_seconds_count')[0]?.[1] ?? 0;
  const sum = samples(metricsText, 'timer_firing_lateness_seconds_sum')[0]?.[1] ?? 0;
  const lines = ['', 'Firing lateness (delivery time minus ScheduledAt), GET /metrics timer_firing_lateness_seconds:',
    '  le (s)     firings   cumulative'];
  let previous = 0;
  for (const [le, cumulative] of buckets) {
    const share = count > 0 ? ((100 * cumulative) / count).toFixed(1) : '0.0';
    lines.push(`  ${le.padEnd(8)} ${String(cumulative - previous).padStart(9)}   ${String(cumulative).padStart(7)} (${share}%)`);
    previous = cumulative;
  }
  lines.push(`  count ${count}, mean ${count > 0 ? ((1000 * sum) / count).toFixed(1) : '-'} ms`);
  process.stdout.write(lines.join('\n') + '\n');
}

/** The report's counters (Artillery writes the aggregate of the whole run to --output). */
function readCounters(reportPath) {
  return JSON.parse(readFileSync(reportPath, 'utf8')).aggregate.counters;
}

/** The scenario marks the one-shot timers it cancels in their callback data (processor.js). */
const isCancelled = (firing) => firing.timerCallbackData.cancelled === true || firing.timerCallbackData.cancelled === 'true';

/** Checks the firings this run's timers produced; returns the failed checks. */
function checkFirings(firings, runId, expectedOneShots, metricsText) {
  const mine = firings.filter((f) => f.timerId.startsWith(`loadtest-${runId}-`));
  const oneShots = mine.filter((f) => f.kind === 'oneshot');
  const oneShotIds = new Set(oneShots.filter((f) => !isCancelled(f)).map((f) => f.timerId));
  const cancelledFired = new Set(oneShots.filter((f) => isCancelled(f)).map((f) => f.timerId));
  const periodic = mine.filter((f) => f.kind === 'periodic');
  const firingIds = new Set(mine.map((f) => f.firingId));
  const offGrid = periodic.filter((f) => (Date.parse(f.scheduledAt) / 1000) % 60 !== f.timerCallbackData.offset);
  const late = mine.map((f) => f.lateMs).sort((a, b) => a - b);
  const value = (name) => samples(metricsText, name)[0]?.[1] ?? 0;

  const lines = ['', 'Firings of this run, as the runtime delivered them:',
    `  one-shot timers kept ${expectedOneShots}, fired ${oneShotIds.size}; cancelled ones fired ${cancelledFired.size}`,
    `  periodic firings ${periodic.length} from ${new Set(periodic.map((f) => f.timerId)).size} timers, ${offGrid.length} off their offset`,
    `  deliveries ${mine.length}, distinct firings ${firingIds.size}`,
    `  lateness ms: p50 ${quantile(late, 0.5)}, p95 ${quantile(late, 0.95)}, p99 ${quantile(late, 0.99)}, max ${late.at(-1) ?? NaN}`,
    `  runtime: delivered ${value('timer_firings_delivered_total')}, failed deliveries ${value('timer_deliveries_failed_total')}, ` +
      `dead letters ${value('timer_dead_letters')}, queued for later ${value('timer_queue_messages')}, late firings ${value('timer_late_firings_total')}`];
  process.stdout.write(lines.join('\n') + '\n');

  const failures = [];
  if (oneShotIds.size !== expectedOneShots) {
    failures.push(`${expectedOneShots} one-shot timers were kept but ${oneShotIds.size} fired: raise DRAIN_SECONDS if the machine is slow, else firings were lost`);
  }
  if (cancelledFired.size > 0) failures.push(`${cancelledFired.size} one-shot timers fired although their DELETE was answered 200 before they were due`);
  if (offGrid.length > 0) failures.push(`${offGrid.length} periodic firings are off their offset, e.g. ${JSON.stringify(offGrid[0])}`);
  if (value('timer_deliveries_failed_total') > 0 || value('timer_dead_letters') > 0) failures.push('the runtime reports failed deliveries or dead letters');
  return failures;
}

async function runLocal(options) {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-serverless-timer-loadtest-'));
  const runId = randomBytes(4).toString('hex');
  let runtime;
  const cleanUp = async () => {
    const stopped = await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
    return stopped;
  };
  // Ctrl-C also reaches Artillery (same process group); the runtime and its database go with this process.
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));
  try {
    runtime = await startLocalRuntime(join(dir, 'timers.db'), options.period);
    const report = join(dir, 'report.json');
    const code = await runArtillery({
      target: runtime.url,
      environment: environmentOf(options),
      output: report,
      extraArgs: options.artilleryArgs,
      env: { LOADTEST_RUN_ID: runId },
    });
    if (!existsSync(report)) {
      process.stderr.write(`loadtest: Artillery exited with code ${code} and wrote no report\n`);
      return code || 1;
    }
    const counters = readCounters(report);
    const kept = counters['timers.oneshot.kept'] ?? 0;
    const firedOneShots = () => new Set(runtime.firings
      .filter((f) => f.kind === 'oneshot' && !isCancelled(f) && f.timerId.startsWith(`loadtest-${runId}-`))
      .map((f) => f.timerId)).size;
    process.stdout.write(`loadtest: waiting up to ${options.drainSeconds} s for the ${kept} one-shot timers kept to fire\n`);
    const drainUntil = Date.now() + options.drainSeconds * 1000;
    while (firedOneShots() < kept && Date.now() < drainUntil) await sleep(500);

    const metricsText = await (await fetch(`${runtime.url}/metrics`)).text();
    printLatenessHistogram(metricsText);
    const failures = checkFirings(runtime.firings, runId, kept, metricsText);
    // A fresh runtime's first tick catches up the window it started in: one such warning is expected.
    if (runtime.warnings() > 0) process.stdout.write(`  the runtime logged ${runtime.warnings()} warning or error lines; its log ends with:\n${runtime.stderrTail()}`);
    for (const failure of failures) process.stderr.write(`loadtest: fail: ${failure}\n`);
    if (code !== 0) process.stderr.write(`loadtest: Artillery exited with code ${code} (a check or an expectation failed)\n`);
    return code || (failures.length > 0 ? 1 : 0);
  } finally {
    const stopped = await cleanUp();
    if (stopped) process.stdout.write(`loadtest: local runtime stopped (exit code ${stopped.code}${stopped.signal ? `, signal ${stopped.signal}` : ''})\n`);
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.local) return runLocal(options);
  return runArtillery({
    target: process.env.TARGET || DEFAULT_TARGET,
    environment: environmentOf(options),
    extraArgs: options.artilleryArgs,
    env: {},
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`loadtest: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
