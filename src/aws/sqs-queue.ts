/**
 * The engine's `FiringQueue` on SQS: one SendMessageBatch per call, each entry delayed to its target second.
 * Core's Dispatcher packs the batches, bounds the concurrency, retries what this reports as failed and sets aside
 * what this reports as failed for good (invariant 8). Deciding which refusals are for good is this module's job, for
 * a `Failed` entry of SQS's answer and for a whole request SQS refuses because of what one of its entries holds.
 */
// Bundled into the Lambda assets by esbuild, never loaded by the published library: a devDependency on purpose.
import { BatchResultErrorEntry, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FiringQueue, QueueEntry, QueueFailure } from '../core';

export interface SqsFiringQueueOptions {
  readonly client: SQSClient;
  /** The callback queue's URL. */
  readonly queueUrl: string;
}

/**
 * Per-entry error codes that say the entry itself (its body, an attribute, its size or one of its parameters) is what
 * SQS refuses, so that sending the same entry again can never succeed.
 *
 * - `InvalidMessageContents`: a body character outside #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF (the
 *   SendMessageBatch reference, also in the installed @aws-sdk/client-sqs's SendMessageBatchCommand docs: "Amazon SQS
 *   rejects the message and returns an InvalidMessageContents error").
 * - `InvalidParameterValue`: what SQS answers for an entry over the queue's MaximumMessageSize ("Message must be
 *   shorter than N bytes", localstack/localstack#8570 and #9981 quoting AWS) or an out-of-range DelaySeconds (moto
 *   answers that one the same way).
 * - `InvalidAttributeName`, `InvalidAttributeValue`: SQS's reference defines them for queue attributes; in the
 *   `Failed` answer of one entry, which sets none, they can only be about that entry's message attributes.
 * - `MessageTooLong`: not in SQS's SendMessageBatch reference, but about nothing but the entry's size should SQS or
 *   an emulator answer it.
 *
 * Everything else is retried, SenderFault or not: throttling (`RequestThrottled` comes as a sender fault,
 * vectordotdev/vector#9005; so may KMS throttling, aws-samples/sample-voice-of-customer-datalake#304), the `Kms*` and
 * `KMS.*` faults of a key that is disabled or not granted, `AccessDenied`, a queue that does not exist. Those are the
 * deployment's faults, not the entry's: every entry would be refused alike, so dropping them would drop every firing,
 * while holding the shard keeps them (counted as send failures, then as late firings) until the deployment is repaired.
 */
const ENTRY_CONTENT_CODES: ReadonlySet<string> = new Set([
  'InvalidMessageContents',
  'InvalidParameterValue',
  'MessageTooLong',
  'InvalidAttributeName',
  'InvalidAttributeValue',
]);

/**
 * `InvalidParameterValue` also names a parameter the queue's type does not take (DelaySeconds on a FIFO queue,
 * suredone/qdone#55: "The request include parameter that is not valid for this queue type"): a fault of the
 * deployment that every entry shares, so it holds the shard instead.
 */
const QUEUE_CONFIGURATION_FAULT = /not valid for this queue type/i;

/** The code as SQS's reference names it, without the query protocol's prefix or an emulator's `Exception` suffix. */
function bareCode(code: string): string {
  return code.replace(/^AWS\.SimpleQueueService\./, '').replace(/Exception$/, '');
}

/** Whether SQS refused this entry for good: a sender fault that is about the entry's own content. */
export function isPermanentSqsFailure(failure: Pick<BatchResultErrorEntry, 'Code' | 'Message' | 'SenderFault'>): boolean {
  // An emulator may answer SenderFault as the string "true"; SQS answers a boolean.
  const senderFault = failure.SenderFault === true || String(failure.SenderFault) === 'true';
  if (!senderFault || failure.Code === undefined) return false;
  const code = bareCode(failure.Code);
  if (!ENTRY_CONTENT_CODES.has(code)) return false;
  return !(code === 'InvalidParameterValue' && QUEUE_CONFIGURATION_FAULT.test(failure.Message ?? ''));
}

/** A `Failed` entry of SendMessageBatch's answer, as the engine's port reports it. */
export function queueFailureOf(failure: BatchResultErrorEntry): QueueFailure {
  return {
    id: failure.Id ?? '',
    ...(failure.Code !== undefined && { code: failure.Code }),
    ...(failure.Message !== undefined && { message: failure.Message }),
    permanent: isPermanentSqsFailure(failure),
  };
}

/**
 * Codes of a refused request that, for a request holding one entry, can only be about that entry: the content codes
 * above, and `BatchRequestTooLong`, which a batch of one gets when the entry alone is over SQS's 1 MiB per request.
 */
const ALONE_CONTENT_CODES: ReadonlySet<string> = new Set([...ENTRY_CONTENT_CODES, 'BatchRequestTooLong']);

/**
 * Codes of a refused request that say nothing about its entries: throttling and limits (SQS's `RequestThrottled`,
 * `OverLimit`, the SDK's throttling names), the credentials and the signature, the queue (missing, deleted, an
 * address or an operation it does not take), and KMS (`Kms*` in the JSON protocol, `KMS.*` in the query protocol).
 * Every entry would meet them alike, so the request is thrown as it is, for the dispatcher to retry.
 */
const DEPLOYMENT_OR_THROTTLING_CODE = new RegExp([
  'throttl', 'toomanyrequests', 'slowdown', 'limitexceeded', '^OverLimit$',
  'AccessDenied', 'InvalidSecurity', 'UnrecognizedClient', 'InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch',
  'IncompleteSignature', 'MissingAuthenticationToken', 'ExpiredToken', 'RequestExpired', 'AuthFailure', 'OptInRequired',
  'QueueDoesNotExist', 'NonExistentQueue', 'QueueDeletedRecently', 'ResourceNotFound', '^InvalidAddress$', '^UnsupportedOperation$',
  '^Kms', '^KMS\\.',
].join('|'), 'i');

/**
 * A refused request whose message names the queue (its URL, its type) is about the queue, whatever its code: e.g.
 * `InvalidParameterValue` for a malformed QueueUrl, or for a parameter the queue's type does not take. Holding the
 * shard is the safe way to be wrong, since setting entries aside loses their firings.
 */
const ABOUT_THE_QUEUE = /queue/i;

interface ThrownServiceError {
  readonly name?: string;
  readonly message?: string;
  /** The query protocol's code, which the SDK adds for SQS's JSON protocol (e.g. `AWS.SimpleQueueService.BatchRequestTooLong`). */
  readonly Code?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

function codeOfThrown(err: ThrownServiceError): string {
  return bareCode(err.Code ?? err.name ?? '');
}

/**
 * Whether SQS refused a whole SendMessageBatch for something one or more of its entries hold (e.g.
 * `BatchRequestTooLong`, `InvalidMessageContents`, `InvalidParameterValue` about an entry), so that the entries sent
 * one by one are each accepted or refused for their own content. True only for a service's client fault that is not
 * throttling and not about the queue, the credentials or KMS; a network error or a timeout is none of these.
 */
export function isEntryRequestFault(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ThrownServiceError;
  const status = e.$metadata?.httpStatusCode;
  const clientFault = e.$fault === 'client' || (status !== undefined && status >= 400 && status < 500);
  if (!clientFault || status === 429 || e.$retryable?.throttling) return false;
  const code = codeOfThrown(e);
  if (code === '' || DEPLOYMENT_OR_THROTTLING_CODE.test(code) || DEPLOYMENT_OR_THROTTLING_CODE.test(e.name ?? '')) return false;
  return !ABOUT_THE_QUEUE.test(e.message ?? '');
}

/** A refused request of one entry, as the engine's port reports that entry: for good when the code is about content. */
export function queueFailureOfThrown(id: string, err: unknown): QueueFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ThrownServiceError;
  const code = e.name ?? (e.Code !== undefined ? bareCode(e.Code) : undefined);
  return {
    id,
    ...(code !== undefined && { code }),
    message: e.message ?? String(err),
    permanent: isEntryRequestFault(err) && ALONE_CONTENT_CODES.has(codeOfThrown(e)),
  };
}

export class SqsFiringQueue implements FiringQueue {
  constructor(private readonly options: SqsFiringQueueOptions) {}

  /**
   * Resolves with SQS's `Failed` entries. A request SQS refuses because of what an entry holds is sent again entry by
   * entry, so that the entry at fault is reported for good (the dispatcher sets it aside) and the others go through:
   * retrying the whole batch would be refused again on every attempt and every tick, holding the shard for good. Any
   * other refused request (throttling, a server fault, KMS, access, a missing queue, a timeout) is thrown, for the
   * dispatcher to retry.
   */
  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    if (entries.length === 0) return [];
    try {
      return await this.send(entries);
    } catch (err) {
      if (!isEntryRequestFault(err)) throw err;
      if (entries.length === 1) {
        const failure = queueFailureOfThrown(entries[0].id, err);
        if (!failure.permanent) throw err;
        return [failure];
      }
      return this.sendEachAlone(entries);
    }
  }

  /**
   * One request per entry, in order. An entry refused alone for its content is reported for good; one refused for
   * something else that is still about it, for a retry. A refusal about anything but the entry (throttling, the
   * queue, a timeout) ends the round: the entries not yet sent are reported for a retry with it, since each would
   * meet it too.
   */
  private async sendEachAlone(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    const failures: QueueFailure[] = [];
    for (let i = 0; i < entries.length; i++) {
      try {
        failures.push(...(await this.send([entries[i]])));
      } catch (err) {
        failures.push(queueFailureOfThrown(entries[i].id, err));
        if (!isEntryRequestFault(err)) {
          for (const rest of entries.slice(i + 1)) failures.push(queueFailureOfThrown(rest.id, err));
          break;
        }
      }
    }
    return failures;
  }

  private async send(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    const out = await this.options.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.options.queueUrl,
        Entries: entries.map((entry) => ({
          Id: entry.id,
          MessageBody: entry.body,
          DelaySeconds: entry.delaySeconds,
          MessageAttributes: Object.fromEntries(
            Object.entries(entry.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
          ),
        })),
      }),
    );
    const failed = out.Failed;
    return failed === undefined || failed.length === 0 ? [] : failed.map(queueFailureOf);
  }
}
