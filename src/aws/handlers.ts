/**
 * The two Lambda handlers as factories over injected dependencies: API Gateway proxy event -> core `TimerApi`, and
 * tick event -> core `Ticker`. The handler modules (`src/api/api.lambda.ts`, `src/tick/tick.lambda.ts`) build the
 * dependencies from the environment once per container; tests inject an emulator-backed store and a clock.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  Clock,
  Dispatcher,
  EngineConfig,
  FiringQueue,
  INTERNAL_ERROR_MESSAGE,
  Log,
  MetricsSink,
  TickReport,
  Ticker,
  TimerApi,
  TimerStore,
  noMetrics,
  silentLog,
  systemClock,
} from '../core';

export interface HandlerDeps {
  readonly config: EngineConfig;
  readonly store: TimerStore;
  readonly queue: FiringQueue;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default - metrics are dropped */
  readonly metrics?: MetricsSink;
  /** @default - logs are dropped */
  readonly log?: Log;
  /** Runs after every invocation, e.g. to publish the metrics stored during it. */
  readonly flush?: () => void;
  /**
   * Starts the continuation of a tick that stopped before its deadline with work left, at once and without waiting
   * for it (on AWS, an asynchronous invocation of the tick function itself). @default - none: the lease lapses after
   * the deadline and the next scheduled tick resumes at the cursor
   */
  readonly continueTick?: (event: TickEvent) => Promise<void>;
}

/** What a tick invocation is given: by its schedule `{ shardId }`, by a tick that handed over, the owner to continue as. */
export interface TickEvent {
  readonly shardId: string;
  /** The owner of the lease handed over (`TickReport.continuation.owner`). */
  readonly continueAs?: string;
  /** How many hand-overs led to this invocation, for the logs. */
  readonly hop?: number;
  /** Where lateness began for the tick continued (`TickReport.continuation.lateBefore`, epoch ms). */
  readonly lateBefore?: number;
}

/** The part of Lambda's context a tick reads: how long it has left. */
export interface TickContext {
  getRemainingTimeInMillis(): number;
}

export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
export type TickHandler = (event: unknown, context?: TickContext) => Promise<TickReport>;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** What both engine entry points take, with the defaults of the optional dependencies filled in. */
function engineDeps(deps: HandlerDeps): { store: TimerStore; dispatcher: Dispatcher; clock: Clock; metrics: MetricsSink; log: Log } {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? noMetrics;
  const log = deps.log ?? silentLog;
  const dispatcher = new Dispatcher({ queue: deps.queue, clock, concurrency: deps.config.batchConcurrency, metrics, log });
  return { store: deps.store, dispatcher, clock, metrics, log };
}

/**
 * The request path core routes on. API Gateway gives the resource template (`/periodic/{id}`) and the decoded id;
 * the id is encoded again because core decodes the path itself, and an id holding `/` must not split the path.
 */
export function requestPathOf(event: Pick<APIGatewayProxyEvent, 'resource' | 'path' | 'pathParameters'>): string {
  const id = event.pathParameters?.id;
  if (event.resource && event.resource.includes('{id}') && id !== undefined) {
    return event.resource.replace('{id}', encodeURIComponent(id));
  }
  return event.path;
}

function bodyOf(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | undefined {
  if (event.body === null || event.body === undefined) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function createApiHandler(deps: HandlerDeps): ApiHandler {
  const engine = engineDeps(deps);
  const { log } = engine;
  const api = new TimerApi(deps.config, engine);
  return async (event) => {
    try {
      const response = await api.handle({ method: event.httpMethod, path: requestPathOf(event), body: bodyOf(event) });
      return { statusCode: response.statusCode, headers: JSON_HEADERS, body: JSON.stringify(response.body) };
    } catch (err) {
      // TimerApi.handle answers every request itself; this catches a failure around it, and still leaks nothing.
      log.error('request failed outside the engine', { error: String(err), stack: (err as Error)?.stack });
      return { statusCode: 500, headers: JSON_HEADERS, body: JSON.stringify({ message: INTERNAL_ERROR_MESSAGE }) };
    } finally {
      deps.flush?.();
    }
  };
}

const SHARD_ID = /^shard(\d{1,3})$/;

/** The shard a tick event names; throws saying what a valid event looks like. */
export function shardIdOf(event: unknown, shardCount: number): string {
  const shardId = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).shardId : undefined;
  const match = typeof shardId === 'string' ? SHARD_ID.exec(shardId) : null;
  if (!match || Number(match[1]) >= shardCount || String(Number(match[1])) !== match[1]) {
    throw new Error(
      `the tick event must be {"shardId": "shard<n>"} with n from 0 to ${shardCount - 1}, got ${JSON.stringify(event)}; ` +
        'the construct\'s schedules send one such event per shard',
    );
  }
  return shardId as string;
}

/** The tick event, checked: a shard, and for a continuation the owner it continues as. */
export function tickEventOf(event: unknown, shardCount: number): TickEvent {
  const shardId = shardIdOf(event, shardCount);
  const { continueAs, hop, lateBefore } = event as Record<string, unknown>;
  if (continueAs !== undefined && (typeof continueAs !== 'string' || continueAs === '')) {
    throw new Error(`the tick event's "continueAs" must be the owner a tick handed its lease to, got ${JSON.stringify(continueAs)}`);
  }
  if (lateBefore !== undefined && !Number.isSafeInteger(lateBefore)) {
    throw new Error(`the tick event's "lateBefore" must be epoch milliseconds, got ${JSON.stringify(lateBefore)}`);
  }
  return {
    shardId,
    ...(continueAs !== undefined && { continueAs: continueAs as string }),
    ...(lateBefore !== undefined && { lateBefore: lateBefore as number }),
    ...(typeof hop === 'number' && Number.isInteger(hop) && hop >= 0 && { hop }),
  };
}

export function createTickHandler(deps: HandlerDeps): TickHandler {
  const engine = engineDeps(deps);
  const { log, clock, store } = engine;
  const ticker = new Ticker(deps.config, engine);
  return async (event, context) => {
    try {
      const tickEvent = tickEventOf(event, deps.config.shardCount);
      const deadlineMs = context ? clock.now() + context.getRemainingTimeInMillis() : undefined;
      const report = await ticker.tick(tickEvent.shardId, {
        ...(deadlineMs !== undefined && { deadlineMs }),
        ...(tickEvent.continueAs !== undefined && { continueAs: tickEvent.continueAs }),
        ...(tickEvent.lateBefore !== undefined && { lateBefore: tickEvent.lateBefore }),
      });
      log.info('tick done', { ...report, hop: tickEvent.hop ?? 0 });
      if (report.continuation) await handOver(deps, store, log, tickEvent, report.continuation);
      return report;
    } finally {
      deps.flush?.();
    }
  };
}

/**
 * Starts the continuation of a tick that stopped early. Without a way to start one, or when starting it fails, the
 * lease is given up at once, so that the next scheduled tick resumes at the cursor without waiting for it to lapse.
 */
async function handOver(
  deps: HandlerDeps,
  store: TimerStore,
  log: Log,
  event: TickEvent,
  { owner, lateBefore }: { readonly owner: string; readonly lateBefore: number },
): Promise<void> {
  const next: TickEvent = { shardId: event.shardId, continueAs: owner, hop: (event.hop ?? 0) + 1, lateBefore };
  if (deps.continueTick) {
    try {
      await deps.continueTick(next);
      return;
    } catch (err) {
      log.error('could not start the continuation of a tick; the next scheduled tick resumes its work', { ...next, error: String(err) });
    }
  }
  await store.releaseShard(event.shardId, owner);
}
