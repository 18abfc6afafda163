/**
 * How a Lambda handler builds the engine from its environment: the settings the construct passes as environment
 * variables (names in `src/envars.ts`), the SDK clients, the store and queue adapters over them, and the tick's way of
 * starting its own continuation. Read once per container by the handler modules; tests build the same pieces against
 * an emulator.
 */
// Bundled into the Lambda assets by esbuild, never loaded by the published library: a devDependency on purpose.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EngineConfig, EngineSettings, engineConfig } from '../core';
import { Envar } from '../envars';
import { DynamoTimerStore } from './dynamo-store';
import type { TickEvent } from './handlers';
import { SqsFiringQueue } from './sqs-queue';

type Env = Readonly<Record<string, string | undefined>>;

function requiredString(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`environment variable ${name} is not set: the ServerlessTimer construct sets it on the function; set it when running the handler elsewhere`);
  }
  return value.trim();
}

function wholeNumber(env: Env, name: string, required: boolean): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') {
    if (required) requiredString(env, name);
    return undefined;
  }
  if (!/^\d+$/.test(raw.trim())) {
    throw new Error(`environment variable ${name} must be a whole number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw.trim());
}

/** The engine settings in the environment; throws naming the variable that is missing or malformed. */
export function settingsFromEnv(env: Env = process.env): EngineSettings {
  const retentionSeconds = wholeNumber(env, Envar.ONESHOT_RETENTION_SECONDS, false);
  const settings: EngineSettings = {
    shardCount: wholeNumber(env, Envar.SHARD_COUNT, true)!,
    periodSeconds: wholeNumber(env, Envar.PERIOD_SECONDS, true)!,
    batchConcurrency: wholeNumber(env, Envar.BATCH_CONCURRENCY, false),
    indexLagToleranceMs: wholeNumber(env, Envar.INDEX_LAG_TOLERANCE_MS, false),
    createWithinMs: wholeNumber(env, Envar.CREATE_WITHIN_MS, false),
    oneShotRetentionMs: retentionSeconds === undefined ? undefined : retentionSeconds * 1000,
  };
  return settings;
}

/** The engine configuration derived from the environment, with the variable names in any range error. */
export function engineConfigFromEnv(env: Env = process.env): EngineConfig {
  const settings = settingsFromEnv(env);
  try {
    return engineConfig(settings);
  } catch (err) {
    const names: Record<string, string> = {
      shardCount: Envar.SHARD_COUNT,
      periodSeconds: Envar.PERIOD_SECONDS,
      batchConcurrency: Envar.BATCH_CONCURRENCY,
      indexLagToleranceMs: Envar.INDEX_LAG_TOLERANCE_MS,
      createWithinMs: Envar.CREATE_WITHIN_MS,
    };
    const message = (err as Error).message.replace(/^(\w+)/, (field) => (names[field] ? `${names[field]} (${field})` : field));
    throw new Error(`invalid environment: ${message}`);
  }
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}

/**
 * A request that has not answered within this long is abandoned (the SDK's default waits forever, which a tick with a
 * deadline cannot afford), and retried by whoever retries it: the SDK for DynamoDB, the dispatcher for SQS. A 1 MB
 * Query page or a 256 KiB SendMessageBatch takes well under a second inside a region.
 */
export const REQUEST_TIMEOUT_MS = 5000;
export const CONNECTION_TIMEOUT_MS = 2000;
/** Sockets beyond `batchConcurrency`: the Query read ahead, checkpoints and retires run beside the sends. */
const SPARE_SOCKETS = 8;

/**
 * The SDK's HTTP handler options (the options-object form of `requestHandler`, SDK v3.521 and later): keep-alive
 * sockets, at least as many as the batches a tick keeps in flight (the SDK's default pool is 50, and a request
 * waiting for a socket counts against its timeout), and a request timeout that throws rather than only warns.
 */
export function httpHandlerOptions(batchConcurrency: number): Record<string, unknown> {
  const agent = { keepAlive: true, maxSockets: Math.max(50, batchConcurrency + SPARE_SOCKETS) };
  return {
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    throwOnRequestTimeout: true,
    httpsAgent: agent,
    httpAgent: agent,
  };
}

/**
 * Attempts per request, by client. DynamoDB's calls (reads, checkpoints, the PUT's write) have no retry of their own
 * and keep the SDK's. SQS's sends are retried by the dispatcher, entry by entry, with a backoff bounded by the tick's
 * deadline: SDK retries under it would multiply its attempts (and their 5 s timeouts) past that bound. The Lambda
 * client only starts a tick's continuation, an `Event` invoke that Lambda may have queued even when its answer is
 * lost: retrying it could start the continuation twice.
 */
export const MAX_ATTEMPTS = { dynamodb: 3, sqs: 1, lambda: 1 } as const;

function clientOptions(env: Env, batchConcurrency: number, maxAttempts: number): Record<string, unknown> {
  // AWS_ENDPOINT_URL is set only for tests against an emulator; on Lambda the region and credentials come from the runtime.
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  return { ...(endpoint && { endpoint }), maxAttempts, requestHandler: httpHandlerOptions(batchConcurrency) };
}

/** SDK clients for the handlers, sized for `batchConcurrency` (by default, the environment's). */
export function awsClientsFromEnv(env: Env = process.env, batchConcurrency = engineConfigFromEnv(env).batchConcurrency): AwsClients {
  return {
    dynamodb: new DynamoDBClient(clientOptions(env, batchConcurrency, MAX_ATTEMPTS.dynamodb)),
    sqs: new SQSClient(clientOptions(env, batchConcurrency, MAX_ATTEMPTS.sqs)),
  };
}

/** The client that starts a tick's continuation: one attempt per invoke (see `MAX_ATTEMPTS`). */
export function lambdaClientFromEnv(env: Env = process.env): LambdaClient {
  return new LambdaClient(clientOptions(env, 0, MAX_ATTEMPTS.lambda));
}

export interface AwsAdapters {
  readonly config: EngineConfig;
  readonly store: DynamoTimerStore;
  readonly queue: SqsFiringQueue;
}

/** The configuration, store and queue of a handler, all from the environment. */
export function adaptersFromEnv(env: Env = process.env, clients?: AwsClients): AwsAdapters {
  const config = engineConfigFromEnv(env);
  const { dynamodb, sqs } = clients ?? awsClientsFromEnv(env, config.batchConcurrency);
  return {
    config,
    store: new DynamoTimerStore({ client: dynamodb, tableName: requiredString(env, Envar.TABLE_NAME) }),
    queue: new SqsFiringQueue({ client: sqs, queueUrl: requiredString(env, Envar.QUEUE_URL) }),
  };
}

/**
 * How the tick function starts the continuation of a tick that stopped before its deadline: an asynchronous
 * invocation (InvocationType Event) of itself, named by Lambda's AWS_LAMBDA_FUNCTION_NAME, with the TickEvent as its
 * payload. It needs `lambda:InvokeFunction` on itself, and the function's recursive loop detection set to Allow
 * (Lambda stops a chain of direct self-invocations after about 16 hops otherwise). Undefined outside Lambda.
 */
export function continueTickFromEnv(env: Env = process.env, client?: LambdaClient): ((event: TickEvent) => Promise<void>) | undefined {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME?.trim();
  if (!functionName) return undefined;
  let lambda = client;
  return async (event) => {
    // Made on the first hand-over only: most ticks finish within their deadline.
    lambda ??= lambdaClientFromEnv(env);
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    if (out.StatusCode !== 202) {
      throw new Error(`Lambda answered ${out.StatusCode} to the asynchronous invocation of ${functionName} (202 expected)`);
    }
  };
}
