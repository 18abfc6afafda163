/**
 * Black-box harness for the local runtime tests: runs `cdk-serverless-timer local` as a child process (through
 * tsx, as `npm start` does) on a free port, reads the URL from its start line, and provides a webhook receiver
 * on 127.0.0.1. Every process and server started here is stopped by `stopAll()`.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join('src', 'local', 'cli.ts');

const children = new Set<ChildProcess>();
const servers = new Set<http.Server>();
const tempDirs = new Set<string>();

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timer-local-test-'));
  tempDirs.add(dir);
  return dir;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` returns a value other than undefined/false, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface Service {
  readonly url: string;
  readonly process: ChildProcess;
  /** Lines the process printed to stdout so far. */
  readonly stdout: string[];
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process exited. */
  readonly exited: Promise<number | string>;
  /** Sends a signal to the whole process group (tsx runs the CLI in a child process of its own). */
  signal(signal: NodeJS.Signals): void;
}

export interface CliRun {
  readonly process: ChildProcess;
  readonly stdout: string[];
  readonly stderr: () => string;
  readonly exited: Promise<number | string>;
}

/** Runs the CLI with these arguments (after `local` only if the caller passes it). */
export function runCli(args: readonly string[]): CliRun {
  const child = spawn(TSX, [CLI, ...args], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const stdout: string[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    stdout.push(...parts);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return { process: child, stdout, stderr: () => stderr, exited };
}

/** Starts `local --port 0` with these flags and waits for the URL it prints. */
export async function startService(flags: readonly string[]): Promise<Service> {
  const run = runCli(['local', '--port', '0', ...flags]);
  let exitedEarly: number | string | undefined;
  void run.exited.then((code) => {
    exitedEarly = code;
  });
  const url = await waitFor(
    'the start line',
    () => {
      if (exitedEarly !== undefined) throw new Error(`the service exited with ${exitedEarly}: ${run.stderr()}`);
      const line = run.stdout.find((l) => l.includes(' listening on '));
      return line ? /(http:\/\/[^\s]+)/.exec(line)![1] : undefined;
    },
    30_000,
  );
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-run.process.pid!, name);
    } catch {
      // already gone
    }
  };
  return { url, ...run, signal };
}

export interface Received {
  /** Epoch ms when the request arrived. */
  readonly at: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Decides each answer: a status code, or 'hold' to never answer (the connection stays open). */
  respond: (request: Received) => number | 'hold';
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = { url: '', received, respond: () => 200 };
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = { at, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      const answer = receiver.respond(request);
      if (answer === 'hold') return;
      res.writeHead(answer).end();
    });
  });
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

export interface JsonAnswer {
  readonly status: number;
  readonly body: any;
}

export async function call(service: { url: string }, method: string, route: string, body?: unknown): Promise<JsonAnswer> {
  const response = await fetch(service.url + route, {
    method,
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test sees the raw text
  }
  return { status: response.status, body: parsed };
}

/** Reads one sample of a Prometheus exposition, e.g. `timer_dead_letters` or `timer_timers{kind="periodic"}`. */
export function metricValue(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(sample + ' '));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** Kills every child process group and closes every server and temp dir this harness made. */
export async function stopAll(): Promise<void> {
  const exits = [...children].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          resolve();
        }
      }),
  );
  await Promise.all(exits);
  await Promise.all(
    [...servers].map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
  servers.clear();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
