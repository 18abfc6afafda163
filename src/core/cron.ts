/**
 * Cron schedules in an IANA time zone. Pure: no I/O.
 *
 * Two well-kept parts do the work, each what it is best at:
 * - **croner** (zero dependencies, MIT) parses the expression and finds the wall-clock times that match it, in
 *   Vixie cron's semantics (day-of-month OR day-of-week when neither field starts with `*`). It is run in UTC, where every
 *   wall-clock time exists exactly once, so its own daylight-saving rules never apply.
 * - **Node's `Intl`** (the ICU time-zone database that ships with Node, updated with it) maps each wall-clock time
 *   to an instant in the timer's zone, by this service's rule, one rule for every expression:
 *   - a wall-clock time that a spring-forward skips fires once, at the first valid instant after it (the
 *     transition): `30 2 * * *` fires at 03:00 that day, and `*\/15 2 * * *` fires once at 03:00, not four times;
 *   - a wall-clock time that a fall-back repeats fires once, at its first occurrence: `*\/15 1 * * *` in New York
 *     fires four times in that hour, not eight.
 *
 * The expression is checked against the standard syntax before croner sees it, so that its extensions (`L`, `W`,
 * `#`, `?`, `@daily`, a year field) are refused rather than silently accepted: the contract is standard cron.
 */
import { Cron } from 'croner';
import { badRequest } from './errors';

/** One field of an expression: its name in messages, its range, and the names it accepts. */
interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const SECOND: FieldSpec = { name: 'second', min: 0, max: 59 };
const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 0 and 7 are both Sunday.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** The longest expression accepted: far more than any real one, small enough to keep an item small. */
export const MAX_CRON_LENGTH = 256;

/** What the `cron` field accepts, for messages. */
export const CRON_SYNTAX =
  '5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, each *, a number, a range a-b, ' +
  'a step */n or a-b/n, or a comma-separated list of those; months JAN-DEC and days SUN-SAT by name too';

function valueOf(token: string, spec: FieldSpec, expression: string): number {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  const value = named >= 0 ? named + (spec.name === 'month' ? 1 : 0) : /^\d{1,2}$/.test(token) ? Number(token) : NaN;
  if (Number.isNaN(value) || value < spec.min || value > spec.max) {
    const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : '';
    throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field allows ${spec.min}-${spec.max}${names}, got ${JSON.stringify(token)}`);
  }
  return value;
}

/** Checks one field against the standard syntax, with a message that names the field and what it allows. */
function checkField(field: string, spec: FieldSpec, expression: string): void {
  for (const item of field.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined || range === '' || (step !== undefined && !/^\d{1,2}$/.test(step))) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field ${JSON.stringify(field)} is not valid: use ${CRON_SYNTAX}`);
    }
    if (step !== undefined && (Number(step) < 1 || Number(step) > spec.max - spec.min + 1)) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field's step must be from 1 to ${spec.max - spec.min + 1}, got ${step}`);
    }
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field ${JSON.stringify(field)} is not valid: use ${CRON_SYNTAX}`);
    }
    const [lo, hi] = bounds.map((b) => valueOf(b, spec, expression));
    if (hi !== undefined && hi < lo) {
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} range ${JSON.stringify(range)} runs backwards: write the lower bound first`);
    }
    if (hi === undefined && step !== undefined) {
      // croner refuses `5/15`; standard cron reads it as 5-max/15.
      throw badRequest(`"cron" ${JSON.stringify(expression)}: the ${spec.name} field ${JSON.stringify(item)} needs a range before its step, e.g. ${range}-${spec.max}/${step}`);
    }
  }
}

/** A parsed cron expression: finds matching wall-clock times, as if the zone were UTC. */
export class CronExpression {
  /** Parses and checks an expression; a bad one throws a 400 naming the field and what it allows. */
  static parse(expression: unknown): CronExpression {
    if (typeof expression !== 'string' || expression.trim() === '') {
      throw badRequest(`"cron" must be a cron expression: ${CRON_SYNTAX}, got ${JSON.stringify(expression)}`);
    }
    if (expression.length > MAX_CRON_LENGTH) {
      throw badRequest(`"cron" is ${expression.length} characters long; at most ${MAX_CRON_LENGTH} are accepted`);
    }
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 5 && fields.length !== 6) {
      throw badRequest(`"cron" ${JSON.stringify(expression)} has ${fields.length} field(s): use ${CRON_SYNTAX}`);
    }
    const specs = fields.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
    fields.forEach((field, i) => checkField(field, specs[i], expression));
    // Vixie cron ORs the day of month and the day of week only when neither field starts with `*`; croner ORs them
    // unless one is exactly `*`. With `*/2` in one of them, Vixie ANDs them: so does this.
    const [dayOfMonth, dayOfWeek] = fields.slice(-3, -2).concat(fields.slice(-1));
    const domAndDow = (dayOfMonth.startsWith('*') || dayOfWeek.startsWith('*')) && dayOfMonth !== '*' && dayOfWeek !== '*';
    let cron: Cron;
    try {
      cron = new Cron(fields.join(' '), { timezone: 'UTC', paused: true, domAndDow, mode: '5-or-6-parts' });
    } catch (err) {
      // The checks above leave croner nothing to refuse; should it, its reason is still the user's to read.
      throw badRequest(`"cron" ${JSON.stringify(expression)} is not valid: ${(err as Error).message.replace(/^CronPattern: /, '')}`);
    }
    return new CronExpression(fields.join(' '), cron);
  }

  private constructor(
    /** The expression with its fields separated by single spaces. */
    readonly source: string,
    private readonly cron: Cron,
  ) {}

  /** The first matching wall-clock time (ms, read as UTC) strictly after `wallMs`, or undefined if there is none. */
  nextWallTime(wallMs: number): number | undefined {
    return this.cron.nextRun(new Date(wallMs))?.getTime();
  }

  /** The last matching wall-clock time strictly before `wallMs`, or undefined. */
  previousWallTime(wallMs: number): number | undefined {
    return this.cron.previousRuns(1, new Date(wallMs))[0]?.getTime();
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Zones in use are few; a bound keeps a stream of odd names from growing the map. */
const MAX_FORMATTERS = 1000;

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Checks an IANA time-zone name against the database Node ships, and returns it as the user wrote it, with the
 * database's capitals where the name is the database's own (`europe/paris` is `Europe/Paris`). A link such as
 * `Asia/Kolkata` or `US/Eastern` is kept as written: which of two names ICU calls canonical differs between Node
 * versions. `UTC` is the default; fixed offsets such as `+02:00` are refused: they are not zones, and say nothing
 * about daylight saving.
 */
export function validateTimeZone(value: unknown): string {
  if (value === undefined) return 'UTC';
  if (typeof value === 'string' && value.length <= 64 && /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
      const name = resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
      formatterOf(name);
      return name;
    } catch {
      // fall through to the message
    }
  }
  throw badRequest(`"timeZone" must be an IANA time-zone name such as "UTC", "Europe/Paris" or "America/New_York", got ${JSON.stringify(value)}`);
}

/** The zone's offset from UTC (ms) at an instant, read from Intl: wall-clock time minus the instant. */
function offsetFromIntl(timeZone: string, wholeSecondMs: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(wholeSecondMs))) parts[part.type] = part.value;
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - wholeSecondMs;
}

/**
 * Offsets by hour: where a zone has the same offset at both ends of an hour it has it throughout (no zone changes
 * twice within an hour), which is every hour but the one or two of a year with a transition. Bounded: cleared when
 * full.
 */
const HOUR_MS = 3600 * 1000;
const offsetsByHour = new Map<string, number | null>();
const MAX_CACHED_HOURS = 100_000;

/** The zone's offset from UTC (ms) at an instant: wall-clock time minus the instant. */
export function zoneOffsetAt(timeZone: string, instantMs: number): number {
  if (timeZone === 'UTC') return 0;
  const whole = Math.floor(instantMs / 1000) * 1000;
  const hour = Math.floor(whole / HOUR_MS);
  const key = `${timeZone} ${hour}`;
  let cached = offsetsByHour.get(key);
  if (cached === undefined) {
    const start = offsetFromIntl(timeZone, hour * HOUR_MS);
    cached = start === offsetFromIntl(timeZone, (hour + 1) * HOUR_MS) ? start : null;
    if (offsetsByHour.size >= MAX_CACHED_HOURS) offsetsByHour.clear();
    offsetsByHour.set(key, cached);
  }
  return cached ?? offsetFromIntl(timeZone, whole);
}

/** The wall-clock time (ms, read as UTC) of an instant in a zone. */
export function wallTimeOf(timeZone: string, instantMs: number): number {
  return instantMs + zoneOffsetAt(timeZone, instantMs);
}

/**
 * The offsets either side of a wall-clock time are read this far away from it. An instant is its wall-clock time
 * less the offset, which is up to 14 hours (Kiribati, +14; Chatham, +13:45 in summer): a day away is past it on both
 * sides, and no zone changes twice within a day.
 */
const TRANSITION_SPAN_MS = 24 * 3600 * 1000;

/**
 * The instant a wall-clock time stands for in a zone: its only occurrence; its first occurrence when a fall-back
 * repeats it; the first valid instant after it (the transition) when a spring-forward skips it.
 */
export function instantOfWallTime(timeZone: string, wallMs: number): number {
  const before = zoneOffsetAt(timeZone, wallMs - TRANSITION_SPAN_MS);
  const after = zoneOffsetAt(timeZone, wallMs + TRANSITION_SPAN_MS);
  const valid = [...new Set([before, after])].filter((offset) => zoneOffsetAt(timeZone, wallMs - offset) === offset);
  if (valid.length > 0) return wallMs - Math.max(...valid);
  // A gap: at wall - after the zone still had the offset `before`, at wall - before it already has `after`.
  return transitionBetween(timeZone, wallMs - after, wallMs - before, before);
}

/** The first whole second in (loMs, hiMs] at which the zone no longer has the offset `offsetBefore`. */
function transitionBetween(timeZone: string, loMs: number, hiMs: number, offsetBefore: number): number {
  let lo = Math.floor(loMs / 1000);
  let hi = Math.ceil(hiMs / 1000);
  if (zoneOffsetAt(timeZone, lo * 1000) !== offsetBefore) throw new Error(`no transition of ${timeZone} between ${loMs} and ${hiMs}`);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetAt(timeZone, mid * 1000) === offsetBefore) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

/**
 * For a wall-clock time that a fall-back repeats: the first wall-clock time after the repeated span (which stands
 * for the instant of the transition). Undefined for any other wall-clock time.
 */
function endOfRepeatedSpan(timeZone: string, wallMs: number): number | undefined {
  const before = zoneOffsetAt(timeZone, wallMs - TRANSITION_SPAN_MS);
  const after = zoneOffsetAt(timeZone, wallMs + TRANSITION_SPAN_MS);
  if (before <= after || zoneOffsetAt(timeZone, wallMs - before) !== before || zoneOffsetAt(timeZone, wallMs - after) !== after) return undefined;
  return transitionBetween(timeZone, wallMs - before, wallMs - after, before) + before;
}

/** What a schedule needs: the expression, its zone, and the bounds of the timer. */
export interface CronSchedule {
  readonly cron: CronExpression;
  readonly timeZone: string;
  /** Inclusive lower bound of firings (epoch ms). */
  readonly startAt?: number;
  /** Exclusive upper bound of firings (epoch ms). */
  readonly endAt?: number;
}

/** The most a fall-back moves wall-clock time back (Lord Howe's is 30 minutes, most are an hour, none is 3 hours). */
const MAX_FALL_BACK_MS = 3 * 3600 * 1000;

/*
 * Wall-clock times map to instants in order: a later wall-clock time never stands for an earlier instant (a repeated
 * time takes its first occurrence, a skipped one the transition after it). So a walk over wall-clock times meets the
 * instants in order, and stops at the first one past the end.
 */

/**
 * Every instant at which a cron schedule fires inside [fromMs, toMs), in order, at most `limit` of them. Each
 * matching wall-clock time gives one instant (see `instantOfWallTime`); several skipped ones that map to the same
 * transition give it once.
 */
export function cronOccurrences(schedule: CronSchedule, fromMs: number, toMs: number, limit = Infinity): number[] {
  const { cron, timeZone } = schedule;
  const low = Math.max(fromMs, schedule.startAt ?? -Infinity);
  const high = Math.min(toMs, schedule.endAt ?? Infinity);
  const out: number[] = [];
  if (high <= low) return out;
  // No wall-clock time before `low`'s own stands for an instant at or after it, except the skipped times of a
  // spring-forward at exactly `low`: start from the wall-clock time `low` would have had with the offset before it.
  let wall: number | undefined = low + Math.min(zoneOffsetAt(timeZone, low - 1000), zoneOffsetAt(timeZone, low)) - 1;
  let last = -Infinity;
  while (out.length < limit) {
    wall = cron.nextWallTime(wall);
    if (wall === undefined) break;
    const instant = instantOfWallTime(timeZone, wall);
    if (instant >= high) break;
    if (instant >= low) {
      if (instant > last) out.push(instant);
      last = instant;
    } else {
      // The first occurrence of a repeated time whose second occurrence is `low` or after it: it fired then. The
      // rest of the repeated span did too; go on from its end.
      const end = endOfRepeatedSpan(timeZone, wall);
      if (end !== undefined && end - 1 > wall) wall = end - 1;
    }
  }
  return out;
}

/** The first firing of a cron schedule at or after `fromMs`, or undefined if it never fires again. */
export function nextCronFiring(schedule: CronSchedule, fromMs: number): number | undefined {
  return cronOccurrences(schedule, fromMs, schedule.endAt ?? Infinity, 1)[0];
}

/** The last firing of a cron schedule strictly before `beforeMs` (and at or after its start), or undefined. */
export function previousCronFiring(schedule: CronSchedule, beforeMs: number): number | undefined {
  const { cron, timeZone } = schedule;
  const high = Math.min(beforeMs, schedule.endAt ?? Infinity);
  // A wall-clock time after `high`'s own stands for an earlier instant only in the repeated span of a fall-back
  // that `high` is in: start above it.
  let wall: number | undefined = high + Math.max(zoneOffsetAt(timeZone, high - MAX_FALL_BACK_MS), zoneOffsetAt(timeZone, high)) + 1;
  for (;;) {
    wall = cron.previousWallTime(wall);
    if (wall === undefined) return undefined;
    const instant = instantOfWallTime(timeZone, wall);
    if (schedule.startAt !== undefined && instant < schedule.startAt) return undefined;
    if (instant < high) return instant;
  }
}
