/**
 * A demo timer callback: an SQS handler, as a Lambda consumer of the timer queue would be, that prints each
 * firing. `npm start` runs the local service with it (`--callback examples/print-firing.ts`); deployed behind
 * an SQS event source with `reportBatchItemFailures`, the same code runs on AWS unchanged.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  for (const record of event.Records) {
    const attributes = record.messageAttributes;
    const scheduledAt = Number(attributes.ScheduledAt?.stringValue);
    const lateMs = Date.now() - scheduledAt;
    console.log(
      `firing ${attributes.FiringId?.stringValue} (${attributes.TimerKind?.stringValue}) scheduled ${new Date(scheduledAt).toISOString()}, ` +
        `${lateMs} ms late, receive #${record.attributes.ApproximateReceiveCount}: ${record.body}`,
    );
  }
  // Nothing failed: an empty list acknowledges every record.
  return { batchItemFailures: [] };
}
