/**
 * What the AWS handler tests share: a fresh table and queue on the moto server, the API and tick handlers wired
 * to them with a clock the test moves by hand, and recorders for what was sent, measured and written.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoTimerStore } from '../../src/aws/dynamo-store';
import { ApiHandler, HandlerDeps, TickHandler, createApiHandler, createTickHandler } from '../../src/aws/handlers';
import { SqsFiringQueue } from '../../src/aws/sqs-queue';
import { EngineConfig, FiringQueue, MessageAttribute, PeriodicTimer, QueueEntry, QueueFailure, engineConfig, periodicFirings } from '../../src/core';
import { ManualClock, RecordingMetrics } from '../support/memory-store';
import { DUMMY_CREDENTIALS, MotoServer, createQueue, createTimerTable } from '../support/moto';

/** Wraps the SQS queue to keep every entry it accepted, optionally held at a gate to keep a tick's lease taken. */
export class RecordingQueue implements FiringQueue {
  readonly sent: QueueEntry[] = [];
  /** When set, every send waits for it: a tick holding the lease stays inside its dispatch until it settles. */
  gate?: Promise<unknown>;
  /** When set, every send moves this clock by this much: sending takes virtual time, so a deadline can run out. */
  sendCost?: { readonly clock: ManualClock; readonly ms: number };
  constructor(private readonly inner: FiringQueue) {}
  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    if (this.gate) await this.gate;
    const failed = await this.inner.sendBatch(entries);
    if (this.sendCost) this.sendCost.clock.advance(this.sendCost.ms);
    const refused = new Set(failed.map((f) => f.id));
    this.sent.push(...entries.filter((e) => !refused.has(e.id)));
    return failed;
  }
  forTimer(id: string): QueueEntry[] {
    return this.sent.filter((e) => e.attributes[MessageAttribute.TIMER_ID] === id);
  }
  firingIds(): string[] {
    return this.sent.map((e) => e.attributes[MessageAttribute.FIRING_ID]);
  }
}

export interface Rig {
  readonly tableName: string;
  readonly queueUrl: string;
  readonly config: EngineConfig;
  readonly clock: ManualClock;
  readonly store: DynamoTimerStore;
  readonly queue: RecordingQueue;
  readonly metrics: RecordingMetrics;
  readonly api: ApiHandler;
  /** A second tick handler can be made with `tickHandler()`; this one is ready. */
  readonly tick: TickHandler;
  tickHandler(extra?: Pick<HandlerDeps, 'continueTick'>): TickHandler;
  request(method: string, kind: 'periodic' | 'oneshot' | 'cron', id: string, body?: unknown): Promise<{ statusCode: number; body: any }>;
  /**
   * Stores a periodic timer as if created long before the test (its `tickFrom` an hour back), so the ticks owe every
   * firing of the test's windows; registers its interval first, as the API does.
   */
  seedPeriodic(id: string, interval: number, offset: number, data?: unknown): Promise<PeriodicTimer>;
  /** Messages receivable right now (no wait), with their attributes. */
  receive(): Promise<Message[]>;
  /** SQS's counts of visible and delayed messages. */
  queueCounts(): Promise<{ visible: number; delayed: number }>;
  scanIds(): Promise<string[]>;
}

export interface RigOptions {
  readonly t0: number;
  readonly queryPageLimit?: number;
  /** A DynamoDB client of the test's own, e.g. one carrying recording middleware. */
  readonly dynamodb?: DynamoDBClient;
  /** An SQS client of the test's own, e.g. one whose requests fail on demand. */
  readonly sqs?: SQSClient;
  readonly shardCount?: number;
  readonly batchConcurrency?: number;
}

export function apiEvent(method: string, resource: string, id: string | undefined, body?: string, base64 = false): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    resource,
    path: id === undefined ? resource : resource.replace('{id}', encodeURIComponent(id)),
    pathParameters: id === undefined ? null : { id },
    body: body === undefined ? null : base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: base64,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

export function parse(result: APIGatewayProxyResult): { statusCode: number; body: any } {
  expect(result.headers?.['content-type']).toBe('application/json');
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
}

export function dynamoClientFor(moto: MotoServer): DynamoDBClient {
  return new DynamoDBClient({ endpoint: moto.endpoint, region: moto.region, credentials: DUMMY_CREDENTIALS });
}

export function sqsClientFor(moto: MotoServer): SQSClient {
  return new SQSClient({ endpoint: moto.endpoint, region: moto.region, credentials: DUMMY_CREDENTIALS });
}

/** Every write request a DynamoDB client makes, as [command, item id], recorded by middleware. */
export function recordWrites(client: DynamoDBClient): Array<[string, string]> {
  const writes: Array<[string, string]> = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      if (/^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/.test(name)) {
        const input = args.input as { Key?: { id?: { S?: string } }; Item?: { id?: { S?: string } } };
        writes.push([name, input.Key?.id?.S ?? input.Item?.id?.S ?? '?']);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordWrites' },
  );
  return writes;
}

/** Every firing id of these timers in [fromMs, toMs), as the callback contract names them. */
export function expectedFiringIds(timers: readonly PeriodicTimer[], fromMs: number, toMs: number): string[] {
  return timers.flatMap((timer) => periodicFirings(timer, fromMs, toMs).map((f) => `${f.timerId}@${f.scheduledAt}`)).sort();
}

export async function createRig(moto: MotoServer, options: RigOptions): Promise<Rig> {
  const tableName = await createTimerTable(moto);
  const queueUrl = await createQueue(moto);
  // No index lag to tolerate: the emulator's index reads are consistent, and the clock is the test's. A shard's first
  // tick starts at the clock's second, so that each test's first windows are its own (the hour a new shard looks back
  // is the core tests' subject, and would cost moto an hour of empty Queries here).
  const config = engineConfig({
    shardCount: options.shardCount ?? 1,
    periodSeconds: 60,
    batchConcurrency: options.batchConcurrency,
    initialCatchUpMs: 0,
  });
  const clock = new ManualClock(options.t0);
  const store = new DynamoTimerStore({ client: options.dynamodb ?? moto.dynamodb, tableName, queryPageLimit: options.queryPageLimit });
  const queue = new RecordingQueue(new SqsFiringQueue({ client: options.sqs ?? moto.sqs, queueUrl }));
  const metrics = new RecordingMetrics();
  const deps: HandlerDeps = { config, store, queue, clock, metrics };
  const api = createApiHandler(deps);
  const tickHandler = (extra: Pick<HandlerDeps, 'continueTick'> = {}): TickHandler => createTickHandler({ ...deps, ...extra });
  const longAgo = options.t0 - 3_600_000;
  return {
    tableName,
    queueUrl,
    config,
    clock,
    store,
    queue,
    metrics,
    api,
    tick: tickHandler(),
    tickHandler,
    request: async (method, kind, id, body) =>
      parse(await api(apiEvent(method, `/${kind}/{id}`, id, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)))),
    seedPeriodic: async (id, interval, offset, data = id) => {
      const timer: PeriodicTimer = { kind: 'periodic', id, shardId: 'shard0', data: JSON.stringify(data), createdAt: longAgo, tickFrom: longAgo, interval, offset };
      await store.registerInterval(timer.shardId, interval, longAgo);
      await store.putTimer(timer);
      return timer;
    },
    receive: async () =>
      (await moto.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] })))
        .Messages ?? [],
    queueCounts: async () => {
      const out = await moto.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
      );
      return {
        visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? NaN),
        delayed: Number(out.Attributes?.ApproximateNumberOfMessagesDelayed ?? NaN),
      };
    },
    scanIds: async () => ((await moto.dynamodb.send(new ScanCommand({ TableName: tableName }))).Items ?? []).map((item) => item.id.S!).sort(),
  };
}
