/**
 * Schedule arithmetic: which firings fall inside a time window. A periodic timer fires at every epoch second t
 * with t mod interval = offset inside [startAt, endAt); nothing about it is stored per firing (invariant 1), so
 * every question here is answered from (interval, offset) alone. Windows are half-open: [fromMs, toMs).
 */
import { CronExpression, CronSchedule, cronOccurrences, nextCronFiring } from './cron';
import { CronTimer, Firing, OneShotTimer, PeriodicTimer, Timer } from './model';

const SECOND = 1000;

/** Floor division that is right for negative numbers too. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The first whole epoch second whose instant is at or after `ms`. */
export function ceilSecond(ms: number): number {
  return Math.ceil(ms / SECOND);
}

/**
 * The offsets of an interval that have at least one firing in the window [fromMs, toMs), as half-open ranges
 * [lo, hi) of seconds within [0, interval). A store uses them to read only the timers that can fire.
 */
export function offsetRangesInWindow(intervalSeconds: number, fromMs: number, toMs: number): Array<[number, number]> {
  const first = ceilSecond(fromMs);
  const end = ceilSecond(toMs); // seconds in [first, end) lie inside the window
  if (end <= first) return [];
  if (end - first >= intervalSeconds) return [[0, intervalSeconds]];
  const lo = mod(first, intervalSeconds);
  const hi = mod(end, intervalSeconds);
  if (lo < hi) return [[lo, hi]];
  return hi === 0 ? [[lo, intervalSeconds]] : [[lo, intervalSeconds], [0, hi]];
}

/** Every instant (epoch ms) at which a periodic timer fires inside [fromMs, toMs), in order. */
export function periodicOccurrences(timer: Pick<PeriodicTimer, 'interval' | 'offset' | 'startAt' | 'endAt'>, fromMs: number, toMs: number): number[] {
  const lowMs = Math.max(fromMs, timer.startAt ?? -Infinity);
  const highMs = Math.min(toMs, timer.endAt ?? Infinity);
  if (highMs <= lowMs) return [];
  const firstSecond = ceilSecond(lowMs);
  let t = firstSecond + mod(timer.offset - firstSecond, timer.interval);
  const out: number[] = [];
  for (; t * SECOND < highMs; t += timer.interval) out.push(t * SECOND);
  return out;
}

/** The next firing of a periodic timer at or after `nowMs`, or undefined once it has ended. */
export function nextPeriodicFiring(timer: Pick<PeriodicTimer, 'interval' | 'offset' | 'startAt' | 'endAt'>, nowMs: number): number | undefined {
  const [next] = periodicOccurrences(timer, nowMs, nowMs + (timer.interval + 1) * SECOND + Math.max(0, (timer.startAt ?? 0) - nowMs));
  return next;
}

/**
 * The firings of one periodic timer inside a window. Who sends which is the caller's to say (the API from the
 * request, a tick from the timer's `tickFrom`): this is the schedule alone.
 */
export function periodicFirings(timer: PeriodicTimer, fromMs: number, toMs: number): Firing[] {
  return periodicOccurrences(timer, fromMs, toMs).map((scheduledAt) => ({
    timerId: timer.id,
    kind: 'periodic',
    scheduledAt,
    body: timer.data,
  }));
}

/** The firing of a one-shot timer if it is due inside [fromMs, toMs). */
export function oneShotFirings(timer: OneShotTimer, fromMs: number, toMs: number): Firing[] {
  if (timer.fireAt < fromMs || timer.fireAt >= toMs) return [];
  return [{ timerId: timer.id, kind: 'oneshot', scheduledAt: timer.fireAt, body: timer.data }];
}

const parsedExpressions = new Map<string, CronExpression>();
const MAX_PARSED_EXPRESSIONS = 10_000;

/** The schedule of a cron timer; expressions are parsed once per process (most timers share a few). */
export function cronScheduleOf(timer: Pick<CronTimer, 'cron' | 'timeZone' | 'startAt' | 'endAt'>): CronSchedule {
  let cron = parsedExpressions.get(timer.cron);
  if (!cron) {
    cron = CronExpression.parse(timer.cron);
    if (parsedExpressions.size >= MAX_PARSED_EXPRESSIONS) parsedExpressions.clear();
    parsedExpressions.set(timer.cron, cron);
  }
  return { cron, timeZone: timer.timeZone, startAt: timer.startAt, endAt: timer.endAt };
}

/** The firings of a cron timer inside a window. */
export function cronFirings(timer: CronTimer, fromMs: number, toMs: number): Firing[] {
  return cronOccurrences(cronScheduleOf(timer), fromMs, toMs).map((scheduledAt) => ({
    timerId: timer.id,
    kind: 'cron',
    scheduledAt,
    body: timer.data,
  }));
}

/** The firings of any timer inside a window. */
export function firingsInWindow(timer: Timer, fromMs: number, toMs: number): Firing[] {
  if (timer.kind === 'periodic') return periodicFirings(timer, fromMs, toMs);
  return timer.kind === 'oneshot' ? oneShotFirings(timer, fromMs, toMs) : cronFirings(timer, fromMs, toMs);
}

/** The firings a tick owes of a timer inside a window: those at or after the timer's `tickFrom`. */
export function tickFiringsInWindow(timer: Timer, fromMs: number, toMs: number): Firing[] {
  return firingsInWindow(timer, Math.max(fromMs, timer.tickFrom), toMs);
}

/** True when a periodic timer has no firing at or after `ms`: it ended, and no tick from then on owes it anything. */
export function hasEndedBy(timer: PeriodicTimer, ms: number): boolean {
  return timer.endAt !== undefined && timer.endAt <= ms;
}

/**
 * Consecutive windows covering [fromMs, toMs), each ending on a multiple of `windowMs` (except the last, which
 * ends at toMs), so that catching up after an outage dispatches and checkpoints one bounded window at a time.
 */
export function splitIntoWindows(fromMs: number, toMs: number, windowMs: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = fromMs;
  while (start < toMs) {
    const end = Math.min(Math.floor(start / windowMs) * windowMs + windowMs, toMs);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * The timer as stored once the firings before `tickFrom` are sent: for a cron timer, the schedule places it at its
 * first firing from then on, and with none left it has ended and expires `retentionMs` after `tickFrom`.
 */
export function withTickFrom<T extends Timer>(timer: T, tickFrom: number, retentionMs: number): T {
  if (timer.kind !== 'cron') return { ...timer, tickFrom };
  const dueAt = nextCronFiring(cronScheduleOf(timer), tickFrom);
  const { dueAt: _previous, ...rest } = timer;
  if (dueAt !== undefined) return { ...rest, tickFrom, dueAt } as T;
  return { ...rest, tickFrom, expiresAt: Math.min(timer.expiresAt ?? Infinity, tickFrom + retentionMs) } as T;
}

/** The occurrence of a timer after the one at `ms`, or undefined when it has none. */
function occurrenceAfter(timer: Timer, ms: number): number | undefined {
  if (timer.kind === 'oneshot') return undefined;
  if (timer.kind === 'cron') return nextCronFiring(cronScheduleOf(timer), ms + 1);
  const next = ms + timer.interval * SECOND;
  return timer.endAt !== undefined && next >= timer.endAt ? undefined : next;
}

/**
 * What a tick sends of a timer's firings under its missed-firing policy, those scheduled before `lateBefore` being
 * late beyond the tolerance: every one (`all`), none of the late ones (`none`), or of the late ones only the latest
 * of the span (`latest`): the one whose next occurrence is not late, or that has none. `firings` are consecutive
 * occurrences of the timer, in order; the same array is returned when nothing is dropped.
 */
export function firingsToSend(timer: Timer, firings: Firing[], lateBefore: number): Firing[] {
  const policy = timer.missedFirings;
  if (policy === undefined || firings.length === 0 || firings[0].scheduledAt >= lateBefore) return firings;
  let onTime = 1;
  while (onTime < firings.length && firings[onTime].scheduledAt < lateBefore) onTime++;
  if (policy === 'none') return firings.slice(onTime);
  const next = onTime < firings.length ? firings[onTime].scheduledAt : occurrenceAfter(timer, firings[onTime - 1].scheduledAt);
  return firings.slice(next === undefined || next >= lateBefore ? onTime - 1 : onTime);
}
