/**
 * What SQS refuses, and what the engine does about it (invariant 8): the SQS adapter's classification of `Failed`
 * entries and of whole requests SQS refuses (sent again entry by entry when an entry's content is at fault), the
 * doubles that apply SQS's rules where moto does not (test/support/sqs-rules.ts), and the API and tick handlers on
 * moto behind the rules proxy: payloads holding U+FFFE/U+FFFF are delivered intact, a legacy item SQS refuses, in a
 * `Failed` entry or with the whole batch, is set aside without holding its shard, and a transient refusal still holds
 * the watermark.
 */
import { BatchResultErrorEntry, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoTimerStore } from '../../src/aws/dynamo-store';
import { ApiHandler, TickHandler, createApiHandler, createTickHandler } from '../../src/aws/handlers';
import { SqsFiringQueue, isEntryRequestFault, isPermanentSqsFailure, queueFailureOf, queueFailureOfThrown } from '../../src/aws/sqs-queue';
import { FiringQueue, Log, MessageAttribute, MetricName, QueueEntry, QueueFailure, Timer, TimerStore, engineConfig } from '../../src/core';
import { ManualClock, RecordingMetrics } from '../support/memory-store';
import { DUMMY_CREDENTIALS, createQueue, createTimerTable, useMoto } from '../support/moto';
import {
  INTERNAL_ERROR,
  RequestFault,
  SqsLimits,
  SqsRequestError,
  SqsRulesProxy,
  SqsRulesQueue,
  forbiddenCharacterIn,
  startSqsRulesProxy,
} from '../support/sqs-rules';

const moto = useMoto();
let proxy: SqsRulesProxy;
/** An SDK client whose every request goes through the rules proxy; no SDK retries, as the handlers build theirs. */
let sqs: SQSClient;

beforeAll(async () => {
  proxy = await startSqsRulesProxy(moto.server().endpoint);
  sqs = new SQSClient({ endpoint: proxy.endpoint, region: moto.server().region, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  sqs?.destroy();
  await proxy?.stop();
});
afterEach(() => {
  proxy.inject = undefined;
  proxy.injectRequest = undefined;
});

// A minute boundary shortly ahead of real time; firings due at it are sent with no delay, so moto shows them at once.
const T0 = (Math.floor(Date.now() / 60_000) + 1) * 60_000;
const SHARD = { shardId: 'shard0' };
const DAY_MS = 86_400_000;

/** The first and last code point of each range SQS refuses that a JavaScript string can carry to it. */
const FORBIDDEN_CODE_POINTS = [0x0, 0x8, 0xb, 0xc, 0xe, 0x1f, 0xfffe, 0xffff];
/** The edges of each range SQS allows. */
const ALLOWED_CODE_POINTS = [0x9, 0xa, 0xd, 0x20, 0xd7ff, 0xe000, 0xfffd, 0x10000, 0x10ffff];
const hex = (c: number): string => `#x${c.toString(16).toUpperCase()}`;

function entry(id: string, body: string, extra: Partial<QueueEntry> = {}): QueueEntry {
  return { id, body, delaySeconds: 0, scheduledAt: T0, attributes: { [MessageAttribute.TIMER_ID]: `t-${id}` }, ...extra };
}

/** A queue that accepts everything and keeps it. */
class AcceptingQueue implements FiringQueue {
  readonly sent: QueueEntry[] = [];
  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    this.sent.push(...entries);
    return [];
  }
}

describe('SQS adapter: which refusals are for good', () => {
  test.each<[string, Pick<BatchResultErrorEntry, 'Code' | 'Message' | 'SenderFault'>, boolean]>([
    ['a forbidden body character', { Code: 'InvalidMessageContents', SenderFault: true, Message: "Invalid binary character '#xFFFF'" }, true],
    ['the query protocol\'s prefixed code', { Code: 'AWS.SimpleQueueService.InvalidMessageContents', SenderFault: true }, true],
    ['an entry over MaximumMessageSize', { Code: 'InvalidParameterValue', SenderFault: true, Message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.' }, true],
    ['an emulator\'s Exception suffix', { Code: 'InvalidParameterValueException', SenderFault: true }, true],
    ['an out-of-range DelaySeconds', { Code: 'InvalidParameterValue', SenderFault: true, Message: 'Value 901 for parameter DelaySeconds is invalid.' }, true],
    ['MessageTooLong', { Code: 'MessageTooLong', SenderFault: true }, true],
    ['InvalidAttributeName', { Code: 'InvalidAttributeName', SenderFault: true }, true],
    ['InvalidAttributeValue', { Code: 'InvalidAttributeValue', SenderFault: true }, true],
    ['SenderFault written as the string "true"', { Code: 'InvalidMessageContents', SenderFault: 'true' as unknown as boolean }, true],
    ['a parameter the queue type refuses (configuration)', { Code: 'InvalidParameterValue', SenderFault: true, Message: 'The request include parameter that is not valid for this queue type' }, false],
    ['content code without SenderFault', { Code: 'InvalidMessageContents', SenderFault: false }, false],
    ['KMS access denied', { Code: 'KMS.AccessDeniedException', SenderFault: true }, false],
    ['KmsAccessDenied', { Code: 'KmsAccessDenied', SenderFault: true }, false],
    ['KmsDisabled', { Code: 'KmsDisabled', SenderFault: true }, false],
    ['KmsThrottled', { Code: 'KmsThrottled', SenderFault: true }, false],
    ['KMS throttling', { Code: 'KMS.ThrottlingException', SenderFault: true }, false],
    ['AccessDenied', { Code: 'AccessDenied', SenderFault: true }, false],
    ['RequestThrottled', { Code: 'RequestThrottled', SenderFault: true }, false],
    ['ThrottlingException', { Code: 'ThrottlingException', SenderFault: true }, false],
    ['QueueDoesNotExist', { Code: 'AWS.SimpleQueueService.NonExistentQueue', SenderFault: true }, false],
    ['InternalError', { Code: 'InternalError', SenderFault: false }, false],
    ['ServiceUnavailable', { Code: 'ServiceUnavailable', SenderFault: false }, false],
    ['no code', { Code: undefined, SenderFault: true }, false],
  ])('%s: permanent=%s', (_, failure, permanent) => {
    expect(isPermanentSqsFailure(failure)).toBe(permanent);
    expect(queueFailureOf({ Id: '3', ...failure })).toEqual({
      id: '3',
      ...(failure.Code !== undefined && { code: failure.Code }),
      ...(failure.Message !== undefined && { message: failure.Message }),
      permanent,
    });
  });
});

describe('SqsRulesQueue: SQS\'s rules in process', () => {
  test('a valid batch passes whole to the inner queue', async () => {
    const inner = new AcceptingQueue();
    const queue = new SqsRulesQueue(inner);
    const entries = [entry('0', '{"a":1}'), entry('1', ALLOWED_CODE_POINTS.map((c) => String.fromCodePoint(c)).join('')), entry('2', 'x', { delaySeconds: 900 })];
    expect(await queue.sendBatch(entries)).toEqual([]);
    expect(inner.sent).toEqual(entries);
  });

  test.each(FORBIDDEN_CODE_POINTS)('code point %i in a body is refused as InvalidMessageContents, for good', async (c) => {
    const inner = new AcceptingQueue();
    const queue = new SqsRulesQueue(inner);
    const [failure] = await queue.sendBatch([entry('0', `{"v":"a${String.fromCodePoint(c)}"}`)]);
    expect(failure).toEqual({ id: '0', code: 'InvalidMessageContents', message: expect.stringContaining(`'${hex(c)}'`), permanent: true });
    expect(inner.sent).toEqual([]);
  });

  test.each(FORBIDDEN_CODE_POINTS)('code point %i in a string attribute is refused too', async (c) => {
    const [failure] = await new SqsRulesQueue(new AcceptingQueue()).sendBatch([entry('0', '1', { attributes: { TimerId: `t${String.fromCodePoint(c)}` } })]);
    expect(failure).toMatchObject({ id: '0', code: 'InvalidMessageContents', message: expect.stringContaining("attribute 'TimerId'"), permanent: true });
  });

  test('forbiddenCharacterIn: the allowed edges pass, a lone surrogate passes (the wire makes it U+FFFD)', () => {
    for (const c of ALLOWED_CODE_POINTS) expect(forbiddenCharacterIn(`a${String.fromCodePoint(c)}b`)).toBeUndefined();
    expect(forbiddenCharacterIn('\uD800')).toBeUndefined();
    expect(forbiddenCharacterIn('ok\uFFFEthen\uFFFF')).toBe('#xFFFE');
  });

  test('a mixed batch is split: the valid entries go on, each invalid one is answered with its own reason', async () => {
    const inner = new AcceptingQueue();
    const queue = new SqsRulesQueue(inner, { maxMessageBytes: 1000 });
    const entries = [
      entry('0', '"fine"'),
      entry('1', '"\uFFFF"'),
      entry('2', 'also fine'),
      entry('3', 'late', { delaySeconds: 901 }),
      entry('4', 'x'.repeat(1000)),
      entry('5', '\u0001'),
    ];
    const failures = await queue.sendBatch(entries);
    expect(inner.sent.map((e) => e.id)).toEqual(['0', '2']);
    expect(failures).toEqual([
      { id: '1', code: 'InvalidMessageContents', message: expect.stringContaining('#xFFFF'), permanent: true },
      { id: '3', code: 'InvalidParameterValue', message: expect.stringContaining('DelaySeconds must be >= 0 and <= 900'), permanent: true },
      { id: '4', code: 'InvalidParameterValue', message: 'One or more parameters are invalid. Reason: Message must be shorter than 1000 bytes.', permanent: true },
      { id: '5', code: 'InvalidMessageContents', message: expect.stringContaining('#x1'), permanent: true },
    ]);
    expect(queue.refused.map((f) => [f.Id, f.SenderFault])).toEqual([['1', true], ['3', true], ['4', true], ['5', true]]);
  });

  test('whole-request faults throw, as SQS answers them', async () => {
    const queue = new SqsRulesQueue(new AcceptingQueue());
    const refusedWith = async (entries: QueueEntry[]): Promise<string> => {
      try {
        await queue.sendBatch(entries);
      } catch (err) {
        if (err instanceof SqsRequestError) return err.code;
        throw err;
      }
      return 'accepted';
    };
    expect(await refusedWith([])).toBe('EmptyBatchRequest');
    expect(await refusedWith(Array.from({ length: 11 }, (_, i) => entry(String(i), 'b')))).toBe('TooManyEntriesInBatchRequest');
    expect(await refusedWith([entry('a', 'b'), entry('a', 'c')])).toBe('BatchEntryIdsNotDistinct');
    expect(await refusedWith([entry('not valid!', 'b')])).toBe('InvalidBatchEntryId');
    // 1 MiB per message and per batch, counting the attributes' names, types and values.
    const attributes = { TimerId: 't' };
    const overhead = 'TimerId'.length + 'String'.length + 1;
    expect(await refusedWith([entry('0', 'x'.repeat(SqsLimits.MAX_MESSAGE_BYTES - overhead), { attributes })])).toBe('accepted');
    expect(await refusedWith([entry('0', 'x'.repeat(SqsLimits.MAX_MESSAGE_BYTES - overhead + 1), { attributes })])).toBe('BatchRequestTooLong');
    const half = 'x'.repeat(SqsLimits.MAX_BATCH_BYTES / 2);
    expect(await refusedWith([entry('0', half, { attributes }), entry('1', half, { attributes })])).toBe('BatchRequestTooLong');
  });

  test('an injected transient failure is answered as retryable, and the rest still goes on', async () => {
    const inner = new AcceptingQueue();
    const queue = new SqsRulesQueue(inner, { inject: (e) => (e.Id === '1' ? INTERNAL_ERROR : undefined) });
    expect(await queue.sendBatch([entry('0', 'a'), entry('1', 'b')])).toEqual([
      { id: '1', code: 'InternalError', message: INTERNAL_ERROR.Message, permanent: false },
    ]);
    expect(inner.sent.map((e) => e.id)).toEqual(['0']);
  });
});

/** Every message receivable now, with attributes, until the queue answers none. */
async function receiveAll(queueUrl: string): Promise<{ body: string; attributes: Record<string, string> }[]> {
  const out: { body: string; attributes: Record<string, string> }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    if (Messages.length === 0) return out;
    for (const m of Messages) {
      out.push({ body: m.Body!, attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue!])) });
    }
  }
}

describe('SQS rules proxy in front of moto', () => {
  test('moto alone takes U+FFFF, which is why the proxy exists', async () => {
    const queueUrl = await createQueue(moto.server());
    const out = await moto.server().sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: '0', MessageBody: '"\uFFFF"' }] }));
    expect(out.Failed ?? []).toEqual([]);
  });

  test('a valid batch reaches moto as sent, checksums and all', async () => {
    const queueUrl = await createQueue(moto.server());
    const body = ALLOWED_CODE_POINTS.map((c) => String.fromCodePoint(c)).join('');
    const out = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [{ Id: 'a', MessageBody: body, MessageAttributes: { TimerId: { DataType: 'String', StringValue: 'x' } } }],
    }));
    expect(out.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(out.Failed ?? []).toEqual([]);
    expect(await receiveAll(queueUrl)).toEqual([{ body, attributes: { TimerId: 'x' } }]);
  });

  test('a mixed batch: each forbidden range refused with SenderFault true, the valid entries delivered', async () => {
    const queueUrl = await createQueue(moto.server());
    const Entries = [
      { Id: 'ok-a', MessageBody: 'plain' },
      ...FORBIDDEN_CODE_POINTS.map((c) => ({ Id: `bad-${c}`, MessageBody: `x${String.fromCodePoint(c)}y` })),
      { Id: 'ok-b', MessageBody: '\uFFFD\u{10FFFF}' },
    ];
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
    expect(out.Successful?.map((s) => s.Id).sort()).toEqual(['ok-a', 'ok-b']);
    expect(out.Failed).toEqual(FORBIDDEN_CODE_POINTS.map((c) => ({
      Id: `bad-${c}`,
      SenderFault: true,
      Code: 'InvalidMessageContents',
      Message: expect.stringContaining(`'${hex(c)}'`),
    })));
    expect((await receiveAll(queueUrl)).map((m) => m.body).sort()).toEqual(['plain', '\uFFFD\u{10FFFF}']);
  });

  test('through the SQS adapter: the refused entry is permanent, an injected InternalError is not', async () => {
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    const failures = await queue.sendBatch([entry('0', '"ok"'), entry('1', '"\uFFFE"'), entry('2', '"ok too"')]);
    expect(failures).toEqual([{ id: '1', code: 'InvalidMessageContents', message: expect.stringContaining('#xFFFE'), permanent: true }]);
    proxy.inject = (e) => (e.Id === '0' ? INTERNAL_ERROR : undefined);
    expect(await queue.sendBatch([entry('0', '"again"'), entry('1', '"fine"')])).toEqual([
      { id: '0', code: 'InternalError', message: INTERNAL_ERROR.Message, permanent: false },
    ]);
    expect((await receiveAll(queueUrl)).map((m) => m.body).sort()).toEqual(['"fine"', '"ok too"', '"ok"']);
  });

  test('whole-request faults are thrown by the SDK with SQS\'s error names', async () => {
    const queueUrl = await createQueue(moto.server());
    const send = (Entries: { Id: string; MessageBody: string }[]): Promise<unknown> =>
      sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
    await expect(send(Array.from({ length: 11 }, (_, i) => ({ Id: String(i), MessageBody: 'b' })))).rejects.toMatchObject({ name: 'TooManyEntriesInBatchRequest' });
    await expect(send([{ Id: 'a', MessageBody: 'b' }, { Id: 'a', MessageBody: 'c' }])).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
    await expect(send([{ Id: 'a', MessageBody: 'x'.repeat(SqsLimits.MAX_BATCH_BYTES + 1) }])).rejects.toMatchObject({ name: 'BatchRequestTooLong' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '\uFFFF' }))).rejects.toMatchObject({ name: 'InvalidMessageContents' });
  });
});

describe('SQS adapter: a request SQS refuses whole', () => {
  /** SendMessageBatch requests the proxy saw during `act`, by their number of entries. */
  async function batchSizesDuring<T>(act: () => Promise<T>): Promise<{ result: T; sizes: number[] }> {
    const before = proxy.batchSizes.length;
    const result = await act();
    return { result, sizes: proxy.batchSizes.slice(before) };
  }

  const holdsPoison = (e: { MessageBody: string }): boolean => e.MessageBody.includes('poison');

  test.each<[string, RequestFault]>([
    ['InvalidMessageContents', { code: 'InvalidMessageContents', message: "Invalid binary character '#xFFFF' was found in the message body" }],
    ['InvalidParameterValue about an entry', { code: 'InvalidParameterValue', message: 'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.' }],
    ['BatchRequestTooLong', { code: 'BatchRequestTooLong', message: 'Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.' }],
  ])('%s for the whole batch: each entry is sent alone, the one refused alone is for good, the others are delivered', async (_name, fault) => {
    // GIVEN SQS refusing every request that holds the poisoned entry, alone or not
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    proxy.injectRequest = (entries) => (entries.some(holdsPoison) ? fault : undefined);
    // WHEN
    const { result, sizes } = await batchSizesDuring(() => queue.sendBatch([entry('0', '"a"'), entry('1', '"poison"'), entry('2', '"b"')]));
    // THEN
    expect(result).toEqual([{ id: '1', code: fault.code, message: fault.message, permanent: true }]);
    expect(sizes).toEqual([3, 1, 1, 1]);
    expect((await receiveAll(queueUrl)).map((m) => m.body).sort()).toEqual(['"a"', '"b"']);
  });

  test('an entry over the 1 MiB of a request, by SQS\'s own rule: it alone is refused for good, the rest delivered', async () => {
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    const huge = `"${'x'.repeat(SqsLimits.MAX_BATCH_BYTES)}"`;
    const { result, sizes } = await batchSizesDuring(() => queue.sendBatch([entry('0', '"a"'), entry('1', huge), entry('2', '"b"')]));
    expect(result).toEqual([{ id: '1', code: 'BatchRequestTooLong', message: expect.stringContaining('cannot be longer than'), permanent: true }]);
    expect(sizes).toEqual([3, 1, 1, 1]);
    expect((await receiveAll(queueUrl)).map((m) => m.body).sort()).toEqual(['"a"', '"b"']);
  });

  test('a batch refused only as a whole goes through entry by entry', async () => {
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    proxy.injectRequest = (entries) => (entries.length > 1 ? { code: 'BatchRequestTooLong', message: 'Batch requests cannot be longer than 1048576 bytes.' } : undefined);
    const { result, sizes } = await batchSizesDuring(() => queue.sendBatch([entry('0', '"a"'), entry('1', '"b"')]));
    expect(result).toEqual([]);
    expect(sizes).toEqual([2, 1, 1]);
    expect((await receiveAll(queueUrl)).map((m) => m.body).sort()).toEqual(['"a"', '"b"']);
  });

  test('a batch of one refused for its content is reported for good without another request', async () => {
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    proxy.injectRequest = (entries) => (entries.some(holdsPoison) ? { code: 'InvalidMessageContents', message: 'Invalid binary character' } : undefined);
    const { result, sizes } = await batchSizesDuring(() => queue.sendBatch([entry('4', '"poison"')]));
    expect(result).toEqual([{ id: '4', code: 'InvalidMessageContents', message: 'Invalid binary character', permanent: true }]);
    expect(sizes).toEqual([1]);
  });

  test.each<[string, RequestFault]>([
    ['RequestThrottled', { code: 'RequestThrottled', message: 'Rate exceeded' }],
    ['ThrottlingException', { code: 'ThrottlingException', message: 'Rate exceeded' }],
    ['OverLimit', { code: 'OverLimit', message: 'The specified action violates a limit.' }],
    ['InternalError (server fault)', { code: 'InternalError', message: 'We encountered an internal error.', fault: 'Receiver' }],
    ['ServiceUnavailable (server fault)', { code: 'ServiceUnavailable', message: 'Service is unavailable.', fault: 'Receiver' }],
    ['KmsThrottled', { code: 'KmsThrottled', message: 'Amazon SQS was throttled by AWS KMS.' }],
    ['KmsAccessDenied', { code: 'KmsAccessDenied', message: 'The caller does not have the required KMS permission.' }],
    ['KmsDisabled', { code: 'KmsDisabled', message: 'The request was denied because the specified key was disabled.' }],
    ['AccessDenied', { code: 'AccessDenied', message: 'Access to the resource is denied.' }],
    ['InvalidSecurity', { code: 'InvalidSecurity', message: 'The request was not made over HTTPS or did not use SigV4.' }],
    ['QueueDoesNotExist', { code: 'QueueDoesNotExist', message: 'The specified queue does not exist.' }],
    ['InvalidParameterValue about the queue type', { code: 'InvalidParameterValue', message: 'The request include parameter that is not valid for this queue type' }],
    ['InvalidParameterValue about the QueueUrl', { code: 'InvalidParameterValue', message: 'Value x for parameter QueueUrl is invalid. Reason: bad.' }],
  ])('%s still throws, with no entry sent alone: the deployment\'s fault, not an entry\'s', async (_name, fault) => {
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    proxy.injectRequest = () => fault;
    const before = proxy.batchSizes.length;
    await expect(queue.sendBatch([entry('0', '"a"'), entry('1', '"b"')])).rejects.toMatchObject({ name: fault.code });
    await expect(queue.sendBatch([entry('0', '"a"')])).rejects.toMatchObject({ name: fault.code });
    expect(proxy.batchSizes.slice(before)).toEqual([2, 1]);
    expect(await receiveAll(queueUrl)).toEqual([]);
  });

  test('a throttled request while entries go alone ends the round: the entries left are reported for a retry', async () => {
    const queueUrl = await createQueue(moto.server());
    const queue = new SqsFiringQueue({ client: sqs, queueUrl });
    proxy.injectRequest = (entries) => {
      if (entries.length > 1) return { code: 'InvalidMessageContents', message: 'Invalid binary character' };
      return entries[0].MessageBody === '"b"' ? { code: 'RequestThrottled', message: 'Rate exceeded' } : undefined;
    };
    const { result, sizes } = await batchSizesDuring(() => queue.sendBatch([entry('0', '"a"'), entry('1', '"b"'), entry('2', '"c"')]));
    expect(result).toEqual([
      { id: '1', code: 'RequestThrottled', message: 'Rate exceeded', permanent: false },
      { id: '2', code: 'RequestThrottled', message: 'Rate exceeded', permanent: false },
    ]);
    expect(sizes).toEqual([3, 1, 1]);
    expect((await receiveAll(queueUrl)).map((m) => m.body)).toEqual(['"a"']);
  });

  test('errors that are no service\'s answer (a timeout, a socket) are never taken as an entry\'s fault', () => {
    const timeout = Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });
    const socket = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    for (const err of [timeout, socket, undefined, 'InvalidMessageContents']) {
      expect(isEntryRequestFault(err)).toBe(false);
      expect(queueFailureOfThrown('0', err).permanent).toBe(false);
    }
  });
});

// --- The handlers on moto behind the proxy ---------------------------------------------------------------------------

interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

class RecordingLog implements Log {
  readonly lines: LogLine[] = [];
  info(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

interface SqsRig {
  readonly queueUrl: string;
  readonly clock: ManualClock;
  readonly store: TimerStore;
  readonly metrics: RecordingMetrics;
  readonly log: RecordingLog;
  readonly api: ApiHandler;
  readonly tick: TickHandler;
  request(method: string, kind: 'periodic' | 'oneshot', id: string, body?: unknown): Promise<{ statusCode: number; body: any }>;
}

/** A fresh table and queue, the API and tick handlers wired as the construct wires them, SQS behind the proxy. */
async function createSqsRig(t0: number): Promise<SqsRig> {
  const server = moto.server();
  const tableName = await createTimerTable(server);
  const queueUrl = await createQueue(server);
  const config = engineConfig({ shardCount: 1, periodSeconds: 60 });
  const clock = new ManualClock(t0);
  const store = new DynamoTimerStore({ client: server.dynamodb, tableName });
  const metrics = new RecordingMetrics();
  const log = new RecordingLog();
  const deps = { config, store, queue: new SqsFiringQueue({ client: sqs, queueUrl }), clock, metrics, log };
  const api = createApiHandler(deps);
  return {
    queueUrl,
    clock,
    store,
    metrics,
    log,
    api,
    tick: createTickHandler(deps),
    request: async (method, kind, id, body) => {
      const result = await api({
        httpMethod: method,
        resource: `/${kind}/{id}`,
        path: `/${kind}/${encodeURIComponent(id)}`,
        pathParameters: { id },
        body: body === undefined ? null : JSON.stringify(body),
        isBase64Encoded: false,
      } as unknown as Parameters<ApiHandler>[0]);
      return { statusCode: result.statusCode, body: JSON.parse(result.body) };
    },
  };
}

function oneShot(id: string, data: string, fireAt: number): Timer {
  return { kind: 'oneshot', id, shardId: 'shard0', data, createdAt: fireAt - 60_000, tickFrom: fireAt - 60_000, fireAt, expiresAt: fireAt + DAY_MS };
}

function periodic(id: string, data: string, t0: number): Timer {
  return { kind: 'periodic', id, shardId: 'shard0', data, createdAt: t0 - 60_000, tickFrom: t0, interval: 60, offset: 0 };
}

describe('handlers on moto behind the SQS rules proxy', () => {
  test('(i) timerCallbackData holding U+FFFF and U+FFFE is stored, sent by the API and by the tick, and delivered as the same value', async () => {
    const rig = await createSqsRig(T0);
    const data = { 'note': 'before\uFFFFafter', 'list': ['\uFFFE', 'é 😀', '\uFFFE\uFFFF'], 'key\uFFFF': true };
    const refusedBefore = proxy.refused.length;

    const put = await rig.request('PUT', 'oneshot', 'nonchar-once', { timerCallbackData: data, delaySeconds: 0 });
    expect(put).toMatchObject({ statusCode: 200, body: { timerCallbackData: data } });
    expect((await rig.request('PUT', 'periodic', 'nonchar-every', { timerCallbackData: data, interval: 60, offset: 0 })).statusCode).toBe(200);
    expect((await rig.request('GET', 'periodic', 'nonchar-every')).body.timerCallbackData).toEqual(data);
    const stored = (await rig.store.getTimer('nonchar-every'))!;
    expect(forbiddenCharacterIn(stored.data)).toBeUndefined();

    // The first firing the ticks owe, at a minute boundary: sent with no delay once the clock is there.
    const tickAt = Math.ceil(stored.tickFrom / 60_000) * 60_000;
    rig.clock.set(tickAt);
    const report = await rig.tick(SHARD);
    expect(report).toMatchObject({ rejected: 0 });
    expect(report.dispatched).toBeGreaterThan(0);

    const received = await receiveAll(rig.queueUrl);
    const firingIds = received.map((m) => m.attributes.FiringId);
    expect(firingIds).toEqual(expect.arrayContaining([`nonchar-once@${T0}`, `nonchar-every@${tickAt}`]));
    for (const message of received) expect(JSON.parse(message.body)).toEqual(data);
    expect(proxy.refused.slice(refusedBefore)).toEqual([]);
    expect(rig.metrics.count(MetricName.FIRINGS_REJECTED)).toBe(0);
  });

  test('(ii) a legacy item holding a raw U+FFFF is set aside with an error line and a metric; its window\'s other firings arrive and the watermark moves', async () => {
    const rig = await createSqsRig(T0);
    // As earlier versions stored it: JSON.stringify's output, U+FFFF left raw.
    const raw = JSON.stringify({ v: 'legacy\uFFFF' });
    expect(forbiddenCharacterIn(raw)).toBe('#xFFFF');
    await rig.store.registerInterval('shard0', 60, T0 - 60_000);
    for (const timer of [
      oneShot('legacy-once', raw, T0),
      periodic('legacy-every', raw, T0),
      oneShot('good-1', '{"n":1}', T0),
      oneShot('good-2', '{"n":2}', T0),
      periodic('good-every', '{"n":3}', T0),
    ]) {
      await rig.store.putTimer(timer);
    }
    await rig.store.sync?.();

    const report = await rig.tick(SHARD);

    // Set aside: one line per refused firing, with what SQS said.
    const setAside = rig.log.lines.filter((l) => l.level === 'error' && l.message.includes('set aside'));
    expect(setAside.map((l) => l.fields.firingId)).toEqual(expect.arrayContaining([`legacy-once@${T0}`, `legacy-every@${T0}`]));
    for (const line of setAside) {
      expect(line.fields).toMatchObject({
        timerId: expect.stringMatching(/^legacy-/),
        firingId: expect.stringMatching(/^legacy-(once|every)@\d+$/),
        code: 'InvalidMessageContents',
        queueMessage: expect.stringContaining('#xFFFF'),
      });
    }
    expect(report.rejected).toBe(setAside.length);
    expect(rig.metrics.count(MetricName.FIRINGS_REJECTED)).toBe(setAside.length);
    expect(rig.metrics.count(MetricName.SEND_FAILURES)).toBe(0);

    // The shard moved on: the watermark is past the window that held the refused firings.
    expect(report.watermark).toBeGreaterThanOrEqual(T0 + 60_000);
    expect((await rig.store.getShardState('shard0'))?.watermark).toBe(report.watermark);

    // The window's good firings arrived (those due now are visible at once).
    const received = await receiveAll(rig.queueUrl);
    expect(received.map((m) => m.attributes.FiringId).sort()).toEqual([`good-1@${T0}`, `good-2@${T0}`, `good-every@${T0}`]);
  });

  test('(iv) SQS refusing the whole batch for a legacy item\'s U+FFFF: the tick sends it entry by entry, sets that one aside and moves on', async () => {
    const rig = await createSqsRig(T0);
    const raw = JSON.stringify({ v: 'legacy\uFFFF' });
    for (const timer of [oneShot('whole-legacy', raw, T0), oneShot('whole-good-1', '{"n":1}', T0), oneShot('whole-good-2', '{"n":2}', T0)]) {
      await rig.store.putTimer(timer);
    }
    await rig.store.sync?.();
    // As SQS answers some requests: one 400 for the batch, not a `Failed` entry for the one at fault.
    proxy.injectRequest = (entries) => {
      const bad = entries.map((e) => forbiddenCharacterIn(e.MessageBody)).find((c) => c !== undefined);
      return bad ? { code: 'InvalidMessageContents', message: `Invalid binary character '${bad}' was found in the message body` } : undefined;
    };

    const report = await rig.tick(SHARD);

    expect(report).toMatchObject({ rejected: 1 });
    const setAside = rig.log.lines.filter((l) => l.level === 'error' && l.message.includes('set aside'));
    expect(setAside.map((l) => l.fields)).toEqual([expect.objectContaining({
      timerId: 'whole-legacy',
      firingId: `whole-legacy@${T0}`,
      code: 'InvalidMessageContents',
      queueMessage: expect.stringContaining('#xFFFF'),
    })]);
    expect(rig.metrics.count(MetricName.FIRINGS_REJECTED)).toBe(1);
    expect(rig.metrics.count(MetricName.SEND_FAILURES)).toBe(0);
    expect(report.watermark).toBeGreaterThanOrEqual(T0 + 60_000);
    expect((await rig.store.getShardState('shard0'))?.watermark).toBe(report.watermark);
    expect((await receiveAll(rig.queueUrl)).map((m) => m.attributes.FiringId).sort()).toEqual([`whole-good-1@${T0}`, `whole-good-2@${T0}`]);
  });

  test('(iii) a transient per-entry failure (InternalError, SenderFault false) holds the watermark until it passes', async () => {
    const rig = await createSqsRig(T0);
    for (const timer of [oneShot('steady-1', '1', T0), oneShot('flaky', '2', T0), oneShot('steady-2', '3', T0)]) await rig.store.putTimer(timer);
    await rig.store.sync?.();
    let flakyAttempts = 0;
    proxy.inject = (e) => {
      if (e.MessageAttributes?.TimerId?.StringValue !== 'flaky') return undefined;
      flakyAttempts++;
      return INTERNAL_ERROR;
    };

    await expect(rig.tick(SHARD)).rejects.toThrow(/not accepted by the queue/);

    expect(flakyAttempts).toBeGreaterThan(1); // retried, not set aside
    expect((await rig.store.getShardState('shard0'))?.watermark).toBe(T0);
    expect(rig.metrics.count(MetricName.FIRINGS_REJECTED)).toBe(0);
    expect(rig.metrics.count(MetricName.SEND_FAILURES)).toBe(1);
    expect((await receiveAll(rig.queueUrl)).map((m) => m.attributes.TimerId).sort()).toEqual(['steady-1', 'steady-2']);

    // Once SQS takes it again, the next tick sends it and the watermark moves.
    proxy.inject = undefined;
    rig.clock.advance(1000);
    const report = await rig.tick(SHARD);
    expect(report.watermark).toBeGreaterThan(T0);
    // The cursor only passes batches sent whole, so the batch's other firings may come again: at-least-once, by design.
    expect((await receiveAll(rig.queueUrl)).map((m) => m.attributes.TimerId)).toContain('flaky');
  });
});
