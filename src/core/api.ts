/**
 * The timer API: every route of the contract, as one call both shells make (the API Lambda and the local HTTP
 * server). It validates, stores, and sends directly the firings of a new timer that fall in a span a tick has
 * already dispatched or claimed (invariant 4).
 */
import { EngineConfig } from './config';
import { Dispatcher } from './dispatch';
import { INTERNAL_ERROR_MESSAGE, TimerRequestError, badRequest, notFound } from './errors';
import { Firing, OneShotTimer, PeriodicTimer, Timer, TimerKind } from './model';
import { MetricName } from './names';
import { Clock, Log, MetricsSink, TimerStore } from './ports';
import { firingsInWindow, nextPeriodicFiring } from './schedule';
import { oneShotTimerFrom, periodicTimerFrom, validateId } from './validate';

export interface ApiRequest {
  readonly method: string;
  /** The request path, e.g. `/periodic/my-timer` (percent-encoded as sent). */
  readonly path: string;
  readonly body?: string;
}

export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

export interface TimerApiDeps {
  readonly store: TimerStore;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  readonly log: Log;
}

const ROUTE = /^\/(periodic|oneshot)\/([^/]+)\/?$/;
const KIND_OF_ROUTE: Record<string, TimerKind> = { periodic: 'periodic', oneshot: 'oneshot' };

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The JSON a client sees for a timer; field names kept from the original serverless timer. */
export function timerView(timer: Timer, nowMs: number): Record<string, unknown> {
  // Filled in field by field rather than spread from a common part: this runs on every PUT and GET.
  const view: Record<string, unknown> = {
    id: timer.id,
    kind: timer.kind,
    shardId: timer.shardId,
    timerCallbackData: JSON.parse(timer.data),
    createdAt: iso(timer.createdAt),
  };
  if (timer.kind === 'periodic') {
    view.timeShardId = `${timer.offset}:${timer.id}`;
    view.interval = timer.interval;
    view.offset = timer.offset;
    view.startAt = iso(timer.startAt);
    view.endAt = iso(timer.endAt);
    view.nextFireAt = iso(nextPeriodicFiring(timer, nowMs)) ?? null;
  } else {
    view.fireAt = iso(timer.fireAt);
    view.state = timer.fireAt <= nowMs ? 'fired' : 'scheduled';
  }
  return view;
}

function sameSchedule(a: Timer | undefined, b: Timer): boolean {
  if (!a || a.kind !== b.kind || a.shardId !== b.shardId || a.data !== b.data) return false;
  if (a.kind === 'oneshot') return a.fireAt === (b as OneShotTimer).fireAt;
  const p = b as PeriodicTimer;
  return a.interval === p.interval && a.offset === p.offset && a.startAt === p.startAt && a.endAt === p.endAt;
}

export class TimerApi {
  constructor(private readonly config: EngineConfig, private readonly deps: TimerApiDeps) {}

  /** Answers one request; never throws. */
  async handle(request: ApiRequest): Promise<ApiResponse> {
    try {
      return await this.route(request);
    } catch (err) {
      if (err instanceof TimerRequestError) return { statusCode: err.statusCode, body: { message: err.message } };
      this.deps.log.error('request failed', { method: request.method, path: request.path, error: String(err), stack: (err as Error)?.stack });
      return { statusCode: 500, body: { message: INTERNAL_ERROR_MESSAGE } };
    }
  }

  private async route(request: ApiRequest): Promise<ApiResponse> {
    const match = ROUTE.exec(request.path);
    if (!match) throw notFound(`no route for ${request.path}: use /periodic/{id} or /oneshot/{id}`);
    const kind = KIND_OF_ROUTE[match[1]];
    let id: string;
    try {
      id = decodeURIComponent(match[2]);
    } catch {
      throw badRequest(`the timer id in ${request.path} is not valid percent-encoding`);
    }
    switch (request.method.toUpperCase()) {
      case 'PUT':
        return { statusCode: 200, body: await this.put(kind, id, request.body) };
      case 'GET':
        return { statusCode: 200, body: timerView(await this.get(kind, id), this.deps.clock.now()) };
      case 'DELETE':
        await this.delete(kind, id);
        return { statusCode: 200, body: { id } };
      default:
        throw new TimerRequestError(405, `method ${request.method} is not allowed on ${request.path}: use PUT, GET or DELETE`);
    }
  }

  private async put(kind: TimerKind, id: string, body: string | undefined): Promise<Record<string, unknown>> {
    const { store, clock, metrics } = this.deps;
    const now = clock.now();
    const timer: Timer =
      kind === 'periodic'
        ? periodicTimerFrom(id, body, { shardCount: this.config.shardCount, defaultIntervalSeconds: this.config.periodSeconds }, now)
        : oneShotTimerFrom(id, body, this.config.shardCount, this.config.oneShotRetentionMs, now);
    // Make the interval known to the shard before the timer exists, so no tick can see the timer but not its interval.
    if (timer.kind === 'periodic') await store.registerInterval(timer.shardId, timer.interval);
    const previous = await store.putTimer(timer);
    if (!sameSchedule(previous, timer)) await this.sendAlreadyDispatched(timer, now);
    // A 200 means the timer is stored: a store that commits writes together answers only after the commit.
    await store.sync?.();
    metrics.add(MetricName.TIMERS_CREATED, 1);
    return timerView(timer, now);
  }

  /**
   * Sends the firings of a new timer that fall before the end of the span a tick has dispatched or claimed: read
   * after the write, so a tick claiming later reads the timer itself (invariant 4).
   */
  private async sendAlreadyDispatched(timer: Timer, now: number): Promise<void> {
    const { store, dispatcher } = this.deps;
    const state = (await store.getShardState(timer.shardId)) ?? (await store.initShardState(timer.shardId, Math.floor(now / 1000) * 1000));
    const coveredUntil = Math.max(state.watermark, state.claimedUntil);
    const from = timer.kind === 'oneshot' ? Math.min(timer.fireAt, now) : now;
    if (coveredUntil <= from) return;
    const firings: Firing[] = firingsInWindow(timer, from, coveredUntil);
    if (firings.length === 0) return;
    const report = await dispatcher.dispatch([firings]);
    if (report.failed > 0) {
      // The timer is stored but some firings could not be queued: fail loudly so the client retries the PUT.
      throw new Error(`${report.failed} near-term firing(s) of ${timer.id} could not be queued`);
    }
  }

  private async get(kind: TimerKind, id: string): Promise<Timer> {
    validateId(id);
    const timer = await this.deps.store.getTimer(id);
    if (!timer || timer.kind !== kind || (timer.kind === 'oneshot' && timer.expiresAt <= this.deps.clock.now())) {
      throw notFound(`no ${kind} timer with id ${JSON.stringify(id)}`);
    }
    return timer;
  }

  private async delete(kind: TimerKind, id: string): Promise<void> {
    const existing = await this.get(kind, id);
    const deleted = await this.deps.store.deleteTimer(existing.id);
    if (!deleted) throw notFound(`no ${kind} timer with id ${JSON.stringify(id)}`);
    this.deps.metrics.add(MetricName.TIMERS_DELETED, 1);
  }
}
