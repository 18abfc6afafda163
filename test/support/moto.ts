/**
 * A moto server (DynamoDB, SQS and the rest of its emulated AWS) for tests and benchmarks: started on 127.0.0.1
 * on a free port, waited for until it answers, and stopped by whoever started it. Where moto is not importable
 * by the system python, a project-local `.venv` gets `moto[server]` so nothing global changes.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdirSync, rmdirSync } from 'fs';
import { createServer } from 'net';
import * as path from 'path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { timerTableDefinition } from '../../src/aws/dynamo-store';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const VENV = path.join(PROJECT_ROOT, '.venv');
const REGION = 'us-east-1';
/** Dummy credentials: moto accepts any, and they keep the SDK from looking for real ones. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** Environment variables that point an SDK client (or a handler module) at this server. */
  readonly env: Record<string, string>;
  /** Forgets every resource (tables, queues): `POST /moto-api/reset`. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

function canImportMoto(python: string): boolean {
  try {
    execFileSync(python, ['-c', 'import moto.server, flask, flask_cors'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A python that can run `moto.server`, installing moto into the project's `.venv` when none can. */
export function motoPython(): string {
  const venvPython = path.join(VENV, 'bin', 'python');
  if (existsSync(venvPython) && canImportMoto(venvPython)) return venvPython;
  if (canImportMoto('python3')) return 'python3';
  // Test files run in parallel workers: one installs while the others wait for it.
  const lock = `${VENV}.lock`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} has been held for 10 minutes; remove it if no install is running`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    if (!(existsSync(venvPython) && canImportMoto(venvPython))) {
      execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
      execFileSync(venvPython, ['-m', 'pip', 'install', '--quiet', 'moto[server]>=5,<6'], { stdio: 'inherit', timeout: 600_000 });
    }
  } finally {
    rmdirSync(lock);
  }
  if (!canImportMoto(venvPython)) {
    throw new Error(`moto[server] was installed into ${VENV} but cannot be imported; delete ${VENV} and retry`);
  }
  return venvPython;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with code ${child.exitCode} before answering:\n${output()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
}

/** Starts a moto server and resolves once it answers. The caller must `stop()` it. */
export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const python = motoPython();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  // Keep the tail of its output for error messages; draining the pipes keeps moto from blocking on them.
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  };

  try {
    await waitUntilAnswering(endpoint, child, () => log, options.timeoutMs ?? 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const clientConfig = { endpoint, region: REGION, credentials: DUMMY_CREDENTIALS };
  const dynamodb = new DynamoDBClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  return {
    endpoint,
    region: REGION,
    dynamodb,
    sqs,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    },
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
    },
    stop: async () => {
      dynamodb.destroy();
      sqs.destroy();
      await stop();
    },
  };
}

/** Creates the timer table (as the construct declares it) and returns its name. */
export async function createTimerTable(moto: MotoServer, tableName = `timers-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`): Promise<string> {
  await moto.dynamodb.send(new CreateTableCommand(timerTableDefinition(tableName)));
  return tableName;
}

/** Creates a standard queue and returns its URL. */
export async function createQueue(moto: MotoServer, queueName = `callbacks-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`): Promise<string> {
  const out = await moto.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  return out.QueueUrl!;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that start and stop one moto server for the calling test file; read
 * `server()` inside tests.
 */
export function useMoto(): { server: () => MotoServer } {
  let moto: MotoServer | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  }, 600_000);
  afterAll(async () => {
    await moto?.stop();
  });
  return {
    server: () => {
      if (!moto) throw new Error('the moto server is not running: call useMoto() at the top of the test file and read server() inside tests');
      return moto;
    },
  };
}
