/**
 * Starts the local AWS emulators the benchmarks run against, each in its own child process on 127.0.0.1 and a
 * free port, and stops them again. Clients point at them with throwaway credentials: nothing leaves the machine.
 */
import { ChildProcess, fork } from 'child_process';
import * as path from 'path';

export type EmulatorKind = 'dynamodb' | 'sqs';

export interface Emulator {
  readonly kind: EmulatorKind;
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** What every SDK client of the benchmark is built with, besides its endpoint. */
export const LOCAL_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

const START_TIMEOUT_MS = 30_000;

export async function startEmulator(kind: EmulatorKind): Promise<Emulator> {
  const child: ChildProcess = fork(path.join(__dirname, 'emulator-process.ts'), [kind], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the ${kind} emulator did not report its port within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('message', (message: { port?: number }) => {
      clearTimeout(timer);
      if (typeof message.port === 'number') resolve(message.port);
      else reject(new Error(`the ${kind} emulator sent ${JSON.stringify(message)} instead of its port`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} emulator exited with code ${code} before it listened`));
    });
  });
  return {
    kind,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // The child closes its server and exits when the IPC channel goes away; kill it if it does not.
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => clearTimeout(killer));
        child.disconnect();
      }),
  };
}

/**
 * The DynamoDB and SQS emulators, started one at a time and each pushed on `started` as soon as it runs, so that the
 * caller's `finally` stops whichever started if the other fails.
 */
export async function startDynamoDbAndSqs(started: Emulator[]): Promise<{ readonly dynamodb: Emulator; readonly sqs: Emulator }> {
  const dynamodb = await startEmulator('dynamodb');
  started.push(dynamodb);
  const sqs = await startEmulator('sqs');
  started.push(sqs);
  return { dynamodb, sqs };
}
