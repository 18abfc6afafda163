/**
 * The callback module the local benchmark loads into the runtime with `--callback`: an SQS-style handler that, for
 * every firing, records its receipt time minus its `ScheduledAt` attribute, where a user's handler would receive it.
 * Records are appended, a batch at a time, as `<scheduledAt> <latenessMs>` lines to the file named by
 * BENCH_LATENCY_FILE, which the benchmark reads as it grows. Appending off the delivery path (a 100 ms flush) keeps
 * the measurement from slowing what it measures.
 */
import * as fs from 'fs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { MessageAttribute } from '../../src/core/names';

export const LATENCY_FILE_ENV = 'BENCH_LATENCY_FILE';

const file = process.env[LATENCY_FILE_ENV];
let pending: string[] = [];

function flush(): void {
  if (pending.length === 0 || !file) return;
  const lines = pending.join('');
  pending = [];
  fs.appendFileSync(file, lines);
}

if (file) {
  setInterval(flush, 100).unref();
  process.on('exit', flush);
}

export function handler(event: SQSEvent): SQSBatchResponse {
  const receivedAt = Date.now();
  for (const record of event.Records) {
    const scheduledAt = Number(record.messageAttributes[MessageAttribute.SCHEDULED_AT]?.stringValue);
    pending.push(`${scheduledAt} ${receivedAt - scheduledAt}\n`);
  }
  return { batchItemFailures: [] };
}
