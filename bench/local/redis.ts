/**
 * The Redis server BullMQ runs on in the benchmark: Debian's `redis-server`, installed with apt-get when it is not
 * on PATH, started on a free loopback port in a temporary directory with persistence off, and stopped at the end. No
 * persistence favours BullMQ: its writes cost no disk I/O, while the runtime commits every timer to its SQLite file.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  stop(): Promise<void>;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (fs.existsSync(candidate)) return candidate;
  }
  // apt installs into /usr/bin, which a minimal PATH may lack.
  const usrBin = path.join('/usr/bin', command);
  return fs.existsSync(usrBin) ? usrBin : undefined;
}

/** The path of redis-server, installing Debian's package first if it is missing. */
export function ensureRedisServer(log: (line: string) => void): string {
  const found = onPath('redis-server');
  if (found) return found;
  log('redis-server is not on PATH: installing it with apt-get install -y redis-server');
  const apt = (args: string[]): void => {
    execFileSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  try {
    apt(['install', '-y', 'redis-server']);
  } catch {
    log('apt-get could not install redis-server from its current lists: running apt-get update and trying again');
    try {
      apt(['update']);
      apt(['install', '-y', 'redis-server']);
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? String(err);
      throw new Error(`could not install redis-server with apt-get (${stderr}): install it yourself (apt-get install redis-server) and run again`);
    }
  }
  const installed = onPath('redis-server');
  if (!installed) throw new Error('apt-get installed redis-server but it is not on PATH: add /usr/bin to PATH and run again');
  return installed;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const START_TIMEOUT_MS = 15_000;

/**
 * How the Redis keeps its data: `aof` is what BullMQ's production guide recommends (an append-only file written
 * before each reply and synced every second, so a killed server loses nothing it acknowledged, as the runtime's
 * SQLite log does); `none` keeps everything in memory only.
 */
export type RedisPersistence = 'aof' | 'none';

const PERSISTENCE_ARGS: Record<RedisPersistence, string[]> = {
  aof: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
  none: ['--appendonly', 'no'],
};

/**
 * Starts a private redis-server (no snapshots, `maxmemory-policy noeviction` as BullMQ requires) with the given
 * persistence; `stop` kills it and removes its directory.
 */
export async function startRedis(binary: string, persistence: RedisPersistence): Promise<RedisServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...PERSISTENCE_ARGS[persistence],
      '--dir', dir, '--daemonize', 'no', '--maxmemory-policy', 'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms; its output: ${output.slice(-500)}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timeout);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`redis-server exited with code ${code} at start; its output: ${output.slice(-500)}`));
    });
  });
  child.stdout!.removeAllListeners('data');
  child.stderr!.removeAllListeners('data');
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    host: '127.0.0.1',
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killTimer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
