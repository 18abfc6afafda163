/**
 * What the AWS handler tests share: a fresh table and queue on the moto server, the API and tick handlers wired
 * to them with a clock the test moves by hand, and recorders for what was sent, measured and written.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoTimerStore } from '../../src/aws/dynamo-store';
import { ApiHandler, TickHandler, createApiHandler, createTickHandler } from '../../src/aws/handlers';
import { SqsFiringQueue } from '../../src/aws/sqs-queue';
import { EngineConfig, FiringQueue, QueueEntry, engineConfig } from '../../src/core';
import { ManualClock, RecordingMetrics } from '../support/memory-store';
import { DUMMY_CREDENTIALS, MotoServer, createQueue, createTimerTable } from '../support/moto';

/** Wraps the SQS queue to keep every entry it accepted, optionally held at a gate to keep a tick's lease taken. */
export class RecordingQueue implements FiringQueue {
  readonly sent: QueueEntry[] = [];
  /** When set, every send waits for it: a tick holding the lease stays inside its dispatch until it settles. */
  gate?: Promise<unknown>;
  constructor(private readonly inner: FiringQueue) {}
  async sendBatch(entries: readonly QueueEntry[]): Promise<string[]> {
    if (this.gate) await this.gate;
    const failed = await this.inner.sendBatch(entries);
    this.sent.push(...entries.filter((e) => !failed.includes(e.id)));
    return failed;
  }
  forTimer(id: string): QueueEntry[] {
    return this.sent.filter((e) => e.attributes.TimerId === id);
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
  tickHandler(): TickHandler;
  request(method: string, kind: 'periodic' | 'oneshot', id: string, body?: unknown): Promise<{ statusCode: number; body: any }>;
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
  readonly shardCount?: number;
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

export async function createRig(moto: MotoServer, options: RigOptions): Promise<Rig> {
  const tableName = await createTimerTable(moto);
  const queueUrl = await createQueue(moto);
  // settleMs 0: the emulator's index reads are consistent, and the clock is the test's.
  const config = engineConfig({ shardCount: options.shardCount ?? 1, periodSeconds: 60, settleMs: 0 });
  const clock = new ManualClock(options.t0);
  const store = new DynamoTimerStore({ client: options.dynamodb ?? moto.dynamodb, tableName, queryPageLimit: options.queryPageLimit });
  const queue = new RecordingQueue(new SqsFiringQueue({ client: moto.sqs, queueUrl }));
  const metrics = new RecordingMetrics();
  const deps = { config, store, queue, clock, metrics };
  const api = createApiHandler(deps);
  const tickHandler = (): TickHandler => createTickHandler(deps);
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
