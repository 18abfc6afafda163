/**
 * The engine's `FiringQueue` on SQS: one SendMessageBatch per call, each entry delayed to its target second.
 * Core's Dispatcher packs the batches, bounds the concurrency, retries what this reports as failed and sets aside
 * what this reports as failed for good (invariant 8). Deciding which refusals are for good is this module's job.
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

export class SqsFiringQueue implements FiringQueue {
  constructor(private readonly options: SqsFiringQueueOptions) {}

  /** Resolves with SQS's `Failed` entries; a refused request (a throw) is left to the dispatcher, which retries it. */
  async sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    if (entries.length === 0) return [];
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
