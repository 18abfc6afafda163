/**
 * Validation of API requests: turns a raw request body into a timer, or refuses it with a 4xx that says what was
 * received and what is allowed. Nothing here touches storage, so a refused request has stored nothing.
 */
import { CronExpression, nextCronFiring, validateTimeZone } from './cron';
import { utf8Length } from './dispatch';
import { TimerRequestError, badRequest } from './errors';
import { defaultOffsetOf, shardOf } from './hash';
import { CronTimer, Limits, MISSED_FIRINGS_POLICIES, MissedFirings, OneShotTimer, PeriodicTimer } from './model';
import { withTickFrom } from './schedule';

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;
const PERIODIC_FIELDS = ['timerCallbackData', 'interval', 'offset', 'startAt', 'endAt', 'missedFirings'];
const ONESHOT_FIELDS = ['timerCallbackData', 'at', 'delaySeconds', 'missedFirings'];
const CRON_FIELDS = ['timerCallbackData', 'cron', 'timeZone', 'startAt', 'endAt', 'missedFirings'];

/** Checks a timer id and returns it. */
export function validateId(id: string): string {
  if (!Limits.ID_PATTERN.test(id)) {
    const shown = id.length > 40 ? `${id.slice(0, 40)}... (${id.length} characters)` : JSON.stringify(id);
    throw badRequest(
      `invalid timer id ${shown}: use 1 to ${Limits.ID_MAX_LENGTH} characters of A-Z a-z 0-9 . _ - : @`,
    );
  }
  return id;
}

/** Parses a request body into a JSON object with only the allowed fields. */
export function parseBody(raw: string | undefined, allowed: readonly string[]): Record<string, unknown> {
  if (raw === undefined || raw.trim() === '') {
    throw badRequest('the request body is empty: send a JSON object with at least "timerCallbackData"');
  }
  const size = utf8Length(raw);
  if (size > Limits.MAX_BODY_BYTES) {
    throw new TimerRequestError(413, `the request body is ${size} bytes; at most ${Limits.MAX_BODY_BYTES} are accepted`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw badRequest(`the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('the request body must be a JSON object, e.g. {"timerCallbackData": {...}}');
  }
  const body = parsed as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw badRequest(`unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${allowed.join(', ')}`);
  }
  if (!('timerCallbackData' in body) || body.timerCallbackData === undefined) {
    throw badRequest('"timerCallbackData" is required: the JSON value delivered to your callback on every firing');
  }
  return body;
}

/**
 * The two characters JSON.stringify leaves as they are that SQS refuses in a message body, which allows only
 * #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. Lone surrogates and control characters JSON.stringify
 * escapes already.
 */
const OUTSIDE_SQS_BODY = /[\uFFFE\uFFFF]/;
const EVERY_OUTSIDE_SQS_BODY = /[\uFFFE\uFFFF]/g;

/**
 * The JSON of a value as a valid SQS message body: JSON.stringify's, with the characters SQS refuses written as
 * `\uXXXX` escapes, which parse back to the same value.
 */
export function sqsSafeJson(value: unknown): string {
  const json = JSON.stringify(value);
  return OUTSIDE_SQS_BODY.test(json) ? json.replace(EVERY_OUTSIDE_SQS_BODY, (c) => `\\u${c.charCodeAt(0).toString(16)}`) : json;
}

/** Serializes timerCallbackData and checks its size against what one SQS message and one item can hold. */
function serializeData(value: unknown): string {
  const data = sqsSafeJson(value);
  const size = utf8Length(data);
  if (size > Limits.MAX_CALLBACK_DATA_BYTES) {
    throw new TimerRequestError(
      413,
      `"timerCallbackData" is ${size} bytes serialized; at most ${Limits.MAX_CALLBACK_DATA_BYTES} fit one SQS message`,
    );
  }
  return data;
}

function wholeNumber(body: Record<string, unknown>, field: string, min: number, max: number, what: string): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`"${field}" must be a whole number of seconds from ${min} to ${max} (${what}), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Date.parse rolls 2030-02-30 over into March: refuse dates and times that do not exist instead. */
function isCalendarDate(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second = 0, zoneHours = 0, zoneMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  if (year === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 &&
    zoneHours <= 23 && zoneMinutes <= 59;
}

function timestamp(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? ISO_8601.exec(value) : null;
  const ms = match && isCalendarDate(match) ? Date.parse(value as string) : NaN;
  if (Number.isNaN(ms)) {
    throw badRequest(`"${field}" must be an ISO-8601 date-time with a time zone, e.g. "2030-01-01T00:00:00Z", got ${JSON.stringify(value)}`);
  }
  return ms;
}

/** `startAt` and `endAt` of a periodic or cron timer: an end after the start, and not in the past. */
function boundsOf(body: Record<string, unknown>, nowMs: number): { startAt?: number; endAt?: number } {
  const startAt = timestamp(body, 'startAt');
  const endAt = timestamp(body, 'endAt');
  if (startAt !== undefined && endAt !== undefined && endAt <= startAt) {
    throw badRequest(`"endAt" (${body.endAt}) must be later than "startAt" (${body.startAt})`);
  }
  if (endAt !== undefined && endAt <= nowMs) {
    throw badRequest(`"endAt" (${body.endAt}) is in the past: the timer would never fire`);
  }
  return { startAt, endAt };
}

/** `missedFirings` of a body, as stored: undefined for `all`, the default. */
function missedFiringsOf(body: Record<string, unknown>): { missedFirings?: Exclude<MissedFirings, 'all'> } {
  const value = body.missedFirings;
  if (value === undefined || value === 'all') return {};
  if (value === 'latest' || value === 'none') return { missedFirings: value };
  throw badRequest(
    `"missedFirings" must be one of ${MISSED_FIRINGS_POLICIES.map((p) => JSON.stringify(p)).join(', ')} ` +
      `(what a tick sends of firings it catches up late: every one, the latest, or none), got ${JSON.stringify(value)}`,
  );
}

export interface PeriodicDefaults {
  readonly shardCount: number;
  /** The interval of a timer that names none: the deployment's period. */
  readonly defaultIntervalSeconds: number;
  /** How long an ended timer (one with `endAt`) still reads as ended. @default one day */
  readonly retentionMs?: number;
  /** The timer's `tickFrom`. @default nowMs: the ticks send every firing */
  readonly tickFrom?: number;
}

const DEFAULT_RETENTION_MS = 24 * 3600 * 1000;

/** A periodic timer from a PUT /periodic/{id} body. */
export function periodicTimerFrom(id: string, raw: string | undefined, defaults: PeriodicDefaults, nowMs: number): PeriodicTimer {
  validateId(id);
  const body = parseBody(raw, PERIODIC_FIELDS);
  const interval =
    wholeNumber(body, 'interval', Limits.MIN_INTERVAL_SECONDS, Limits.MAX_INTERVAL_SECONDS, '1 second to 7 days') ??
    defaults.defaultIntervalSeconds;
  const offset = wholeNumber(body, 'offset', 0, interval - 1, `0 <= offset < interval ${interval}`) ?? defaultOffsetOf(id, interval);
  const { startAt, endAt } = boundsOf(body, nowMs);
  return {
    kind: 'periodic',
    id,
    shardId: shardOf(id, defaults.shardCount),
    data: serializeData(body.timerCallbackData),
    createdAt: nowMs,
    tickFrom: defaults.tickFrom ?? nowMs,
    interval,
    offset,
    ...(startAt !== undefined && { startAt }),
    ...(endAt !== undefined && { endAt, expiresAt: endAt + (defaults.retentionMs ?? DEFAULT_RETENTION_MS) }),
    ...missedFiringsOf(body),
  };
}

/** A one-shot timer from a PUT /oneshot/{id} body; `tickFrom` as in `PeriodicDefaults`. */
export function oneShotTimerFrom(
  id: string,
  raw: string | undefined,
  shardCount: number,
  retentionMs: number,
  nowMs: number,
  tickFrom = nowMs,
): OneShotTimer {
  validateId(id);
  const body = parseBody(raw, ONESHOT_FIELDS);
  const hasAt = body.at !== undefined;
  const hasDelay = body.delaySeconds !== undefined;
  if (hasAt === hasDelay) {
    throw badRequest(
      hasAt
        ? 'give either "at" or "delaySeconds", not both'
        : 'a one-shot timer needs "at" (ISO-8601 date-time) or "delaySeconds" (seconds from now)',
    );
  }
  let fireAt: number;
  if (hasAt) {
    fireAt = timestamp(body, 'at')!;
    if (fireAt < nowMs - Limits.PAST_GRACE_MS) {
      throw badRequest(
        `"at" (${body.at}) is ${Math.round((nowMs - fireAt) / 1000)} s in the past; at most ${Limits.PAST_GRACE_MS / 1000} s in the past is accepted`,
      );
    }
  } else {
    const delay = body.delaySeconds;
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0 || delay > Limits.MAX_DELAY_SECONDS) {
      throw badRequest(`"delaySeconds" must be a number from 0 to ${Limits.MAX_DELAY_SECONDS}, got ${JSON.stringify(delay)}`);
    }
    fireAt = nowMs + Math.round(delay * 1000);
  }
  return {
    kind: 'oneshot',
    id,
    shardId: shardOf(id, shardCount),
    data: serializeData(body.timerCallbackData),
    createdAt: nowMs,
    tickFrom,
    fireAt,
    expiresAt: Math.max(fireAt, nowMs) + retentionMs,
    ...missedFiringsOf(body),
  };
}

export interface CronDefaults {
  readonly shardCount: number;
  /** How long an ended timer still reads as ended. */
  readonly retentionMs: number;
  /** The timer's `tickFrom`. @default nowMs: the ticks send every firing */
  readonly tickFrom?: number;
}

/** A cron timer from a PUT /cron/{id} body. */
export function cronTimerFrom(id: string, raw: string | undefined, defaults: CronDefaults, nowMs: number): CronTimer {
  validateId(id);
  const body = parseBody(raw, CRON_FIELDS);
  if (body.cron === undefined) {
    throw badRequest('"cron" is required: a cron expression such as "0 9 * * MON-FRI" (09:00 on weekdays)');
  }
  const cron = CronExpression.parse(body.cron);
  const timeZone = validateTimeZone(body.timeZone);
  const { startAt, endAt } = boundsOf(body, nowMs);
  const schedule = { cron, timeZone, startAt, endAt };
  if (nextCronFiring(schedule, nowMs) === undefined) {
    throw badRequest(`"cron" ${JSON.stringify(cron.source)} in ${timeZone} has no firing ${endAt === undefined ? 'from now on' : `before "endAt" (${body.endAt})`}: the timer would never fire`);
  }
  // Placed in the schedule at its first firing from tickFrom on, as a tick that moves it places it.
  return withTickFrom<CronTimer>({
    kind: 'cron',
    id,
    shardId: shardOf(id, defaults.shardCount),
    data: serializeData(body.timerCallbackData),
    createdAt: nowMs,
    tickFrom: nowMs,
    cron: cron.source,
    timeZone,
    ...(startAt !== undefined && { startAt }),
    ...(endAt !== undefined && { endAt, expiresAt: endAt + defaults.retentionMs }),
    ...missedFiringsOf(body),
  }, defaults.tickFrom ?? nowMs, defaults.retentionMs);
}
