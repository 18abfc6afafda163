/**
 * Test doubles that apply the rules Amazon SQS applies to SendMessageBatch and that the emulators (moto,
 * local-aws-sqs) skip: the characters a body or a string attribute may hold, the entry and size limits, the
 * DelaySeconds range, distinct entry ids. Two forms share one set of rules:
 *
 * - `SqsRulesQueue`, a `FiringQueue` wrapper for fast in-process tests of core and the adapters: it answers the
 *   entries SQS would refuse itself, as SQS would (classified by the SQS adapter's own `queueFailureOf`), and
 *   forwards the rest to an inner queue.
 * - `startSqsRulesProxy`, an HTTP proxy in front of moto's endpoint, for SDK clients and the bundled handlers exactly
 *   as configured: it reads SendMessageBatch requests (the JSON protocol the installed @aws-sdk/client-sqs speaks:
 *   `X-Amz-Target: AmazonSQS.SendMessageBatch`, body `application/x-amz-json-1.0`), answers the invalid entries itself
 *   in `Failed` with `SenderFault: true`, forwards the valid ones to moto and merges the two answers.
 *
 * Both can also be told to fail chosen entries with any code (e.g. a transient `InternalError`), which no emulator does,
 * and the proxy to refuse a whole request with any code (e.g. `InvalidMessageContents` for the whole batch when one
 * of its entries holds what SQS refuses, or a throttling or server fault), which is how SQS answers some refusals.
 */
import { createServer, IncomingHttpHeaders, request as httpRequest, Server } from 'http';
import { AddressInfo } from 'net';
import { BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { queueFailureOf } from '../../src/aws/sqs-queue';
import { FiringQueue, QueueEntry, QueueFailure } from '../../src/core/ports';

/** SendMessageBatch's limits as SQS documents them. */
export const SqsLimits = {
  MAX_BATCH_ENTRIES: 10,
  /**
   * 1 MiB (1,048,576 bytes) per message and per batch: SendMessageBatch's reference since 2025, as the installed
   * @aws-sdk/client-sqs documents it (older docs say 256 KiB). The doubles hold SQS to its documented limit; the
   * engine packs batches of at most 256 KiB, well inside it.
   */
  MAX_MESSAGE_BYTES: 1024 * 1024,
  MAX_BATCH_BYTES: 1024 * 1024,
  MAX_DELAY_SECONDS: 900,
  /** An entry id: up to 80 characters of alphanumerics, hyphens and underscores. */
  ENTRY_ID: /^[A-Za-z0-9_-]{1,80}$/,
} as const;

/**
 * A code point SQS refuses in a body or a string attribute: outside #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
 * #x10000-#x10FFFF. A lone surrogate is let through: it cannot reach SQS as such, since the SDK writes UTF-8, where it
 * becomes U+FFFD.
 */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}\uD800-\uDFFF]/u;

/** The first character SQS would refuse in `text`, as SQS writes it (`#xFFFF`), or undefined if there is none. */
export function forbiddenCharacterIn(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  return match ? `#x${match[0].codePointAt(0)!.toString(16).toUpperCase()}` : undefined;
}

/** One entry of a SendMessageBatch request, as the wire carries it. */
export interface SqsBatchEntry {
  readonly Id: string;
  readonly MessageBody: string;
  readonly DelaySeconds?: number;
  readonly MessageAttributes?: Readonly<Record<string, { readonly DataType: string; readonly StringValue?: string; readonly BinaryValue?: unknown }>>;
}

/** What SQS counts against the size limits: the body, and each attribute's name, data type and value. */
export function sqsMessageBytes(entry: SqsBatchEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody, 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue, 'utf8');
  }
  return bytes;
}

/** A refusal of the whole request, as SQS throws it (HTTP 400, a sender fault). */
export class SqsRequestError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = code;
  }
}

/** What one entry failed with: a `Failed` entry without its id. */
export type EntryFailure = Omit<BatchResultErrorEntry, 'Id'> & { readonly Code: string; readonly SenderFault: boolean };

export interface SqsRulesOptions {
  /**
   * The queue's MaximumMessageSize: an entry above it is refused by itself (`InvalidParameterValue`), while a request
   * above the 1 MiB service limit is refused whole (`BatchRequestTooLong`). @default SqsLimits.MAX_MESSAGE_BYTES
   */
  readonly maxMessageBytes?: number;
}

/** The entries SQS would accept, and the `Failed` answers for those it would refuse. */
export interface SqsBatchVerdict<E> {
  readonly accepted: E[];
  readonly refused: BatchResultErrorEntry[];
}

/**
 * Applies SQS's rules to a batch: throws `SqsRequestError` where SQS refuses the whole request, and otherwise splits
 * the entries into those SQS accepts and the `Failed` answers of those it refuses.
 */
export function applySqsRules<E extends SqsBatchEntry>(entries: readonly E[], options: SqsRulesOptions = {}): SqsBatchVerdict<E> {
  if (entries.length === 0) throw new SqsRequestError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  if (entries.length > SqsLimits.MAX_BATCH_ENTRIES) {
    throw new SqsRequestError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${SqsLimits.MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    if (typeof entry.Id !== 'string' || !SqsLimits.ENTRY_ID.test(entry.Id)) {
      throw new SqsRequestError(
        'InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got ${JSON.stringify(entry.Id)}.`,
      );
    }
    if (ids.has(entry.Id)) throw new SqsRequestError('BatchEntryIdsNotDistinct', `Id ${entry.Id} repeated.`);
    ids.add(entry.Id);
  }
  const total = entries.reduce((sum, entry) => sum + sqsMessageBytes(entry), 0);
  if (total > SqsLimits.MAX_BATCH_BYTES) {
    throw new SqsRequestError('BatchRequestTooLong', `Batch requests cannot be longer than ${SqsLimits.MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
  }
  const accepted: E[] = [];
  const refused: BatchResultErrorEntry[] = [];
  for (const entry of entries) {
    const failure = entryFailureOf(entry, options);
    if (failure) refused.push({ Id: entry.Id, ...failure });
    else accepted.push(entry);
  }
  return { accepted, refused };
}

/** Why SQS refuses this one entry, or undefined if it accepts it. */
export function entryFailureOf(entry: SqsBatchEntry, options: SqsRulesOptions = {}): EntryFailure | undefined {
  const maxMessageBytes = options.maxMessageBytes ?? SqsLimits.MAX_MESSAGE_BYTES;
  const delay = entry.DelaySeconds;
  if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > SqsLimits.MAX_DELAY_SECONDS)) {
    return {
      Code: 'InvalidParameterValue',
      SenderFault: true,
      Message: `Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${SqsLimits.MAX_DELAY_SECONDS}.`,
    };
  }
  const bytes = sqsMessageBytes(entry);
  if (bytes > maxMessageBytes) {
    return {
      Code: 'InvalidParameterValue',
      SenderFault: true,
      Message: `One or more parameters are invalid. Reason: Message must be shorter than ${maxMessageBytes} bytes.`,
    };
  }
  const inBody = forbiddenCharacterIn(entry.MessageBody);
  if (inBody) {
    return {
      Code: 'InvalidMessageContents',
      SenderFault: true,
      Message: `Invalid binary character '${inBody}' was found in the message body, the set of allowed characters is available at http://www.w3.org/TR/REC-xml/#charsets`,
    };
  }
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    const inValue = value.StringValue === undefined ? undefined : forbiddenCharacterIn(value.StringValue);
    if (inValue) {
      return {
        Code: 'InvalidMessageContents',
        SenderFault: true,
        Message: `Invalid binary character '${inValue}' was found in the value of message attribute '${name}', the set of allowed characters is available at http://www.w3.org/TR/REC-xml/#charsets`,
      };
    }
  }
  return undefined;
}

/** Decides, per entry, a failure to answer in SQS's place (e.g. a transient `InternalError`), or undefined for none. */
export type FailureInjector = (entry: SqsBatchEntry) => EntryFailure | undefined;

/** A refusal of a whole SendMessageBatch request, to answer in SQS's place. */
export interface RequestFault {
  /** SQS's error code, e.g. `InvalidMessageContents`, `BatchRequestTooLong`, `RequestThrottled`, `InternalError`. */
  readonly code: string;
  readonly message: string;
  /** `Sender` answers HTTP 400 (a client fault), `Receiver` HTTP 500 (a server fault). @default 'Sender' */
  readonly fault?: 'Sender' | 'Receiver';
}

/** Decides, per request (its entries as sent), a refusal of the whole request, or undefined to answer it as SQS would. */
export type RequestFaultInjector = (entries: readonly SqsBatchEntry[]) => RequestFault | undefined;

/** A transient per-entry failure, as SQS answers one on its side. */
export const INTERNAL_ERROR: EntryFailure = { Code: 'InternalError', SenderFault: false, Message: 'We encountered an internal error. Please try again.' };

/** The wire form of a queue entry, as `SqsFiringQueue` sends it. */
export function sqsEntryOf(entry: QueueEntry): SqsBatchEntry & { readonly queueEntry: QueueEntry } {
  return {
    Id: entry.id,
    MessageBody: entry.body,
    DelaySeconds: entry.delaySeconds,
    MessageAttributes: Object.fromEntries(Object.entries(entry.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }])),
    queueEntry: entry,
  };
}

export interface SqsRulesQueueOptions extends SqsRulesOptions {
  /** @default - no failure injected */
  readonly inject?: FailureInjector;
}

/**
 * A `FiringQueue` that refuses what SQS refuses, as SQS does, and hands the rest to `inner`. Whole-request faults
 * throw `SqsRequestError`; refused entries resolve as the SQS adapter reports SQS's `Failed` entries.
 */
export class SqsRulesQueue implements FiringQueue {
  /** Every `Failed` entry this queue answered itself, in order. */
  readonly refused: BatchResultErrorEntry[] = [];
  inject?: FailureInjector;

  constructor(private readonly inner: FiringQueue, private readonly options: SqsRulesQueueOptions = {}) {
    this.inject = options.inject;
  }

  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    const verdict = applySqsRules(entries.map(sqsEntryOf), this.options);
    const forwarded: QueueEntry[] = [];
    const refused = [...verdict.refused];
    for (const entry of verdict.accepted) {
      const injected = this.inject?.(entry);
      if (injected) refused.push({ Id: entry.Id, ...injected });
      else forwarded.push(entry.queueEntry);
    }
    this.refused.push(...refused);
    const innerFailures = forwarded.length > 0 ? await this.inner.sendBatch(forwarded) : [];
    return [...refused.map(queueFailureOf), ...innerFailures];
  }
}

/** The SQS rules in front of an SQS endpoint. */
export interface SqsRulesProxy {
  /** `http://127.0.0.1:<port>`: give it to an SDK client (or `AWS_ENDPOINT_URL_SQS`) instead of the target's. */
  readonly endpoint: string;
  /** Every `Failed` entry the proxy answered itself, in order. */
  readonly refused: BatchResultErrorEntry[];
  /** Entries forwarded to the target, in order. */
  readonly forwarded: SqsBatchEntry[];
  /** The number of entries of every SendMessageBatch request the proxy received, in order. */
  readonly batchSizes: number[];
  /** Failures to answer in SQS's place; settable while the proxy runs. */
  inject?: FailureInjector;
  /** Whole-request refusals to answer in SQS's place, before any rule; settable while the proxy runs. */
  injectRequest?: RequestFaultInjector;
  stop(): Promise<void>;
}

export interface SqsRulesProxyOptions extends SqsRulesQueueOptions {}

const JSON_CONTENT = 'application/x-amz-json-1.0';
const BATCH_TARGET = 'AmazonSQS.SendMessageBatch';
const SINGLE_TARGET = 'AmazonSQS.SendMessage';

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_CONTENT, ...headers }, body: Buffer.from(JSON.stringify(body), 'utf8') };
}

/** The errors whose query-protocol code SQS's model writes with the `AWS.SimpleQueueService.` prefix. */
const PREFIXED_QUERY_CODES = new Set(['BatchEntryIdsNotDistinct', 'BatchRequestTooLong', 'EmptyBatchRequest', 'InvalidBatchEntryId', 'TooManyEntriesInBatchRequest', 'UnsupportedOperation']);

/**
 * SQS's JSON-protocol error answer, in the shape moto and SQS give it: the SDK names the error after the query code
 * of `x-amzn-query-error` (prefixed for some errors only, as SQS's model has it) and falls back to `__type`.
 */
function errorReply(code: string, message: string, fault: 'Sender' | 'Receiver' = 'Sender'): Reply {
  const queryCode = PREFIXED_QUERY_CODES.has(code) ? `AWS.SimpleQueueService.${code}` : code;
  return jsonReply(fault === 'Sender' ? 400 : 500, { __type: `com.amazonaws.sqs#${code}`, message }, { 'x-amzn-query-error': `${queryCode};${fault}` });
}

function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Sends a request on to the target as it came, with `body` in place of the original. */
function forward(target: URL, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> {
  const outHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !['host', 'content-length', 'connection', 'transfer-encoding'].includes(name)) outHeaders[name] = value;
  }
  outHeaders['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: target.hostname, port: target.port, method, path, headers: { ...outHeaders, host: target.host } },
      (res) => {
        readBody(res).then((resBody) => {
          const resHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined && !['content-length', 'connection', 'transfer-encoding'].includes(name)) {
              resHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
          }
          resolve({ status: res.statusCode ?? 502, headers: resHeaders, body: resBody });
        }, reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A `Failed` entry as SQS writes it: SenderFault a boolean (moto writes the string "true"). */
function wireFailure(failure: BatchResultErrorEntry): BatchResultErrorEntry {
  return { ...failure, SenderFault: failure.SenderFault === true || String(failure.SenderFault) === 'true' };
}

/**
 * Starts a proxy on 127.0.0.1 in front of `targetEndpoint` (moto's `http://127.0.0.1:<port>`) that applies SQS's
 * rules to SendMessage and SendMessageBatch, and passes every other request through unchanged.
 */
export async function startSqsRulesProxy(targetEndpoint: string, options: SqsRulesProxyOptions = {}): Promise<SqsRulesProxy> {
  const target = new URL(targetEndpoint);
  const refused: BatchResultErrorEntry[] = [];
  const forwarded: SqsBatchEntry[] = [];
  const batchSizes: number[] = [];
  const proxy: { inject?: FailureInjector; injectRequest?: RequestFaultInjector } = { inject: options.inject };

  const sendMessageBatch = async (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> => {
    const request = JSON.parse(body.toString('utf8')) as { Entries?: SqsBatchEntry[] } & Record<string, unknown>;
    batchSizes.push(request.Entries?.length ?? 0);
    const requestFault = proxy.injectRequest?.(request.Entries ?? []);
    if (requestFault) return errorReply(requestFault.code, requestFault.message, requestFault.fault);
    let verdict: SqsBatchVerdict<SqsBatchEntry>;
    try {
      verdict = applySqsRules(request.Entries ?? [], options);
    } catch (err) {
      if (err instanceof SqsRequestError) return errorReply(err.code, err.message);
      throw err;
    }
    const ours = [...verdict.refused];
    const valid: SqsBatchEntry[] = [];
    for (const entry of verdict.accepted) {
      const injected = proxy.inject?.(entry);
      if (injected) ours.push({ Id: entry.Id, ...injected });
      else valid.push(entry);
    }
    refused.push(...ours);
    if (valid.length === 0) return jsonReply(200, { Successful: [], Failed: ours });
    forwarded.push(...valid);
    const reply = await forward(target, method, path, headers, Buffer.from(JSON.stringify({ ...request, Entries: valid }), 'utf8'));
    if (reply.status !== 200) return reply;
    const answer = JSON.parse(reply.body.toString('utf8')) as { Successful?: unknown[]; Failed?: BatchResultErrorEntry[] };
    return jsonReply(200, { Successful: answer.Successful ?? [], Failed: [...ours, ...(answer.Failed ?? []).map(wireFailure)] }, {
      ...(reply.headers['x-amzn-requestid'] !== undefined && { 'x-amzn-requestid': reply.headers['x-amzn-requestid'] }),
    });
  };

  const sendMessage = async (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> => {
    const request = JSON.parse(body.toString('utf8')) as SqsBatchEntry & Record<string, unknown>;
    const failure = entryFailureOf({ ...request, Id: 'single' }, options) ?? proxy.inject?.({ ...request, Id: 'single' });
    if (failure) return errorReply(failure.Code, failure.Message ?? failure.Code);
    return forward(target, method, path, headers, body);
  };

  const handle = async (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> => {
    const operation = headers['x-amz-target'];
    if (operation === BATCH_TARGET) return sendMessageBatch(method, path, headers, body);
    if (operation === SINGLE_TARGET) return sendMessage(method, path, headers, body);
    // The query protocol (older SDKs) would slip past the rules unseen: refuse it instead.
    if (operation === undefined && /(^|&)Action=SendMessage/.test(body.toString('utf8'))) {
      return errorReply('UnsupportedOperation', 'the SQS rules proxy reads the JSON protocol only (X-Amz-Target); use @aws-sdk/client-sqs 3.5xx or later');
    }
    return forward(target, method, path, headers, body);
  };

  const server: Server = createServer((req, res) => {
    readBody(req)
      .then((body) => handle(req.method ?? 'POST', req.url ?? '/', req.headers, body))
      .then(
        (reply) => {
          res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
          res.end(reply.body);
        },
        (err: unknown) => {
          const reply = jsonReply(500, { __type: 'com.amazonaws.sqs#InternalError', message: `SQS rules proxy: ${String(err)}` });
          res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
          res.end(reply.body);
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    refused,
    forwarded,
    batchSizes,
    get inject() {
      return proxy.inject;
    },
    set inject(injector: FailureInjector | undefined) {
      proxy.inject = injector;
    },
    get injectRequest() {
      return proxy.injectRequest;
    },
    set injectRequest(injector: RequestFaultInjector | undefined) {
      proxy.injectRequest = injector;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
