/**
 * The engine's `FiringQueue` on SQS: one SendMessageBatch per call, each entry delayed to its target second.
 * Core's Dispatcher packs the batches, bounds the concurrency and retries what this reports as failed.
 */
// Bundled into the Lambda assets by esbuild, never loaded by the published library: a devDependency on purpose.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FiringQueue, QueueEntry } from '../core';

export interface SqsFiringQueueOptions {
  readonly client: SQSClient;
  /** The callback queue's URL. */
  readonly queueUrl: string;
}

export class SqsFiringQueue implements FiringQueue {
  constructor(private readonly options: SqsFiringQueueOptions) {}

  async sendBatch(entries: readonly QueueEntry[]): Promise<string[]> {
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
    return (out.Failed ?? []).map((failure) => failure.Id).filter((id): id is string => id !== undefined);
  }
}
