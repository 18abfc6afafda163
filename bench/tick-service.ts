/**
 * The Lambda service as `bench:tick-scale` needs it: one tick function with one warm container (`tick-container.ts`,
 * a child process), invoked by a schedule and by itself. An invocation gets a deadline and is killed if it outlives
 * it, as Lambda kills a timed-out invocation (the next one then starts in a fresh container); an asynchronous
 * self-invocation (the handler's `continueTick`) is accepted at once and started as soon as the container is free,
 * as Lambda runs a queued asynchronous invocation in a warm container that has returned.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { buildSync } from 'esbuild';
import type { TickContainerReply, TickContainerRequest } from './tick-container';
import type { TickEvent } from '../src/aws/handlers';
import type { TickReport } from '../src/core';

/** Slack past an invocation's deadline before the container is killed: the time its result takes over IPC. */
const KILL_GRACE_MS = 250;
const START_TIMEOUT_MS = 60_000;
const BUNDLE_FILE = path.join(__dirname, 'out', 'tick-container', 'index.js');

let bundled = false;

/**
 * The container's code, bundled as the tick function's asset is (`bundle:tick/tick.lambda`: esbuild, the AWS SDK left
 * to the runtime), so the container loads what a Lambda would, and no TypeScript loader sits in its memory.
 */
function containerBundle(): string {
  if (!bundled) {
    buildSync({
      entryPoints: [path.join(__dirname, 'tick-container.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: BUNDLE_FILE,
      tsconfig: path.join(__dirname, '..', 'test', 'tsconfig.json'),
      external: ['@aws-sdk/*'],
      logLevel: 'warning',
    });
    bundled = true;
  }
  return BUNDLE_FILE;
}

export interface Invocation {
  readonly event: TickEvent;
  /** When the service started it and when its result came back, `performance.now()` of this process. */
  readonly startedAt: number;
  readonly endedAt: number;
  readonly report?: TickReport;
  readonly error?: string;
  /** Killed at its deadline. */
  readonly timedOut: boolean;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly requests: Readonly<Record<string, number>>;
  /** From its start to its first SendMessageBatch (ms), if it sent any. */
  readonly firstSendMs?: number;
}

export interface Chain {
  /** The scheduled invocation, then each continuation, in order. */
  readonly invocations: readonly Invocation[];
  /** From the scheduled invocation's start to the end of the chain's last invocation (ms). */
  readonly durationMs: number;
  readonly dispatched: number;
}

export interface TickServiceOptions {
  /** The function's environment: what the construct sets, plus the emulators' endpoints and throwaway credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** How long each invocation may run (ms): what `getRemainingTimeInMillis()` starts from. */
  readonly timeoutMs: number;
}

export class TickService {
  /** Peak RSS of any container so far (MB). */
  peakRssMb = 0;
  /** Containers started: the first, and one after each invocation killed at its deadline. */
  coldStarts = 0;
  /** RSS of a container ready to run its first invocation: the runtime and the handler's modules loaded. */
  readyRssMb = 0;
  containerStartMs = 0;
  private container: ChildProcess | undefined;
  private requestSequence = 0;

  constructor(private readonly options: TickServiceOptions) {}

  /** Starts the container ahead of the first invocation, as a warm function has one. */
  async warm(): Promise<void> {
    this.container ??= await this.startContainer();
  }

  /**
   * Runs one scheduled invocation of the tick with `event`, then every continuation it and its continuations ask for,
   * until one returns without asking. `clockAt(event)` is what the engine's clock reads when an invocation starts.
   */
  async runChain(event: TickEvent, clockAt: (event: TickEvent) => number): Promise<Chain> {
    const queued: TickEvent[] = [event];
    const invocations: Invocation[] = [];
    for (let next = queued.shift(); next !== undefined; next = queued.shift()) {
      invocations.push(await this.invoke(next, clockAt(next), (continuation) => queued.push(continuation)));
    }
    return {
      invocations,
      durationMs: invocations[invocations.length - 1].endedAt - invocations[0].startedAt,
      dispatched: invocations.reduce((n, invocation) => n + (invocation.report?.dispatched ?? 0), 0),
    };
  }

  async stop(): Promise<void> {
    const container = this.container;
    this.container = undefined;
    if (container) await stopChild(container);
  }

  private async invoke(event: TickEvent, clockAtStart: number, onContinue: (event: TickEvent) => void): Promise<Invocation> {
    const child = (this.container ??= await this.startContainer());
    const requestId = ++this.requestSequence;
    const startedAt = performance.now();
    const deadlineAt = Date.now() + this.options.timeoutMs;
    return new Promise<Invocation>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(killer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (message: TickContainerReply): void => {
        if (message.type === 'continue') {
          onContinue(message.event);
          const reply: TickContainerRequest = { type: 'accepted', callId: message.callId };
          child.send(reply);
        } else if (message.type === 'result' && message.requestId === requestId) {
          done();
          this.peakRssMb = Math.max(this.peakRssMb, message.maxRssMb);
          const { report, error, cpuMs, maxRssMb, requests, firstSendMs } = message;
          resolve({ event, startedAt, endedAt: performance.now(), report, error, timedOut: false, cpuMs, maxRssMb, requests, firstSendMs });
        }
      };
      const onExit = (code: number | null): void => {
        done();
        this.container = undefined;
        reject(new Error(`the tick container exited with code ${code} during an invocation of ${JSON.stringify(event)}`));
      };
      // Lambda ends a timed-out invocation and its environment; the next invocation starts in a fresh one.
      const killer = setTimeout(() => {
        done();
        this.container = undefined;
        void stopChild(child, true);
        resolve({ event, startedAt, endedAt: performance.now(), timedOut: true, cpuMs: 0, maxRssMb: 0, requests: {} });
      }, this.options.timeoutMs + KILL_GRACE_MS);
      child.on('message', onMessage);
      child.once('exit', onExit);
      const request: TickContainerRequest = { type: 'invoke', requestId, event, deadlineAt, clockAtStart };
      child.send(request);
    });
  }

  private async startContainer(): Promise<ChildProcess> {
    const started = performance.now();
    const child = fork(containerBundle(), [], {
      execArgv: [],
      env: { ...this.options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const readyRssMb = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the tick container did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      child.once('message', (message: TickContainerReply) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.rssMb);
        else reject(new Error(`the tick container sent ${JSON.stringify(message)} before it was ready`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the tick container exited with code ${code} before it was ready; its stderr says why`));
      });
    });
    this.coldStarts++;
    this.readyRssMb = Math.max(this.readyRssMb, readyRssMb);
    this.containerStartMs = performance.now() - started;
    return child;
  }
}

function stopChild(child: ChildProcess, kill = false): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (kill) {
      child.kill('SIGKILL');
      return;
    }
    // The container exits when the IPC channel goes away; kill it if it does not.
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => clearTimeout(killer));
    child.disconnect();
  });
}
