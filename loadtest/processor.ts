/**
 * Artillery's processor of the load test (`timers.yml`; Artillery bundles this TypeScript file with esbuild):
 *
 * - `planTheRun` (the `before` hook, main thread): decides the run id and the firing window, checks what the chosen
 *   environment needs, and hands the plan to every virtual user as the variable `plan`.
 * - `drawPeriodicTimer`, `drawOneShotTimer`, `timerRequest`, `timerCreated` (virtual users, worker threads): draw a
 *   timer that fires inside the window, write its PUT (random UUID id, a realistic payload, SigV4 on AWS), and journal
 *   what was sent and what the service accepted.
 * - `judgeTheRun` (the `after` hook, main thread, once the virtual users are done): prints the window, waits it out,
 *   reads what was delivered (the local runtime's `GET /lateness`, or CloudWatch with `-e aws`), prints the verdict per
 *   minute, writes the HTML and PNG report, deletes every timer the run created, and sets the exit code.
 */
import { randomInt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { realisticWorkload } from '../bench/workload';
import type { ExtraMetric } from './lib/cloudwatch';
import { expectedPerMinute } from './lib/expected';
import { LOAD_TEST_METRICS } from './lib/names';
import { writeReport } from './lib/report';
import { DEFAULT_THRESHOLDS, evaluate, formatTable, ObservedMinute, Thresholds } from './lib/rules';
import { MISSING_CREDENTIALS, signedHeaders } from './lib/sigv4';
import {
  cleanUp, CreatedTimer, drawOneShot, drawPeriodic, journalAttempt, journalCreated, MINUTE, planRun, putBody,
  readJournal, readLocalLateness, routeOf, RunPlan, SECOND, sleep, Source, Target, urlOf,
} from './lib/suite';

type Done = (error?: Error) => void;
interface Context { vars: Record<string, any> }
interface Events { emit(type: string, name: string, value: number): void }

/** The stack outputs a `-e aws` run reads, written by `cdk deploy --outputs-file` (see README.md). */
interface StackOutputs { readonly ApiUrl: string; readonly QueueName: string; readonly ServiceName: string }

const LOCAL_DEFAULT_TARGET = 'http://127.0.0.1:8787';

/** Artillery's global of the main thread: where the exit code is suggested, the shutdown announced, the bundle named. */
const artillery = (): { suggestedExitCode?: number; globalEvents?: NodeJS.EventEmitter; hasTypescriptProcessor?: string } | undefined =>
  (globalThis as any).artillery;

const log = (line: string): void => void process.stdout.write(`${line}\n`);

let earlyStop = false;

/**
 * Stops a run that cannot start, before any request: one line saying why, exit code 2. Under Artillery a failed
 * `before` hook would end in an uncaught error and a stack trace, leaving its bundle of this file behind; elsewhere
 * (the tests) the hook fails through `done`.
 */
function fail(done: Done, message: string): void {
  log(`loadtest: ${message}`);
  const bundle = artillery()?.hasTypescriptProcessor;
  if (!bundle) return done(new Error(message));
  fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
  process.exit(2);
}

function readStackOutputs(file: string): StackOutputs {
  if (!fs.existsSync(file)) {
    throw new Error(`-e aws reads the stack's outputs from ${file}, which does not exist: deploy with ` +
      '`npx aws-cdk deploy --app "npx tsx loadtest/app.ts" --outputs-file loadtest/aws-outputs.json` from the repository root');
  }
  const stacks = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Partial<StackOutputs>>;
  const outputs = Object.values(stacks)[0] ?? {};
  for (const key of ['ApiUrl', 'QueueName', 'ServiceName'] as const) {
    if (typeof outputs[key] !== 'string') throw new Error(`${file} has no ${key} output: deploy loadtest/app.ts again`);
  }
  return outputs as StackOutputs;
}

/** The `before` hook. */
export function planTheRun(context: Context, _events: Events, done: Done): void {
  const vars = context.vars;
  const source = vars.source as Source;
  if (source !== 'local' && source !== 'aws') return fail(done, `the variable source must be "local" or "aws", got ${JSON.stringify(source)}`);
  const sigv4 = vars.sigv4 === true || vars.sigv4 === 'true';
  if (sigv4 && (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY)) return fail(done, MISSING_CREDENTIALS);
  let apiBase = String(vars.target);
  let outputs: StackOutputs | undefined;
  try {
    if (source === 'aws') {
      outputs = readStackOutputs(path.resolve(vars.$dirname ?? '.', String(vars.stackOutputs)));
      // The stack's URL unless --target names another.
      if (apiBase === LOCAL_DEFAULT_TARGET) apiBase = outputs.ApiUrl;
    }
    const plan = planRun({
      now: Date.now(),
      source,
      createSeconds: Number(vars.createSeconds),
      slackSeconds: Number(vars.slackSeconds),
      windowMinutes: Number(vars.windowMinutes),
      alignWindow: vars.alignWindow === true || vars.alignWindow === 'true',
    });
    Object.assign(vars, { plan, apiBase: apiBase.replace(/\/+$/, ''), sigv4, outputs });
    log(`loadtest: run ${plan.runId} against ${apiBase} (${source}): timers fire from ${new Date(plan.windowFrom).toISOString()} ` +
      `to ${new Date(plan.windowTo).toISOString()}, once creation (about ${vars.createSeconds} s) is done`);
  } catch (error) {
    return fail(done, error instanceof Error ? error.message : String(error));
  }
  // Ctrl-C during creation ends the virtual users and runs the `after` hook: it then cleans up without waiting.
  artillery()?.globalEvents?.on('shutdown:start', (options: { earlyStop?: boolean }) => {
    if (options?.earlyStop) earlyStop = true;
  });
  return done();
}

// Each worker thread draws payloads from its own seed: every payload is the benchmarks' realistic workload.
const workload = realisticWorkload({ seed: randomInt(2 ** 31) });
let payloads = 0;

export function drawPeriodicTimer(context: Context, _events: Events, done: Done): void {
  context.vars.timer = drawPeriodic(context.vars.plan as RunPlan);
  context.vars.timerId = context.vars.timer.id;
  return done();
}

export function drawOneShotTimer(context: Context, _events: Events, done: Done): void {
  context.vars.timer = drawOneShot(context.vars.plan as RunPlan);
  context.vars.timerId = context.vars.timer.id;
  return done();
}

interface RequestParams { url: string; method: string; json?: unknown; body?: string; headers?: Record<string, string> }

/** `beforeRequest` of each PUT: the body, the URL on the API's base (a stage path kept), SigV4 when asked. */
export function timerRequest(requestParams: RequestParams, context: Context, _events: Events, done: Done): void {
  const timer = context.vars.timer as CreatedTimer;
  const plan = context.vars.plan as RunPlan;
  const body = JSON.stringify(putBody(timer, JSON.parse(workload.data(payloads++))));
  const url = urlOf(context.vars.apiBase, routeOf(timer));
  const headers: Record<string, string> = { ...(requestParams.headers ?? {}), 'content-type': 'application/json' };
  try {
    Object.assign(headers, context.vars.sigv4 ? signedHeaders({ method: requestParams.method, url, body, headers }) : {});
  } catch (error) {
    return done(error as Error);
  }
  delete requestParams.json;
  Object.assign(requestParams, { url, body, headers });
  journalAttempt(plan.journalDir, timer);
  return done();
}

/** `afterResponse` of each PUT: a timer the service accepted is one the window expects. */
export function timerCreated(_request: unknown, response: { statusCode: number }, context: Context, events: Events, done: Done): void {
  if (response.statusCode === 200) journalCreated((context.vars.plan as RunPlan).journalDir, context.vars.timer);
  else events.emit('counter', 'timers.rejected', 1);
  return done();
}

/** The thresholds of the run: the source's defaults, each settable with --variables. */
function thresholdsOf(vars: Record<string, any>, source: Source): Thresholds {
  const given = (name: 'p99Ms' | 'duplicateRate'): number => (vars[name] === undefined || vars[name] === null || vars[name] === '' ? DEFAULT_THRESHOLDS[source][name] : Number(vars[name]));
  return { p99Ms: given('p99Ms'), duplicateRate: given('duplicateRate') };
}

interface Observed { readonly minutes: ObservedMinute[]; readonly notes: string[]; readonly context?: string }

async function observeLocal(target: Target, plan: RunPlan): Promise<Observed> {
  const { minutes, kinds } = await readLocalLateness(target, plan);
  return { minutes, notes: [`delivered by kind (GET /lateness): ${JSON.stringify(kinds)}`] };
}

async function observeAws(plan: RunPlan, outputs: StackOutputs, apiBase: string): Promise<Observed> {
  // Loaded here: only a run against AWS needs the SDK (a devDependency of the repository).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CloudWatchClient } = require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readMinutes } = require('./lib/cloudwatch') as typeof import('./lib/cloudwatch');
  const region = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(apiBase)?.[1] ?? process.env.AWS_REGION;
  const dimensions = { ...LOAD_TEST_METRICS.dimensions, Run: plan.runId };
  const extras: ExtraMetric[] = [
    { id: 'lag', namespace: LOAD_TEST_METRICS.engineNamespace, metricName: 'DispatchLag', dimensions: { Service: outputs.ServiceName }, stat: 'Maximum' },
    { id: 'age', namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: outputs.QueueName }, stat: 'Maximum' },
  ];
  const read = await readMinutes(new CloudWatchClient({ region }), {
    namespace: LOAD_TEST_METRICS.namespace,
    latency: { metricName: LOAD_TEST_METRICS.latency, dimensions },
    duplicates: { metricName: LOAD_TEST_METRICS.duplicates, dimensions },
    extras,
    fromMs: plan.windowFrom,
    toMs: plan.windowTo,
  });
  const contextLines = ['minute              dispatch lag max (ms)  queue oldest message max (s)',
    ...read.minutes.map((m, i) => `${m.minute.slice(0, 16)}Z   ${String(read.extras[i].lag ?? '-').padEnd(21)}  ${read.extras[i].age ?? '-'}`)];
  return {
    minutes: read.minutes,
    notes: [`CloudWatch read ${read.reads} times; ${read.settled ? 'the counts settled' : 'the counts had not settled within 10 minutes: late data points may be missing'}`],
    context: contextLines.join('\n'),
  };
}

/** Where the report goes: beside Artillery's --output report, or loadtest/reports/<run id>/. */
function reportPlace(vars: Record<string, any>, plan: RunPlan): { dir: string; base: string } {
  const argv = process.argv;
  const i = argv.findIndex((arg) => arg === '--output' || arg === '-o');
  const output = i >= 0 ? argv[i + 1] : argv.find((arg) => arg.startsWith('--output='))?.slice('--output='.length);
  if (output) return { dir: path.dirname(path.resolve(output)), base: path.basename(output).replace(/\.json$/, '') };
  return { dir: path.resolve(vars.$dirname ?? '.', 'reports', plan.runId), base: 'report' };
}

/** The `after` hook. */
export function judgeTheRun(context: Context, _events: Events, done: Done): void {
  const interrupted = new AbortController();
  const onSignal = (): void => interrupted.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const finish = (code: number): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const global = artillery();
    if (code !== 0 && global) global.suggestedExitCode = code;
    done();
  };
  judge(context.vars, interrupted.signal).then(finish, (error) => {
    log(`loadtest: fail: ${error instanceof Error ? error.message : String(error)}`);
    finish(1);
  });
}

async function judge(vars: Record<string, any>, interrupted: AbortSignal): Promise<number> {
  const plan = vars.plan as RunPlan | undefined;
  if (!plan) return 1; // the before hook failed and said why
  const target: Target = { base: vars.apiBase, sigv4: vars.sigv4 };
  const journal = readJournal(plan.journalDir);
  // Artillery runs this hook up to a reporting period (10 s) after the last request: creation ended at the last answer.
  const createdAt = journal.lastAt ?? Date.now();
  const periodic = journal.created.filter((t) => t.kind === 'periodic').length;
  const oneShot = journal.created.length - periodic;
  const seconds = Math.max(1, createdAt - (journal.firstAt ?? createdAt)) / SECOND;
  log(`loadtest: created ${periodic} periodic and ${oneShot} one-shot timers in ${seconds.toFixed(0)} s ` +
    `(${(journal.created.length / seconds).toFixed(0)} creates/s); ${journal.attempted.length - journal.created.length} PUTs not answered 200`);
  const failures: string[] = [];
  let code = 0;
  try {
    if (earlyStop) {
      log('loadtest: interrupted during creation: deleting what was created, no verdict');
      return 130;
    }
    // A creation that ran into the window leaves its first minutes short of timers: those minutes are not judged.
    let from = plan.windowFrom;
    if (createdAt > plan.windowFrom) {
      from = Math.ceil(createdAt / MINUTE) * MINUTE;
      failures.push(`creation ended at ${new Date(createdAt).toISOString()}, after the window opened: raise createSeconds (or lower the scale) ` +
        'so that every timer exists when it opens; judged from the next whole minute only');
      if (from >= plan.windowTo) throw new Error('no whole minute of the window was left to judge');
    }
    const graceMs = (plan.source === 'aws' ? 10 : 3) * SECOND;
    const waitMs = plan.windowTo + graceMs - Date.now();
    log(`firing window: ${new Date(plan.windowFrom).toISOString()} to ${new Date(plan.windowTo).toISOString()}, waiting ${Math.ceil(waitMs / SECOND)} s`);
    if (!(await sleep(waitMs, interrupted))) {
      log('loadtest: interrupted while waiting for the window: deleting what was created, no verdict');
      return 130;
    }
    const thresholds = thresholdsOf(vars, plan.source);
    const observed = plan.source === 'aws' ? await observeAws(plan, vars.outputs, target.base) : await observeLocal(target, plan);
    const expected = expectedPerMinute(journal.created, from, plan.windowTo);
    const judgedMinutes = observed.minutes.filter((m) => Date.parse(m.minute) >= Math.floor(from / MINUTE) * MINUTE);
    const verdict = evaluate({ expected, observed: judgedMinutes, thresholds });
    failures.push(...verdict.failures);
    log('');
    log(`Per minute of ScheduledAt (p99 limit ${thresholds.p99Ms} ms, duplicates at most ${(thresholds.duplicateRate * 100).toFixed(2)} %):`);
    log(formatTable(verdict.rows));
    for (const note of observed.notes) log(`  ${note}`);
    if (observed.context) log(observed.context);
    const place = reportPlace(vars, plan);
    const written = writeReport(place.dir, place.base, {
      title: `cdk-serverless-timer load test, run ${plan.runId}`,
      facts: [
        `target ${target.base} (${plan.source})`,
        `created ${periodic} periodic and ${oneShot} one-shot timers in ${seconds.toFixed(0)} s`,
        `window ${new Date(from).toISOString()} to ${new Date(plan.windowTo).toISOString()}`,
        ...observed.notes,
      ],
      rows: verdict.rows,
      p99ThresholdMs: thresholds.p99Ms,
      ok: failures.length === 0,
      failures,
    });
    log(`loadtest: report ${written.html}`);
    log(`loadtest: chart ${written.png}`);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    const cleaned = await cleanUp(target, journal.attempted);
    log(`loadtest: clean-up deleted ${cleaned.deleted} timers (${cleaned.alreadyGone} already gone)`);
    for (const problem of [...cleaned.failed.slice(0, 5), ...cleaned.stillThere.slice(0, 5)]) failures.push(`clean-up: ${problem}`);
    fs.rmSync(plan.journalDir, { recursive: true, force: true });
    if (code === 0) code = failures.length > 0 ? 1 : 0;
    for (const failure of failures) log(`loadtest: fail: ${failure}`);
    if (!earlyStop && !interrupted.aborted) log(`loadtest: ${failures.length === 0 ? 'pass' : `FAIL (${failures.length} problems)`}`);
  }
  return code;
}
