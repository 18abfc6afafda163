/**
 * A child process that runs one AWS emulator (dynalite for DynamoDB, local-aws-sqs for SQS) on 127.0.0.1 and a free
 * port, so the benchmark's own process measures only the client side, as a Lambda would. It reports its port to
 * the parent over IPC and exits when the parent disconnects, so it never outlives the benchmark.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import * as fs from 'fs';
import type { Server } from 'http';
import Module from 'module';
import { AddressInfo } from 'net';
import * as path from 'path';

/**
 * local-aws-sqs 2.0.2 refuses every ReceiveMessage ("The maximum number of in flight messages is reached") once a queue
 * holds 120,000 messages that are not in flight: it compares SQS's limit on messages in flight (received, not yet
 * deleted) with the count of the others. A benchmark that counts a window of 300,000 firings (bench:tick-scale) holds
 * more than that while its consumers keep a few hundred in flight, as SQS allows; so the package is loaded with that one
 * comparison removed. Nothing else changes, and a later version without the same code is refused rather than guessed at.
 */
const LOCAL_AWS_SQS_IN_FLIGHT_CHECK =
  ',a=S(this,E).length,d=S(this,E).filter(f=>!f.visible).length,c=a-d;if(o+c>=S(this,Me))' +
  'throw new F("The maximum number of in flight messages is reached");';

function loadLocalAwsSqs(): typeof import('local-aws-sqs') {
  const file = require.resolve('local-aws-sqs');
  const source = fs.readFileSync(file, 'utf8');
  if (!source.includes(LOCAL_AWS_SQS_IN_FLIGHT_CHECK)) {
    throw new Error(
      `${file} does not hold the in-flight check bench/emulator-process.ts removes: local-aws-sqs has changed; check whether ` +
        'it still counts the messages not in flight against the in-flight limit, and update or drop the workaround',
    );
  }
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  (loaded as unknown as { _compile(code: string, filename: string): void })._compile(source.replace(LOCAL_AWS_SQS_IN_FLIGHT_CHECK, ';'), file);
  return loaded.exports as typeof import('local-aws-sqs');
}

async function start(kind: string): Promise<Server> {
  if (kind === 'dynamodb') {
    // dynalite ships no types; its factory returns a plain http.Server. In-memory store, tables ready at once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }
  if (kind === 'sqs') {
    const { createSqsServer } = loadLocalAwsSqs();
    return createSqsServer({ port: 0, hostname: '127.0.0.1' });
  }
  throw new Error(`unknown emulator "${kind}": expected "dynamodb" or "sqs"`);
}

start(process.argv[2] ?? '').then(
  (server) => {
    process.send?.({ port: (server.address() as AddressInfo).port });
    process.on('disconnect', () => {
      server.close();
      process.exit(0);
    });
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
