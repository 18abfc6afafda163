/**
 * The timer API: every route of the contract, as one call both shells make (the API Lambda and the local HTTP
 * server). It validates, sends a new timer's near-term firings itself, then stores the timer (invariants 4 and 7).
 *
 * Who sends what is decided by arithmetic, with no read of shared shard state (invariant 9): a PUT starting at t
 * sends every firing before B = t + directSendMs itself and stores the timer with `tickFrom = B`; ticks send only
 * firings at or after `tickFrom`. A tick that could not see the timer (it read the index before the write showed
 * there) started before the write ended, so it claimed no further than t + createWithin + lookAhead, and read no later
 * than the lag tolerance after the write: it owes nothing before B. So without faults the API and the ticks never
 * both send a firing, and since the timer is stored only after its own sends succeeded, a stored timer always has
 * its near-term firings queued: an identical PUT finds it and has nothing to do, and a PUT that failed stored nothing
 * (it may have queued some firings, which its retry sends again: a duplicate after a fault).
 */
import { EngineConfig } from './config';
import { nextCronFiring, previousCronFiring } from './cron';
import { Dispatcher, LATE_TOLERANCE_MS } from './dispatch';
import { INTERNAL_ERROR_MESSAGE, TimerRequestError, badRequest, notFound } from './errors';
import { CronTimer, Firing, OneShotTimer, PeriodicTimer, Timer, TimerKind } from './model';
import { MetricName } from './names';
import { Clock, Log, MetricsSink, TimerStore } from './ports';
import { ceilSecond, cronScheduleOf, firingsInWindow, hasEndedBy, nextPeriodicFiring, withTickFrom } from './schedule';
import { cronTimerFrom, oneShotTimerFrom, periodicTimerFrom, validateId } from './validate';

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
  /**
   * The routes the host serves besides the timer routes (`GET /healthz` locally), which a 404 answer names with them.
   * @default none
   */
  readonly otherRoutes?: readonly string[];
}

const ROUTE = /^\/(periodic|oneshot|cron)\/([^/]+?)(?:\/(pause|resume))?\/?$/;
const KIND_OF_ROUTE: Record<string, TimerKind> = { periodic: 'periodic', oneshot: 'oneshot', cron: 'cron' };

/** What a 404 answer lists: the timer routes, then the host's own. */
function routesText(otherRoutes: readonly string[]): string {
  const timers = 'use /periodic/{id}, /oneshot/{id} or /cron/{id}, and POST .../{id}/pause or .../{id}/resume';
  return otherRoutes.length === 0 ? timers : `${timers}, or ${otherRoutes.join(', ')}`;
}

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
    missedFirings: timer.missedFirings ?? 'all',
  };
  const paused = timer.pausedAt !== undefined;
  if (timer.kind === 'periodic') {
    view.timeShardId = `${timer.offset}:${timer.id}`;
    view.interval = timer.interval;
    view.offset = timer.offset;
    view.startAt = iso(timer.startAt);
    view.endAt = iso(timer.endAt);
    const ended = hasEndedBy(timer, nowMs);
    view.nextFireAt = paused ? null : iso(nextPeriodicFiring(timer, nowMs)) ?? null;
    view.state = ended ? 'ended' : paused ? 'paused' : 'active';
  } else if (timer.kind === 'oneshot') {
    view.fireAt = iso(timer.fireAt);
    view.state = paused ? 'paused' : timer.fireAt <= nowMs ? 'fired' : 'scheduled';
  } else {
    cronView(view, timer, nowMs);
  }
  if (paused) view.pausedAt = iso(timer.pausedAt);
  return view;
}

/** Whether a timer has nothing left to fire: an ended periodic or cron timer, a fired one-shot (paused ones aside). */
function isOver(timer: Timer, nowMs: number): boolean {
  if (timer.kind === 'periodic') return hasEndedBy(timer, nowMs);
  if (timer.kind === 'oneshot') return timer.pausedAt === undefined && timer.fireAt <= nowMs;
  return nextCronFiring(cronScheduleOf(timer), nowMs) === undefined;
}

function cronView(view: Record<string, unknown>, timer: CronTimer, nowMs: number): void {
  const schedule = cronScheduleOf(timer);
  const next = nextCronFiring(schedule, nowMs);
  view.cron = timer.cron;
  view.timeZone = timer.timeZone;
  view.startAt = iso(timer.startAt);
  view.endAt = iso(timer.endAt);
  const paused = timer.pausedAt !== undefined;
  view.state = next === undefined ? 'ended' : paused ? 'paused' : 'active';
  view.nextFireAt = paused ? null : iso(next) ?? null;
  // The latest firing at or before now since the timer was created (or replaced).
  const since = Math.max(timer.startAt ?? -Infinity, timer.createdAt);
  view.lastFireAt = iso(previousCronFiring({ ...schedule, startAt: since }, nowMs + 1)) ?? null;
}

/** How often a pause or resume is tried again when the timer changed between its read and its conditional write. */
const MAX_STATE_CHANGE_ATTEMPTS = 5;

/** Whether a stored timer can still be read: a fired one-shot or an ended periodic timer until it expires. */
function isLive(timer: Timer, nowMs: number): boolean {
  return timer.expiresAt === undefined || timer.expiresAt > nowMs;
}

/** Two timers that fire the same firings with the same data: a PUT of the second over the first changes nothing. */
function sameDefinition(a: Timer | undefined, b: Timer): boolean {
  if (!a || a.kind !== b.kind || a.shardId !== b.shardId || a.data !== b.data) return false;
  // A PUT over a paused timer leaves it active: never the same.
  if (a.pausedAt !== undefined || a.missedFirings !== b.missedFirings) return false;
  if (a.kind === 'oneshot') return a.fireAt === (b as OneShotTimer).fireAt;
  if (a.kind === 'cron') {
    const c = b as CronTimer;
    return a.cron === c.cron && a.timeZone === c.timeZone && a.startAt === c.startAt && a.endAt === c.endAt;
  }
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
    if (!match) throw notFound(`no route for ${request.path}: ${routesText(this.deps.otherRoutes ?? [])}`);
    const kind = KIND_OF_ROUTE[match[1]];
    const action = match[3] as 'pause' | 'resume' | undefined;
    let id: string;
    try {
      id = decodeURIComponent(match[2]);
    } catch {
      throw badRequest(`the timer id in ${request.path} is not valid percent-encoding`);
    }
    if (action !== undefined) {
      if (request.method.toUpperCase() !== 'POST') {
        throw new TimerRequestError(405, `method ${request.method} is not allowed on ${request.path}: use POST`);
      }
      const timer = action === 'pause' ? await this.pause(kind, id) : await this.resume(kind, id);
      return { statusCode: 200, body: timerView(timer, this.deps.clock.now()) };
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
    const { shardCount, periodSeconds, oneShotRetentionMs, directSendMs } = this.config;
    const startedAt = clock.now();
    const tickFrom = ceilSecond(startedAt + directSendMs) * 1000;
    let timer: Timer;
    if (kind === 'periodic') {
      const defaults = { shardCount, defaultIntervalSeconds: periodSeconds, retentionMs: oneShotRetentionMs, tickFrom };
      timer = periodicTimerFrom(id, body, defaults, startedAt);
    } else if (kind === 'oneshot') {
      timer = oneShotTimerFrom(id, body, shardCount, oneShotRetentionMs, startedAt, tickFrom);
    } else {
      timer = cronTimerFrom(id, body, { shardCount, retentionMs: oneShotRetentionMs, tickFrom }, startedAt);
    }
    const previous = await store.getTimer(id);
    if (previous && isLive(previous, startedAt) && sameDefinition(previous, timer)) {
      // The same timer again, e.g. a retry of a PUT that stored it and then failed to answer. It was stored only after
      // its own sends succeeded, so its firings are in hand; sending them again would double them.
      return timerView(previous, startedAt);
    }
    // Before the timer exists, so that no tick can see the timer but not its interval.
    if (timer.kind === 'periodic') await store.registerInterval(timer.shardId, timer.interval, startedAt);
    await this.sendDirect(timer, timer.kind === 'oneshot' ? Math.min(timer.fireAt, startedAt) : startedAt, tickFrom, startedAt);
    await this.storeDurably(timer);
    const stored = await this.coverSlowWrite(timer, startedAt);
    metrics.add(MetricName.TIMERS_CREATED, 1);
    return timerView(stored, startedAt);
  }

  /** Writes a timer and waits until it is durable: a 200 means the timer is stored. */
  private async storeDurably(timer: Timer): Promise<void> {
    await this.deps.store.putTimer(timer);
    await this.deps.store.sync?.();
  }

  /**
   * A PUT whose write ended later than `createWithinMs` after it started may have been missed by a tick that claimed
   * beyond `tickFrom` meanwhile: send the firings up to a new boundary measured from now and store the timer with it.
   * Should that fail, the timer is deleted again, so a retry starts afresh instead of finding it stored.
   */
  private async coverSlowWrite(
    timer: Timer,
    startedAt: number,
    undo: (timer: Timer) => Promise<unknown> = (failed) => this.deps.store.deleteTimer(failed.id),
  ): Promise<Timer> {
    const { clock, log } = this.deps;
    const now = clock.now();
    if (now - startedAt <= this.config.createWithinMs) return timer;
    const tickFrom = ceilSecond(now + this.config.directSendMs) * 1000;
    log.warn('a PUT took longer than createWithinMs: sending its firings up to a later boundary', {
      timerId: timer.id,
      elapsedMs: now - startedAt,
      createWithinMs: this.config.createWithinMs,
    });
    const moved = withTickFrom(timer, tickFrom, this.config.oneShotRetentionMs);
    try {
      await this.sendDirect(timer, timer.tickFrom, tickFrom, startedAt);
      await this.storeDurably(moved);
    } catch (err) {
      await undo(timer).catch((undoError) =>
        log.error('could not undo a change whose sends failed; make the request again', { timerId: timer.id, error: String(undoError) }));
      throw err;
    }
    return moved;
  }

  /** Sends the firings of a timer in [from, to) from the API, all or nothing: a failure fails the PUT. */
  private async sendDirect(timer: Timer, from: number, to: number, requestAt: number): Promise<void> {
    if (to <= from) return;
    const firings: Firing[] = firingsInWindow(timer, from, to);
    if (firings.length === 0) return;
    const report = await this.deps.dispatcher.dispatch([firings], { earliestMs: requestAt });
    if (report.failed > 0) {
      // Nothing is stored yet: the client's retry of the PUT sends them again.
      throw new Error(`${report.failed} near-term firing(s) of ${timer.id} could not be queued`);
    }
  }

  /**
   * Pauses a timer: stored again with `pausedAt`, so that no tick sends its firings (those already queued still
   * arrive). A paused one-shot keeps no expiry: it waits to be resumed or deleted.
   */
  private async pause(kind: TimerKind, id: string): Promise<Timer> {
    return this.changeState(kind, id, (timer, now) => {
      if (timer.pausedAt !== undefined) return undefined;
      if (isOver(timer, now)) {
        const what = timer.kind === 'oneshot' ? 'has fired' : 'has ended';
        throw new TimerRequestError(409, `the ${kind} timer ${JSON.stringify(id)} ${what}: there is nothing left to pause`);
      }
      if (timer.kind !== 'oneshot') return { next: { ...timer, pausedAt: now } };
      const { expiresAt: _expiry, ...rest } = timer;
      return { next: { ...rest, pausedAt: now } };
    });
  }

  /**
   * Resumes a paused timer as a PUT would store it now: the firings from now on are sent (the API's share, before
   * the new `tickFrom`, at once), none of the paused span. A periodic timer keeps its phase. A one-shot resumed after
   * its `fireAt` fires at once, late, unless its `missedFirings` is `none`: it is then dropped, and counted. One whose
   * firing the API had queued before the pause (`fireAt` before its `tickFrom`) is not sent again.
   */
  private async resume(kind: TimerKind, id: string): Promise<Timer> {
    const { directSendMs, oneShotRetentionMs } = this.config;
    let dropped = false;
    const resumed = await this.changeState(kind, id, (timer, now) => {
      if (timer.pausedAt === undefined) return undefined;
      const { pausedAt: _paused, ...active } = timer;
      const tickFrom = ceilSecond(now + directSendMs) * 1000;
      if (active.kind !== 'oneshot') return { next: withTickFrom(active as Timer, tickFrom, oneShotRetentionMs), sendFrom: now, earliestMs: now };
      const oneShot: OneShotTimer = { ...active, expiresAt: Math.max(active.fireAt, now) + oneShotRetentionMs };
      if (oneShot.fireAt < oneShot.tickFrom) return { next: oneShot };
      dropped = oneShot.fireAt < now - LATE_TOLERANCE_MS && oneShot.missedFirings === 'none';
      const next = { ...oneShot, tickFrom };
      // Lateness is measured from fireAt: a one-shot resumed after it fires late, and is counted so.
      return dropped ? { next } : { next, sendFrom: Math.min(oneShot.fireAt, now), earliestMs: oneShot.fireAt };
    });
    if (dropped) {
      this.deps.metrics.add(MetricName.FIRINGS_DROPPED_NONE, 1);
      this.deps.log.info('resumed a one-shot after its fireAt; its missedFirings is none, so it does not fire', { timerId: id });
    }
    return resumed;
  }

  /**
   * Reads a timer, decides what it becomes, sends the firings from `sendFrom` to its new `tickFrom`, then stores it
   * if it is still stored as read: a PUT or a tick's move in between is never undone, the change is decided again on
   * what is stored (a retry of the sends may queue some firings twice). Undefined from `decide`: nothing to change.
   */
  private async changeState(
    kind: TimerKind,
    id: string,
    decide: (timer: Timer, nowMs: number) => { next: Timer; sendFrom?: number; earliestMs?: number } | undefined,
  ): Promise<Timer> {
    const { store, clock } = this.deps;
    for (let attempt = 1; ; attempt++) {
      const timer = await this.get(kind, id);
      const now = clock.now();
      const change = decide(timer, now);
      if (!change) return timer;
      const { next, sendFrom, earliestMs } = change;
      if (sendFrom !== undefined) await this.sendDirect(next, sendFrom, next.tickFrom, earliestMs ?? now);
      if (await store.replaceTimer(timer, next)) {
        await store.sync?.();
        // A pause sends nothing; a resume slower than createWithinMs is covered as a slow PUT is, and should that
        // fail, paused again, so that its retry resumes it afresh.
        if (next.pausedAt !== undefined) return next;
        return this.coverSlowWrite(next, now, (failed) => store.replaceTimer(failed, { ...failed, pausedAt: timer.pausedAt }));
      }
      if (attempt >= MAX_STATE_CHANGE_ATTEMPTS) {
        throw new Error(`the ${kind} timer ${id} changed under ${attempt} attempts to change its state`);
      }
    }
  }

  private async get(kind: TimerKind, id: string): Promise<Timer> {
    validateId(id);
    const timer = await this.deps.store.getTimer(id);
    if (!timer || timer.kind !== kind || !isLive(timer, this.deps.clock.now())) {
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
