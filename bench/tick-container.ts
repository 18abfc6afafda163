/**
 * One warm container of the tick Lambda, for `bench:tick-scale`: a child process that builds the tick handler once,
 * as `src/tick/tick.lambda.ts` does (the adapters from the environment, with the SDK clients' own settings, and
 * `createTickHandler`), then runs the invocations its parent sends over IPC, one at a time. Its peak RSS is the
 * figure the benchmark reports, measured apart from the process that seeds, sends the ceiling and counts.
 *
 * The parent plays the Lambda service: it gives each invocation its deadline (the context's
 * `getRemainingTimeInMillis()`), kills the container if an invocation outlives it, and takes the asynchronous
 * invocations the handler's `continueTick` asks for, answering at once (Lambda's 202) and starting them when this
 * container is free. Protocol in `TickContainerRequest` and `TickContainerReply`.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
import { stderrLog } from './aws-fixtures';
import { AwsMeter } from './aws-meter';
import { adaptersFromEnv, awsClientsFromEnv } from '../src/aws/engine-from-env';
import { TickEvent, TickHandler, createTickHandler } from '../src/aws/handlers';
import { Clock, FiringQueue, TickReport, systemClock } from '../src/core';

export type TickContainerRequest =
  | {
    readonly type: 'invoke';
    readonly requestId: number;
    readonly event: TickEvent;
    /** When the invocation times out, epoch ms of the real clock. */
    readonly deadlineAt: number;
    /** What the engine's clock reads when the invocation starts (epoch ms); it runs at real speed from there. */
    readonly clockAtStart: number;
  }
  | { readonly type: 'accepted'; readonly callId: number };

export type TickContainerReply =
  | { readonly type: 'ready'; readonly rssMb: number }
  | { readonly type: 'continue'; readonly callId: number; readonly event: TickEvent }
  | {
    readonly type: 'result';
    readonly requestId: number;
    readonly report?: TickReport;
    readonly error?: string;
    readonly durationMs: number;
    /** CPU time (user + system) of the process during the invocation. */
    readonly cpuMs: number;
    /** Peak resident set size of the process since it started (getrusage's ru_maxrss). */
    readonly maxRssMb: number;
    /** AWS requests of the invocation, by `service:Command`. */
    readonly requests: Record<string, number>;
    /** From the invocation's start to its first SendMessageBatch (ms): its set-up before it sends. */
    readonly firstSendMs?: number;
  };

function send(message: TickContainerReply): void {
  process.send?.(message);
}

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Where the engine's clock stands: `virtual` at the real instant `real`. */
let clockOrigin = { virtual: Date.now(), real: Date.now() };
const clock: Clock = { now: () => clockOrigin.virtual + (Date.now() - clockOrigin.real), sleep: systemClock.sleep };

const accepted = new Map<number, () => void>();
let callSequence = 0;

/** The asynchronous self-invocation: resolves once the parent has queued it, as Lambda's Invoke (Event) does. */
function continueTick(event: TickEvent): Promise<void> {
  return new Promise((resolve) => {
    const callId = ++callSequence;
    accepted.set(callId, resolve);
    send({ type: 'continue', callId, event });
  });
}

function main(): void {
  const clients = awsClientsFromEnv();
  const meter = new AwsMeter();
  meter.attach(clients.dynamodb, 'dynamodb');
  meter.attach(clients.sqs, 'sqs');
  const adapters = adaptersFromEnv(process.env, clients);
  let firstSendAt: number | undefined;
  const queue: FiringQueue = {
    sendBatch: (entries) => {
      firstSendAt ??= performance.now();
      return adapters.queue.sendBatch(entries);
    },
  };
  const handler: TickHandler = createTickHandler({ ...adapters, queue, clock, log: stderrLog, continueTick });

  process.on('message', (message: TickContainerRequest) => {
    if (message.type === 'accepted') {
      accepted.get(message.callId)?.();
      accepted.delete(message.callId);
      return;
    }
    const { requestId, event, deadlineAt, clockAtStart } = message;
    clockOrigin = { virtual: clockAtStart, real: Date.now() };
    meter.reset();
    firstSendAt = undefined;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const finish = (outcome: { report?: TickReport; error?: string }): void => {
      const used = process.cpuUsage(cpu);
      send({
        type: 'result',
        requestId,
        ...outcome,
        durationMs: performance.now() - started,
        cpuMs: (used.user + used.system) / 1000,
        maxRssMb: maxRssMb(),
        requests: Object.fromEntries(meter.requests),
        ...(firstSendAt !== undefined && { firstSendMs: firstSendAt - started }),
      });
    };
    handler(event, { getRemainingTimeInMillis: () => deadlineAt - Date.now() }).then(
      (report) => finish({ report }),
      (err: unknown) => finish({ error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
  // The parent going away ends the container, so it never outlives the benchmark.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', rssMb: maxRssMb() });
}

main();
