/**
 * Runs the local runtime the way a user does, as its own process: `src/local/cli.ts local` under tsx, on
 * 127.0.0.1 and a free port, with the benchmark's recorder as `--callback`. It waits for the start line to learn
 * the URL, forwards the runtime's stderr (its logs) only when asked, and stops it with SIGTERM, as Ctrl-C would.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

export interface RuntimeProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface RuntimeProcessOptions {
  readonly db: string;
  readonly callback: string;
  readonly periodSeconds: number;
  readonly shards: number;
  /** Extra environment for the runtime (the recorder's output file). */
  readonly env: Readonly<Record<string, string>>;
  /** Node flags, e.g. `--cpu-prof` to profile the runtime. */
  readonly nodeFlags?: readonly string[];
  /** Receives each line the runtime logs on stderr. */
  readonly onLog?: (line: string) => void;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export async function startRuntimeProcess(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
  const args = [
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    path.join(REPO_ROOT, 'src', 'local', 'cli.ts'),
    'local',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--db',
    options.db,
    '--callback',
    options.callback,
    '--period',
    `${options.periodSeconds}s`,
    '--shards',
    String(options.shards),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderrTail = '';
  let stderrPartial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = stderrPartial + chunk.toString();
    const lines = text.split('\n');
    stderrPartial = lines.pop() ?? '';
    for (const line of lines) {
      stderrTail = (stderrTail + line + '\n').slice(-2000);
      options.onLog?.(line);
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the runtime printed no URL within ${START_TIMEOUT_MS} ms; stderr: ${stderrTail}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /(http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timeout);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timeout);
      reject(new Error(`the runtime exited at start (code ${code}, signal ${signal}); stderr: ${stderrTail || stderrPartial}`));
    });
  });
  // Keep draining stdout so the runtime never blocks on a full pipe.
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
