/**
 * A child process that runs one AWS emulator (dynalite for DynamoDB, local-aws-sqs for SQS) on 127.0.0.1 and a free
 * port, so the benchmark's own process measures only the client side, as a Lambda would. It reports its port to
 * the parent over IPC and exits when the parent disconnects, so it never outlives the benchmark.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import type { Server } from 'http';
import { AddressInfo } from 'net';

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
    const { createSqsServer } = await import('local-aws-sqs');
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
