/**
 * Cron schedules (src/core/cron.ts): the standard syntax accepted and everything else refused with a message naming
 * the field; Vixie cron's semantics; and the daylight-saving rule checked against a brute-force walk over every
 * instant, which needs no knowledge of how the schedule is computed: a skipped wall-clock time fires once at the
 * transition after it, a repeated one once at its first occurrence.
 */
import { Cron } from 'croner';
import fc from 'fast-check';
import {
  CronExpression,
  CronSchedule,
  cronOccurrences,
  instantOfWallTime,
  nextCronFiring,
  previousCronFiring,
  validateTimeZone,
  wallTimeOf,
} from '../../src/core/cron';
import { TimerRequestError } from '../../src/core/errors';

const at = (iso: string): number => Date.parse(iso);
const isos = (instants: number[]): string[] => instants.map((ms) => new Date(ms).toISOString());
const schedule = (cron: string, timeZone = 'UTC', bounds: Partial<CronSchedule> = {}): CronSchedule => ({
  cron: CronExpression.parse(cron),
  timeZone,
  ...bounds,
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(TimerRequestError);
    expect((err as TimerRequestError).statusCode).toBe(400);
    return (err as Error).message;
  }
  throw new Error('expected a 400');
}

describe('syntax', () => {
  test.each([
    '* * * * *', '0 9 * * MON-FRI', '*/15 2 * * *', '0 0 1,15 * SUN', '5-10/2 * * jan-mar *', '30 * * * * *',
    '0 0 12 * * 0,7', '0  9   *  * 1', '59 23 31 12 6',
  ])('accepts %j', (expression) => {
    expect(() => CronExpression.parse(expression)).not.toThrow();
  });

  test.each([
    ['60 * * * *', /the minute field allows 0-59, got "60"/],
    ['* 24 * * *', /the hour field allows 0-23, got "24"/],
    ['* * 0 * *', /the day of month field allows 1-31, got "0"/],
    ['* * * 13 *', /the month field allows 1-12 or JAN-DEC, got "13"/],
    ['* * * * 8', /the day of week field allows 0-7 or SUN-SAT, got "8"/],
    ['* * * * FUN', /the day of week field allows 0-7 or SUN-SAT, got "FUN"/],
    ['61 * * * * *', /the second field allows 0-59/],
    ['* * * *', /has 4 field\(s\): use 5 fields/],
    ['0 0 0 * * * 2030', /has 7 field\(s\)/],
    ['*/0 * * * *', /the minute field's step must be from 1 to 60, got 0/],
    ['10-5 * * * *', /the minute range "10-5" runs backwards/],
    ['5/15 * * * *', /needs a range before its step, e.g. 5-59\/15/],
    ['1,,2 * * * *', /the minute field "1,,2" is not valid/],
    ['0 0 L * *', /the day of month field allows 1-31, got "L"/],
    ['0 0 ? * *', /the day of month field allows 1-31, got "\?"/],
    ['0 0 * * 1#2', /the day of week field allows 0-7 or SUN-SAT, got "1#2"/],
    ['@daily', /has 1 field\(s\)/],
    ['', /"cron" must be a cron expression/],
  ])('refuses %j: %s', (expression, message) => {
    expect(refusal(() => CronExpression.parse(expression))).toMatch(message);
  });

  test('refuses what is not a string, and an expression too long to be one', () => {
    expect(refusal(() => CronExpression.parse(42))).toMatch(/"cron" must be a cron expression: 5 fields .*, got 42/);
    expect(refusal(() => CronExpression.parse(`${'1,'.repeat(200)}1 * * * *`))).toMatch(/at most 256 are accepted/);
  });

  test('keeps the fields separated by single spaces', () => {
    expect(CronExpression.parse(' 0  9 * *   MON ').source).toBe('0 9 * * MON');
  });
});

describe('time zones', () => {
  test('the default is UTC; IANA names are accepted, in their canonical spelling', () => {
    expect(validateTimeZone(undefined)).toBe('UTC');
    expect(validateTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(validateTimeZone('europe/PARIS')).toBe('Europe/Paris');
    expect(validateTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(validateTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
  });

  test.each([['Mars/Olympus'], ['+02:00'], [''], [7], ['Europe/Paris; DROP']])('refuses %j', (zone) => {
    expect(refusal(() => validateTimeZone(zone))).toMatch(/^"timeZone" must be an IANA time-zone name such as "UTC", "Europe\/Paris"/);
  });
});

describe('semantics', () => {
  test('day of month OR day of week when both are restricted, as in Vixie cron', () => {
    // 2027-01-01 is a Friday: the 1st, then every Monday.
    expect(isos(cronOccurrences(schedule('0 0 1 * MON'), at('2027-01-01T00:00:00Z'), at('2027-02-02T00:00:00Z')))).toEqual([
      '2027-01-01T00:00:00.000Z', '2027-01-04T00:00:00.000Z', '2027-01-11T00:00:00.000Z', '2027-01-18T00:00:00.000Z',
      '2027-01-25T00:00:00.000Z', '2027-02-01T00:00:00.000Z',
    ]);
    // A field starting with `*` counts as unrestricted, as in Vixie cron: `*/2` and Monday are both required then.
    expect(isos(cronOccurrences(schedule('0 0 */2 * MON'), at('2027-01-01T00:00:00Z'), at('2027-02-01T00:00:00Z')))).toEqual([
      '2027-01-11T00:00:00.000Z', '2027-01-25T00:00:00.000Z',
    ]);
    // Only one of them restricted: that one alone.
    expect(cronOccurrences(schedule('0 0 * * MON'), at('2027-01-01T00:00:00Z'), at('2027-02-01T00:00:00Z'))).toHaveLength(4);
    expect(cronOccurrences(schedule('0 0 1 * *'), at('2027-01-01T00:00:00Z'), at('2027-06-01T00:00:00Z'))).toHaveLength(5);
  });

  test('Sunday is 0 and 7; names of months and days in any case', () => {
    const sundays = (expression: string) => cronOccurrences(schedule(expression), at('2027-01-01T00:00:00Z'), at('2027-01-31T00:00:00Z'));
    expect(sundays('0 12 * * 0')).toEqual(sundays('0 12 * * 7'));
    expect(sundays('0 12 * * sun')).toEqual(sundays('0 12 * * 0'));
    expect(isos(sundays('0 12 * * 0'))[0]).toBe('2027-01-03T12:00:00.000Z');
    expect(cronOccurrences(schedule('0 0 1 feb,Apr *'), at('2027-01-01T00:00:00Z'), at('2028-01-01T00:00:00Z'))).toHaveLength(2);
  });

  test('ranges, lists and steps; seconds as a sixth field first', () => {
    expect(isos(cronOccurrences(schedule('5-20/5,50 10 * * *'), at('2027-01-01T10:00:00Z'), at('2027-01-01T11:00:00Z')))).toEqual([
      '2027-01-01T10:05:00.000Z', '2027-01-01T10:10:00.000Z', '2027-01-01T10:15:00.000Z', '2027-01-01T10:20:00.000Z',
      '2027-01-01T10:50:00.000Z',
    ]);
    expect(isos(cronOccurrences(schedule('*/20 * * * * *'), at('2027-01-01T00:00:00Z'), at('2027-01-01T00:01:00Z')))).toEqual([
      '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:20.000Z', '2027-01-01T00:00:40.000Z',
    ]);
  });

  test('an impossible date never fires; a leap day fires every fourth year', () => {
    expect(nextCronFiring(schedule('0 0 30 2 *'), at('2027-01-01T00:00:00Z'))).toBeUndefined();
    expect(isos([nextCronFiring(schedule('0 0 29 2 *'), at('2027-01-01T00:00:00Z'))!])).toEqual(['2028-02-29T00:00:00.000Z']);
    expect(isos([previousCronFiring(schedule('0 0 29 2 *'), at('2027-01-01T00:00:00Z'))!])).toEqual(['2024-02-29T00:00:00.000Z']);
  });

  test('startAt is inclusive and endAt exclusive', () => {
    const bounded = schedule('0 * * * *', 'UTC', { startAt: at('2027-01-01T01:00:00Z'), endAt: at('2027-01-01T04:00:00Z') });
    expect(isos(cronOccurrences(bounded, at('2027-01-01T00:00:00Z'), at('2027-01-02T00:00:00Z')))).toEqual([
      '2027-01-01T01:00:00.000Z', '2027-01-01T02:00:00.000Z', '2027-01-01T03:00:00.000Z',
    ]);
    expect(nextCronFiring(bounded, at('2027-01-01T03:00:01Z'))).toBeUndefined();
    expect(previousCronFiring(bounded, at('2027-01-01T01:00:00Z'))).toBeUndefined();
    expect(isos([previousCronFiring(bounded, at('2027-01-01T09:00:00Z'))!])).toEqual(['2027-01-01T03:00:00.000Z']);
  });
});

describe('daylight saving', () => {
  // Europe/Paris: 2027-03-28 02:00 CET becomes 03:00 CEST (01:00Z); 2027-10-31 03:00 CEST becomes 02:00 CET (01:00Z).
  // America/New_York: 2027-11-07 02:00 EDT becomes 01:00 EST (06:00Z).
  test('09:00 Paris time on weekdays is 08:00Z in winter and 07:00Z in summer', () => {
    const weekdays = schedule('0 9 * * MON-FRI', 'Europe/Paris');
    expect(isos(cronOccurrences(weekdays, at('2027-03-25T00:00:00Z'), at('2027-03-31T00:00:00Z')))).toEqual([
      '2027-03-25T08:00:00.000Z', '2027-03-26T08:00:00.000Z', '2027-03-29T07:00:00.000Z', '2027-03-30T07:00:00.000Z',
    ]);
  });

  test('a time the spring-forward skips fires once, at the first valid instant after it', () => {
    const day = [at('2027-03-27T12:00:00Z'), at('2027-03-28T12:00:00Z')] as const;
    expect(isos(cronOccurrences(schedule('30 2 * * *', 'Europe/Paris'), ...day))).toEqual(['2027-03-28T01:00:00.000Z']);
    // Four skipped times, one firing.
    expect(isos(cronOccurrences(schedule('*/15 2 * * *', 'Europe/Paris'), ...day))).toEqual(['2027-03-28T01:00:00.000Z']);
    // A skipped time and a valid one after it that map to the same instant fire once.
    expect(isos(cronOccurrences(schedule('30 2,3 * * *', 'Europe/Paris'), ...day))).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-28T01:30:00.000Z']);
  });

  test('in the repeated hour of a fall-back each matching time fires once, at its first occurrence', () => {
    const hour = cronOccurrences(schedule('*/15 1 * * *', 'America/New_York'), at('2027-11-07T04:00:00Z'), at('2027-11-07T08:00:00Z'));
    expect(isos(hour)).toEqual(['2027-11-07T05:00:00.000Z', '2027-11-07T05:15:00.000Z', '2027-11-07T05:30:00.000Z', '2027-11-07T05:45:00.000Z']);
    expect(cronOccurrences(schedule('30 1 * * *', 'America/New_York'), at('2027-11-07T00:00:00Z'), at('2027-11-08T00:00:00Z'))).toHaveLength(1);
    // A window inside the second pass owes nothing: those times fired an hour earlier.
    expect(cronOccurrences(schedule('* * * * * *', 'Europe/Paris'), at('2027-10-31T01:30:00Z'), at('2027-10-31T01:31:00Z'))).toEqual([]);
    expect(cronOccurrences(schedule('* * * * * *', 'Europe/Paris'), at('2027-10-31T01:59:58Z'), at('2027-10-31T02:00:02Z'))).toHaveLength(2);
  });

  test('wall-clock times and instants map both ways around the transitions', () => {
    expect(isos([instantOfWallTime('Europe/Paris', at('2027-03-28T02:30:00Z'))])).toEqual(['2027-03-28T01:00:00.000Z']);
    expect(isos([instantOfWallTime('Europe/Paris', at('2027-10-31T02:30:00Z'))])).toEqual(['2027-10-31T00:30:00.000Z']);
    expect(isos([wallTimeOf('Europe/Paris', at('2027-10-31T01:30:00Z'))])).toEqual(['2027-10-31T02:30:00.000Z']);
    // Lord Howe Island moves by half an hour.
    expect(isos([instantOfWallTime('Australia/Lord_Howe', at('2027-10-03T02:15:00Z'))])).toEqual(['2027-10-02T15:30:00.000Z']);
  });

  /**
   * The rule, by brute force: walk every whole second of a span; a second fires when its wall-clock time matches and
   * was not seen before (its first occurrence), or when it is a transition whose skipped wall-clock times include a
   * match.
   */
  function bruteForce(expression: string, timeZone: string, fromMs: number, toMs: number): number[] {
    const matcher = new Cron(expression, { timezone: 'UTC', paused: true, domAndDow: false, mode: '5-or-6-parts' });
    // Five fields match whole minutes only, and every transition here is on a whole minute.
    const step = expression.split(' ').length === 6 ? 1000 : 60_000;
    const out: number[] = [];
    let previousWall = wallTimeOf(timeZone, fromMs - step);
    for (let t = fromMs; t < toMs; t += step) {
      const wall = wallTimeOf(timeZone, t);
      let fires = false;
      // A jump forward skipped the wall-clock times between the previous one and this one.
      for (let skipped = previousWall + step; skipped < wall && !fires; skipped += step) fires = matcher.match(new Date(skipped));
      // A fall-back (of half an hour or an hour here) showed this wall-clock time before.
      const repeated = [1800_000, 3600_000].some((d) => wallTimeOf(timeZone, t - d) === wall);
      if (matcher.match(new Date(wall)) && !repeated) fires = true;
      if (fires) out.push(t);
      previousWall = wall;
    }
    return out;
  }
  const bruteForceOnce = new Map<string, number[]>();

  // Auckland (+13 in summer) and Chatham (+13:45) put an instant more than 12 hours from its wall-clock time.
  const spans = [
    ['Europe/Paris', '2027-03-28T00:00:00Z'], ['Europe/Paris', '2027-10-31T00:00:00Z'],
    ['Pacific/Auckland', '2027-09-25T14:00:00Z'], ['Pacific/Auckland', '2027-04-03T14:00:00Z'], ['Pacific/Chatham', '2027-09-25T14:00:00Z'],
    ['America/New_York', '2027-11-07T05:00:00Z'], ['America/New_York', '2027-03-14T06:00:00Z'],
    ['Australia/Lord_Howe', '2027-04-03T14:00:00Z'], ['Australia/Lord_Howe', '2027-10-02T15:00:00Z'], ['Asia/Tokyo', '2027-06-01T00:00:00Z'],
  ] as const;
  const expressions = ['*/15 * * * *', '30 * * * *', '*/7 1-3 * * *', '0,20,40 * * * * *', '*/5 30-59 * * * *', '0 */2 * * *', '* 2 * * *'];

  test.each(spans)('in %s around %s every expression fires as the brute force says, however the span is cut', (timeZone, start) => {
    const from = at(start) - 1800_000;
    const to = from + 2 * 3600_000;
    fc.assert(
      fc.property(fc.constantFrom(...expressions), fc.array(fc.integer({ min: 1, max: 2 * 3600 - 1 }), { maxLength: 6 }), (expression, cuts) => {
        const key = `${timeZone} ${start} ${expression}`;
        const expected = bruteForceOnce.get(key) ?? bruteForce(expression, timeZone, from, to);
        bruteForceOnce.set(key, expected);
        const bounds = [from, ...[...new Set(cuts)].sort((a, b) => a - b).map((s) => from + s * 1000), to];
        const pieces = bounds.slice(1).flatMap((end, i) => cronOccurrences(schedule(expression, timeZone), bounds[i], end));
        expect(isos(pieces)).toEqual(isos(expected));
        // next and previous agree with the walk.
        const middle = from + (cuts[0] ?? 3600) * 1000;
        const next = nextCronFiring(schedule(expression, timeZone), middle);
        expect(next !== undefined && next < to ? next : undefined).toBe(expected.find((t) => t >= middle));
        const before = expected.filter((t) => t < middle);
        if (before.length > 0) expect(previousCronFiring(schedule(expression, timeZone), middle)).toBe(before[before.length - 1]);
      }),
      { numRuns: 12 },
    );
  });
});
