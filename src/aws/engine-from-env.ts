/**
 * How a Lambda handler builds the engine from its environment: the settings the construct passes as environment
 * variables (names in `src/envars.ts`), the SDK clients, and the store and queue adapters over them. Read once per
 * container by the handler modules; tests build the same pieces against an emulator.
 */
// Bundled into the Lambda assets by esbuild, never loaded by the published library: a devDependency on purpose.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EngineConfig, EngineSettings, engineConfig } from '../core';
import { Envar } from '../envars';
import { DynamoTimerStore } from './dynamo-store';
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
    settleMs: wholeNumber(env, Envar.SETTLE_MS, false),
    tickBudgetMs: wholeNumber(env, Envar.TICK_BUDGET_MS, false),
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
 * SDK clients for the handlers. AWS_ENDPOINT_URL (set only for tests against an emulator) redirects both; on
 * Lambda the region and credentials come from the runtime.
 */
export function awsClientsFromEnv(env: Env = process.env): AwsClients {
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  const common = { ...(endpoint && { endpoint }), maxAttempts: 3 };
  return { dynamodb: new DynamoDBClient(common), sqs: new SQSClient(common) };
}

export interface AwsAdapters {
  readonly config: EngineConfig;
  readonly store: DynamoTimerStore;
  readonly queue: SqsFiringQueue;
}

/** The configuration, store and queue of a handler, all from the environment. */
export function adaptersFromEnv(env: Env = process.env, clients: AwsClients = awsClientsFromEnv(env)): AwsAdapters {
  const config = engineConfigFromEnv(env);
  return {
    config,
    store: new DynamoTimerStore({ client: clients.dynamodb, tableName: requiredString(env, Envar.TABLE_NAME) }),
    queue: new SqsFiringQueue({ client: clients.sqs, queueUrl: requiredString(env, Envar.QUEUE_URL) }),
  };
}
