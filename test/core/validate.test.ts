/**
 * Request validation (src/core/validate.ts): every rule, with the status and message a client gets back.
 */
import fc from 'fast-check';
import { TimerRequestError } from '../../src/core/errors';
import { defaultOffsetOf, shardOf } from '../../src/core/hash';
import { Limits } from '../../src/core/model';
import { oneShotTimerFrom, parseBody, periodicTimerFrom, sqsSafeJson, validateId } from '../../src/core/validate';
import { forbiddenCharacterIn } from '../support/sqs-rules';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const DEFAULTS = { shardCount: 8, defaultIntervalSeconds: 60 };
const RETENTION = 86_400_000;

/** The status and message a call is refused with. */
function refusal(call: () => unknown): { status: number; message: string } {
  try {
    call();
  } catch (err) {
    if (err instanceof TimerRequestError) return { status: err.statusCode, message: err.message };
    throw err;
  }
  throw new Error('expected the call to be refused');
}

const periodic = (body: unknown, id = 't1') => periodicTimerFrom(id, typeof body === 'string' ? body : JSON.stringify(body), DEFAULTS, NOW);
const oneShot = (body: unknown, id = 't1') => oneShotTimerFrom(id, typeof body === 'string' ? body : JSON.stringify(body), 8, RETENTION, NOW);

describe('validateId', () => {
  test.each([
    ['a'],
    ['x'.repeat(128)],
    ['ABCxyz019._-:@'],
    ['user@example.com:daily-report_2'],
  ])('accepts %s', (id) => {
    expect(validateId(id)).toBe(id);
  });

  test.each([
    ['', '""'],
    ['x'.repeat(129), `${'x'.repeat(40)}... (129 characters)`],
    ['a b', '"a b"'],
    ['a/b', '"a/b"'],
    ['#shard#0', '"#shard#0"'],
    ['é', '"é"'],
    ['a+b', '"a+b"'],
  ])('refuses %j with 400 and the allowed characters', (id, shown) => {
    expect(refusal(() => validateId(id))).toEqual({
      status: 400,
      message: `invalid timer id ${shown}: use 1 to 128 characters of A-Z a-z 0-9 . _ - : @`,
    });
  });
});

describe('parseBody', () => {
  test.each([
    ['an absent body', undefined, 400, 'the request body is empty: send a JSON object with at least "timerCallbackData"'],
    ['a blank body', '  ', 400, 'the request body is empty'],
    ['malformed JSON', '{"timerCallbackData":', 400, 'the request body is not valid JSON: '],
    ['a JSON array', '[1]', 400, 'the request body must be a JSON object, e.g. {"timerCallbackData": {...}}'],
    ['JSON null', 'null', 400, 'the request body must be a JSON object'],
    ['a JSON string', '"x"', 400, 'the request body must be a JSON object'],
    ['an unknown field', '{"timerCallbackData":1,"intervall":5}', 400, 'unknown field(s) "intervall"; allowed: timerCallbackData, interval'],
    ['no timerCallbackData', '{"interval":5}', 400, '"timerCallbackData" is required: the JSON value delivered to your callback on every firing'],
    ['a raw body over the size limit', `{"timerCallbackData":"${'x'.repeat(Limits.MAX_BODY_BYTES)}"}`, 413, `at most ${Limits.MAX_BODY_BYTES} are accepted`],
  ])('refuses %s', (_name, raw, status, message) => {
    const refused = refusal(() => parseBody(raw, ['timerCallbackData', 'interval']));
    expect(refused.status).toBe(status);
    expect(refused.message).toContain(message);
  });

  test('the raw size limit counts UTF-8 bytes and answers 413 before parsing', () => {
    const justOver = '€'.repeat(Math.floor(Limits.MAX_BODY_BYTES / 3) + 1);
    expect(refusal(() => parseBody(justOver, ['timerCallbackData']))).toEqual({
      status: 413,
      message: `the request body is ${Buffer.byteLength(justOver)} bytes; at most ${Limits.MAX_BODY_BYTES} are accepted`,
    });
  });

  test('null is a valid timerCallbackData', () => {
    expect(parseBody('{"timerCallbackData":null}', ['timerCallbackData'])).toEqual({ timerCallbackData: null });
  });
});

describe('periodicTimerFrom', () => {
  test('defaults: the deployment period, a hashed offset, the shard of the id, data as JSON', () => {
    expect(periodic({ timerCallbackData: { a: [1, 'é'] } }, 'job-1')).toEqual({
      kind: 'periodic',
      id: 'job-1',
      shardId: shardOf('job-1', 8),
      data: '{"a":[1,"é"]}',
      createdAt: NOW,
      tickFrom: NOW,
      interval: 60,
      offset: defaultOffsetOf('job-1', 60),
    });
  });

  test.each([
    [{ interval: 1 }, 1, 0],
    [{ interval: 604_800 }, 604_800, defaultOffsetOf('t1', 604_800)],
    [{ interval: 10, offset: 0 }, 10, 0],
    [{ interval: 10, offset: 9 }, 10, 9],
    [{ offset: 59 }, 60, 59],
  ])('accepts %j', (fields, interval, offset) => {
    expect(periodic({ timerCallbackData: 1, ...fields })).toMatchObject({ interval, offset });
  });

  test.each([
    [{ interval: 0 }, '"interval" must be a whole number of seconds from 1 to 604800 (1 second to 7 days), got 0'],
    [{ interval: 604_801 }, '"interval" must be a whole number of seconds from 1 to 604800 (1 second to 7 days), got 604801'],
    [{ interval: 1.5 }, '"interval" must be a whole number of seconds from 1 to 604800 (1 second to 7 days), got 1.5'],
    [{ interval: '60' }, '"interval" must be a whole number of seconds from 1 to 604800 (1 second to 7 days), got "60"'],
    [{ interval: 10, offset: 10 }, '"offset" must be a whole number of seconds from 0 to 9 (0 <= offset < interval 10), got 10'],
    [{ offset: 60 }, '"offset" must be a whole number of seconds from 0 to 59 (0 <= offset < interval 60), got 60'],
    [{ offset: -1 }, '"offset" must be a whole number of seconds from 0 to 59 (0 <= offset < interval 60), got -1'],
    [{ startAt: '2030-01-01' }, '"startAt" must be an ISO-8601 date-time with a time zone, e.g. "2030-01-01T00:00:00Z", got "2030-01-01"'],
    [{ startAt: '2030-01-01T00:00:00' }, '"startAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: 1893456000000 }, '"endAt" must be an ISO-8601 date-time with a time zone, e.g. "2030-01-01T00:00:00Z", got 1893456000000'],
    [{ endAt: '2030-13-01T00:00:00Z' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: '2030-02-30T00:00:00Z' }, '"endAt" must be an ISO-8601 date-time with a time zone, e.g. "2030-01-01T00:00:00Z", got "2030-02-30T00:00:00Z"'],
    [{ endAt: '2031-02-29T00:00:00Z' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: '2030-04-31T00:00:00Z' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: '2030-01-02T24:00:00Z' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: '2030-01-02T23:60:00Z' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: '2030-01-02T23:00:60Z' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ endAt: '2030-01-02T23:00:00+24:00' }, '"endAt" must be an ISO-8601 date-time with a time zone'],
    [{ startAt: '2030-02-01T00:00:00Z', endAt: '2030-02-01T00:00:00Z' }, '"endAt" (2030-02-01T00:00:00Z) must be later than "startAt" (2030-02-01T00:00:00Z)'],
    [{ endAt: '2029-12-31T23:59:59Z' }, '"endAt" (2029-12-31T23:59:59Z) is in the past: the timer would never fire'],
    [{ endAt: '2030-01-01T00:00:00Z' }, '"endAt" (2030-01-01T00:00:00Z) is in the past'],
  ])('refuses %j with 400', (fields, message) => {
    const refused = refusal(() => periodic({ timerCallbackData: 1, ...fields }));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain(message);
  });

  test.each([
    ['2030-01-02T03:04:05Z', Date.UTC(2030, 0, 2, 3, 4, 5)],
    ['2030-01-02T03:04:05.678Z', Date.UTC(2030, 0, 2, 3, 4, 5, 678)],
    ['2030-01-02T03:04Z', Date.UTC(2030, 0, 2, 3, 4)],
    ['2030-01-02T03:04:05+02:00', Date.UTC(2030, 0, 2, 1, 4, 5)],
    ['2030-01-02T03:04:05-0130', Date.UTC(2030, 0, 2, 4, 34, 5)],
    ['2028-02-29T23:59:59Z', Date.UTC(2028, 1, 29, 23, 59, 59)],
  ])('reads the ISO-8601 date-time %s', (text, ms) => {
    expect(periodic({ timerCallbackData: 1, startAt: text, endAt: '2031-01-01T00:00:00Z' })).toMatchObject({ startAt: ms, endAt: Date.UTC(2031, 0, 1) });
  });

  test('413 for timerCallbackData over the limit, accepted at the limit', () => {
    // The JSON string adds two quote characters.
    const atLimit = 'x'.repeat(Limits.MAX_CALLBACK_DATA_BYTES - 2);
    expect(periodic({ timerCallbackData: atLimit }).data).toHaveLength(Limits.MAX_CALLBACK_DATA_BYTES);
    expect(refusal(() => periodic({ timerCallbackData: `${atLimit}x` }))).toEqual({
      status: 413,
      message: `"timerCallbackData" is ${Limits.MAX_CALLBACK_DATA_BYTES + 1} bytes serialized; at most ${Limits.MAX_CALLBACK_DATA_BYTES} fit one SQS message`,
    });
  });

  test('the id is checked before the body', () => {
    expect(refusal(() => periodicTimerFrom('bad id', undefined, DEFAULTS, NOW)).message).toContain('invalid timer id "bad id"');
  });
});

describe('oneShotTimerFrom', () => {
  test('delaySeconds fires that long after now; retention counts from the firing', () => {
    expect(oneShot({ timerCallbackData: 'go', delaySeconds: 30 }, 'once')).toEqual({
      kind: 'oneshot',
      id: 'once',
      shardId: shardOf('once', 8),
      data: '"go"',
      createdAt: NOW,
      tickFrom: NOW,
      fireAt: NOW + 30_000,
      expiresAt: NOW + 30_000 + RETENTION,
    });
  });

  test.each([
    ['in the future', '2030-01-01T00:10:00Z', NOW + 600_000, NOW + 600_000 + RETENTION],
    ['now', '2030-01-01T00:00:00Z', NOW, NOW + RETENTION],
    ['just within the past grace', '2029-12-31T23:59:55Z', NOW - Limits.PAST_GRACE_MS, NOW + RETENTION],
  ])('accepts at %s', (_name, at, fireAt, expiresAt) => {
    expect(oneShot({ timerCallbackData: 1, at })).toMatchObject({ fireAt, expiresAt });
  });

  test.each([
    [{ delaySeconds: 0 }, NOW],
    [{ delaySeconds: 1.5 }, NOW + 1500],
    [{ delaySeconds: Limits.MAX_DELAY_SECONDS }, NOW + Limits.MAX_DELAY_SECONDS * 1000],
  ])('accepts %j', (fields, fireAt) => {
    expect(oneShot({ timerCallbackData: 1, ...fields }).fireAt).toBe(fireAt);
  });

  test.each([
    [{ at: '2029-12-31T23:59:54.999Z' }, '"at" (2029-12-31T23:59:54.999Z) is 5 s in the past; at most 5 s in the past is accepted'],
    [{ at: '2029-12-31T00:00:00Z' }, '"at" (2029-12-31T00:00:00Z) is 86400 s in the past; at most 5 s in the past is accepted'],
    [{ at: '2030-01-01T00:00:00Z', delaySeconds: 5 }, 'give either "at" or "delaySeconds", not both'],
    [{}, 'a one-shot timer needs "at" (ISO-8601 date-time) or "delaySeconds" (seconds from now)'],
    [{ at: 'tomorrow' }, '"at" must be an ISO-8601 date-time with a time zone, e.g. "2030-01-01T00:00:00Z", got "tomorrow"'],
    [{ delaySeconds: -1 }, `"delaySeconds" must be a number from 0 to ${Limits.MAX_DELAY_SECONDS}, got -1`],
    [{ delaySeconds: Limits.MAX_DELAY_SECONDS + 1 }, `"delaySeconds" must be a number from 0 to ${Limits.MAX_DELAY_SECONDS}, got ${Limits.MAX_DELAY_SECONDS + 1}`],
    [{ delaySeconds: '5' }, `"delaySeconds" must be a number from 0 to ${Limits.MAX_DELAY_SECONDS}, got "5"`],
    [{ interval: 5, delaySeconds: 5 }, 'unknown field(s) "interval"; allowed: timerCallbackData, at, delaySeconds, missedFirings'],
  ])('refuses %j with 400', (fields, message) => {
    expect(refusal(() => oneShot({ timerCallbackData: 1, ...fields }))).toEqual({ status: 400, message });
  });

  test('413 for oversized timerCallbackData and for an oversized raw body', () => {
    expect(refusal(() => oneShot({ timerCallbackData: 'x'.repeat(Limits.MAX_CALLBACK_DATA_BYTES), delaySeconds: 1 })).status).toBe(413);
    expect(refusal(() => oneShot(`{"timerCallbackData":"${'x'.repeat(Limits.MAX_BODY_BYTES)}","delaySeconds":1}`)).status).toBe(413);
  });
});

describe('sqsSafeJson', () => {
  test.each([
    ['U+FFFF in a string', 'a\uFFFFb', '"a\\uffffb"'],
    ['U+FFFE in a string', '\uFFFE', '"\\ufffe"'],
    ['both, repeated, beside other characters', { s: '\uFFFE\uFFFFé😀\uFFFF' }, '{"s":"\\ufffe\\uffffé😀\\uffff"}'],
    ['in an object key', { 'k\uFFFF': 1 }, '{"k\\uffff":1}'],
    ['deep in arrays', [[['\uFFFF']]], '[[["\\uffff"]]]'],
  ])('%s: written as a \\u escape', (_, value, json) => {
    const safe = sqsSafeJson(value);
    expect(safe).toBe(json);
    expect(forbiddenCharacterIn(safe)).toBeUndefined();
    expect(JSON.parse(safe)).toEqual(value);
  });

  test.each([
    ['plain ASCII', { order: 42, note: 'x' }],
    ['U+FFFD, the last character SQS allows below the astral planes', '\uFFFD'],
    ['U+E000 and U+D7FF, the edges of the private-use gap', '\uE000\uD7FF'],
    ['an astral character', '😀'],
    ['control characters, which JSON.stringify escapes itself', '\u0000\u0001\u001f\t'],
    ['a lone surrogate, which JSON.stringify escapes itself', '\uD800x\uDFFF'],
    ['null', null],
  ])('%s: exactly JSON.stringify', (_, value) => {
    expect(sqsSafeJson(value)).toBe(JSON.stringify(value));
    expect(forbiddenCharacterIn(sqsSafeJson(value))).toBeUndefined();
  });

  test('any JSON value: a valid SQS body that parses back to the same value', () => {
    // Strings over every UTF-16 code unit, so U+FFFE, U+FFFF, controls and lone surrogates all turn up.
    const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
    const withSpecials = fc.oneof(anyText, fc.constantFrom('\uFFFF', '\uFFFE', 'x\uFFFEy\uFFFF'));
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        withSpecials,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(withSpecials, tie('json'), { maxKeys: 4 }),
      ),
    })).json;
    fc.assert(
      fc.property(value, (v) => {
        const safe = sqsSafeJson(v);
        expect(forbiddenCharacterIn(safe)).toBeUndefined();
        expect(JSON.parse(safe)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 500 },
    );
  });

  test('timers store their data escaped, and the size limit counts the escaped JSON', () => {
    const data = { s: 'a\uFFFF\uFFFE' };
    expect(periodic({ timerCallbackData: data }).data).toBe('{"s":"a\\uffff\\ufffe"}');
    expect(oneShot({ timerCallbackData: data, delaySeconds: 1 }).data).toBe('{"s":"a\\uffff\\ufffe"}');
    // Escaped, each U+FFFF takes 6 bytes instead of its 3 in UTF-8: the limit applies to what is stored and sent.
    const count = Math.floor((Limits.MAX_CALLBACK_DATA_BYTES - 2) / 6) + 1;
    expect(refusal(() => periodic({ timerCallbackData: '\uFFFF'.repeat(count) }))).toEqual({
      status: 413,
      message: `"timerCallbackData" is ${6 * count + 2} bytes serialized; at most ${Limits.MAX_CALLBACK_DATA_BYTES} fit one SQS message`,
    });
  });
});
