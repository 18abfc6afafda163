/**
 * The load test's run, apart from Artillery's hooks (`processor.ts`): when the firing window is, which timers the
 * virtual users create, the journal through which Artillery's worker threads tell the main thread what they created,
 * what was delivered (the local runtime's `GET /lateness`, or CloudWatch on AWS), and the clean-up that deletes every
 * timer the run tried to create.
 *
 * The window: every timer the run creates fires inside [from, to) alone. A periodic timer starts at `from` and ends at
 * `to` (`startAt`, `endAt`); a one-shot fires at a whole second drawn in [from, to). `from` is planned before the first
 * request, as far ahead as creation is expected to take plus a margin, so that every timer exists before the window
 * opens; a creation that runs past it shortens the window, and the verdict says so.
 */
import { randomInt, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { threadId } from 'worker_threads';
import type { ObservedMinute } from './rules';
import { signedHeaders } from './sigv4';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** Intervals of the periodic timers, drawn evenly: about 1.5 firings per timer and minute. */
export const PERIODIC_INTERVALS = [15, 30, 60, 120, 300] as const;

export type Source = 'local' | 'aws';

export type CreatedTimer =
  | { readonly kind: 'periodic'; readonly id: string; readonly interval: number; readonly offset: number; readonly startAt: number; readonly endAt: number }
  | { readonly kind: 'oneshot'; readonly id: string; readonly fireAt: number };

/** What the `before` hook decides and every virtual user and the `after` hook read (Artillery passes it as variables). */
export interface RunPlan {
  readonly runId: string;
  /** Every timer id of the run starts with it: `lt-{runId}-`. */
  readonly idPrefix: string;
  readonly source: Source;
  /** Where the worker threads write what they created, one file per thread. */
  readonly journalDir: string;
  readonly startedAt: number;
  readonly windowFrom: number;
  readonly windowTo: number;
}

export interface PlanOptions {
  readonly now: number;
  readonly source: Source;
  /** How long creation is expected to take: the duration of the scenario's phases. */
  readonly createSeconds: number;
  /** Margin after it, for the last virtual users and the first deliveries' set-up. */
  readonly slackSeconds: number;
  readonly windowMinutes: number;
  /** Start the window on a whole minute, so that each row of the verdict is a whole minute. */
  readonly alignWindow: boolean;
  readonly runId?: string;
  readonly tmpDir?: string;
}

export function planRun(options: PlanOptions): RunPlan {
  for (const [name, value, min] of [['createSeconds', options.createSeconds, 1], ['slackSeconds', options.slackSeconds, 0], ['windowMinutes', options.windowMinutes, 1]] as const) {
    if (!Number.isFinite(value) || value < min) throw new Error(`the variable ${name} must be a number of at least ${min}, got ${JSON.stringify(value)}`);
  }
  const runId = options.runId ?? randomUUID().slice(0, 8);
  const earliest = options.now + (options.createSeconds + options.slackSeconds) * SECOND;
  const windowFrom = options.alignWindow ? Math.ceil(earliest / MINUTE) * MINUTE : Math.ceil(earliest / SECOND) * SECOND;
  const journalDir = fs.mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), `cdk-serverless-timer-loadtest-${runId}-`));
  return {
    runId,
    idPrefix: `lt-${runId}-`,
    source: options.source,
    journalDir,
    startedAt: options.now,
    windowFrom,
    windowTo: windowFrom + options.windowMinutes * MINUTE,
  };
}

/** A periodic timer firing inside the window: an interval drawn from PERIODIC_INTERVALS, a random offset (phase). */
export function drawPeriodic(plan: RunPlan): Extract<CreatedTimer, { kind: 'periodic' }> {
  const interval = PERIODIC_INTERVALS[randomInt(PERIODIC_INTERVALS.length)];
  return { kind: 'periodic', id: plan.idPrefix + randomUUID(), interval, offset: randomInt(interval), startAt: plan.windowFrom, endAt: plan.windowTo };
}

/** A one-shot timer due at a whole second drawn evenly inside the window. */
export function drawOneShot(plan: RunPlan): Extract<CreatedTimer, { kind: 'oneshot' }> {
  const seconds = (plan.windowTo - plan.windowFrom) / SECOND;
  return { kind: 'oneshot', id: plan.idPrefix + randomUUID(), fireAt: plan.windowFrom + randomInt(seconds) * SECOND };
}

/** The body of the timer's PUT, in the API contract's fields. */
export function putBody(timer: CreatedTimer, timerCallbackData: unknown): object {
  if (timer.kind === 'oneshot') return { timerCallbackData, at: new Date(timer.fireAt).toISOString() };
  return {
    timerCallbackData,
    interval: timer.interval,
    offset: timer.offset,
    startAt: new Date(timer.startAt).toISOString(),
    endAt: new Date(timer.endAt).toISOString(),
  };
}

export const routeOf = (timer: Pick<CreatedTimer, 'kind' | 'id'>): string => `/${timer.kind}/${encodeURIComponent(timer.id)}`;

/** `base` (a target, with or without a trailing slash or a stage path) joined with a route. */
export const urlOf = (base: string, route: string): string => base.replace(/\/+$/, '') + route;

/**
 * Journal lines: `a` for an attempt (before the PUT is sent), `c` for a creation the service answered 200 to, `t` when
 * (epoch ms).
 */
type JournalLine = { readonly a: Pick<CreatedTimer, 'kind' | 'id'>; readonly t: number } | { readonly c: CreatedTimer; readonly t: number };

function journalFile(dir: string): string {
  return path.join(dir, `${process.pid}-${threadId}.jsonl`);
}

export function journalAttempt(dir: string, timer: CreatedTimer): void {
  fs.appendFileSync(journalFile(dir), JSON.stringify({ a: { kind: timer.kind, id: timer.id }, t: Date.now() }) + '\n');
}

export function journalCreated(dir: string, timer: CreatedTimer): void {
  fs.appendFileSync(journalFile(dir), JSON.stringify({ c: timer, t: Date.now() }) + '\n');
}

export interface Journal {
  /** Every timer a PUT was sent for, answered or not: what the clean-up deletes. */
  readonly attempted: ReadonlyArray<Pick<CreatedTimer, 'kind' | 'id'>>;
  /** The timers the service answered 200 to: what the window expects. */
  readonly created: readonly CreatedTimer[];
  /** The first PUT sent and the last answer journaled, epoch ms (undefined without any). */
  readonly firstAt?: number;
  readonly lastAt?: number;
}

export function readJournal(dir: string): Journal {
  const attempted: Array<Pick<CreatedTimer, 'kind' | 'id'>> = [];
  const created: CreatedTimer[] = [];
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.endsWith('.jsonl')) continue;
    for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      const entry = JSON.parse(line) as JournalLine;
      if ('a' in entry) attempted.push(entry.a);
      else created.push(entry.c);
      firstAt = Math.min(firstAt ?? entry.t, entry.t);
      lastAt = Math.max(lastAt ?? entry.t, entry.t);
    }
  }
  return { attempted, created, firstAt, lastAt };
}

export interface Target {
  /** The API's base URL: the local runtime's, or the stage URL of a deployed stack. */
  readonly base: string;
  readonly sigv4: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** One request to the target, signed when it has to be; the answer's status and JSON body (undefined when not JSON). */
export async function call(target: Target, method: string, route: string, signal?: AbortSignal): Promise<{ status: number; body: any }> {
  const url = urlOf(target.base, route);
  const headers = target.sigv4 ? signedHeaders({ method, url }, target.env) : {};
  const response = await fetch(url, { method, headers, signal: signal ?? AbortSignal.timeout(30_000) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

export interface LocalLateness {
  readonly minutes: ObservedMinute[];
  readonly kinds: Readonly<Record<string, number>>;
}

/** What the local runtime delivered of this run's timers in [from, to), per minute (`GET /lateness`). */
export async function readLocalLateness(target: Target, plan: RunPlan): Promise<LocalLateness> {
  const route = `/lateness?from=${plan.windowFrom}&to=${plan.windowTo}&timerIdPrefix=${encodeURIComponent(plan.idPrefix)}`;
  const answer = await call(target, 'GET', route);
  if (answer.status !== 200 || !Array.isArray(answer.body?.minutes)) {
    throw new Error(`GET ${urlOf(target.base, route)} answered ${answer.status}: ${JSON.stringify(answer.body)}; ` +
      'the local source needs the runtime of npm start (or src/local/cli.ts local), which serves GET /lateness');
  }
  return { minutes: answer.body.minutes, kinds: answer.body.kinds };
}

export interface CleanUpResult {
  readonly deleted: number;
  readonly alreadyGone: number;
  readonly failed: readonly string[];
  /** Of a sample of the deleted timers read back: those still there (should be none). */
  readonly stillThere: readonly string[];
}

/** Deletes every timer the run tried to create, `concurrency` at a time, then reads a sample back (404 expected). */
export async function cleanUp(target: Target, timers: Journal['attempted'], concurrency = 16, sampleSize = 50): Promise<CleanUpResult> {
  let deleted = 0;
  let alreadyGone = 0;
  const failed: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < timers.length) {
      const timer = timers[next++];
      try {
        const { status, body } = await call(target, 'DELETE', routeOf(timer));
        if (status === 200) deleted++;
        else if (status === 404) alreadyGone++;
        else failed.push(`${timer.id}: ${status} ${JSON.stringify(body)}`);
      } catch (error) {
        failed.push(`${timer.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, timers.length) }, worker));
  const stillThere: string[] = [];
  const step = Math.max(1, Math.floor(timers.length / sampleSize));
  for (let i = 0; i < timers.length; i += step) {
    const { status } = await call(target, 'GET', routeOf(timers[i]));
    if (status !== 404) stillThere.push(`${timers[i].id}: GET answered ${status}`);
  }
  return { deleted, alreadyGone, failed, stillThere };
}

/** Resolves after `ms`, or at once when `signal` aborts; true when it waited the whole time. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    if (signal?.aborted) return done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      done(false);
    }, { once: true });
  });
}
