/**
 * List prices the benchmarks turn counted requests into dollars with: us-east-1, on-demand, as published on the
 * public AWS pricing pages (read when the benchmark was written; check them before quoting a figure):
 * - SQS: https://aws.amazon.com/sqs/pricing/ (standard queue, beyond the free tier; "each 64 KB chunk of a
 *   payload is billed as 1 request", so a SendMessageBatch of ten small messages is one request).
 * - DynamoDB on-demand: https://aws.amazon.com/dynamodb/pricing/on-demand/ (standard table class; a read request
 *   unit reads 4 KB strongly consistent or twice that eventually consistent, a write request unit writes 1 KB).
 * - Lambda: https://aws.amazon.com/lambda/pricing/ (x86, the architecture the construct's functions use; the first
 *   tier of duration, up to 6 billion GB-seconds a month; $0.20 per million requests). The CPU a function gets grows
 *   with its memory: one full vCPU at 1,769 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 * - EventBridge Scheduler: https://aws.amazon.com/eventbridge/pricing/ (beyond the free tier; one invocation per
 *   scheduled tick).
 */

/** USD per SQS standard-queue request (per 64 KB chunk of payload). */
export const SQS_USD_PER_REQUEST = 0.40 / 1_000_000;
/** Bytes of payload one SQS request covers; a larger request is billed as several. */
export const SQS_BILLING_CHUNK_BYTES = 64 * 1024;

/** USD per DynamoDB on-demand read request unit. */
export const DYNAMODB_USD_PER_READ_UNIT = 0.125 / 1_000_000;
/** USD per DynamoDB on-demand write request unit. */
export const DYNAMODB_USD_PER_WRITE_UNIT = 0.625 / 1_000_000;
/** Bytes one read unit covers for a strongly consistent read (half a unit when eventually consistent). */
export const DYNAMODB_READ_UNIT_BYTES = 4 * 1024;
/** Bytes one write unit covers. */
export const DYNAMODB_WRITE_UNIT_BYTES = 1024;

/** USD per GB-second of Lambda duration (x86, us-east-1, first tier). */
export const LAMBDA_USD_PER_GB_SECOND = 0.0000166667;
/** USD per Lambda invocation. */
export const LAMBDA_USD_PER_REQUEST = 0.20 / 1_000_000;
/** The memory at which a Lambda function has one full vCPU; below it, CPU is proportionally less. */
export const LAMBDA_MB_PER_VCPU = 1769;

/** USD per EventBridge Scheduler invocation. */
export const SCHEDULER_USD_PER_INVOCATION = 1.0 / 1_000_000;
