/**
 * Environment variable names shared by the construct (which sets them) and the Lambda handlers (which read them).
 */
export const Envar = {
  /** Name of the DynamoDB timer table. */
  TABLE_NAME: 'TIMER_TABLE_NAME',
  /** URL of the callback SQS queue. */
  QUEUE_URL: 'TIMER_QUEUE_URL',
  /** Number of shards. */
  SHARD_COUNT: 'TIMER_SHARD_COUNT',
  /** Tick period in whole seconds; also the default timer interval. */
  PERIOD_SECONDS: 'TIMER_PERIOD_SECONDS',
  /** SendMessageBatch calls in flight per tick. */
  BATCH_CONCURRENCY: 'TIMER_BATCH_CONCURRENCY',
  /** How long the schedule index may lag a write without a firing being missed (ms, whole seconds). */
  INDEX_LAG_TOLERANCE_MS: 'TIMER_INDEX_LAG_TOLERANCE_MS',
  /** The longest a PUT takes from its start to the end of its write (ms): the API function's timeout. */
  CREATE_WITHIN_MS: 'TIMER_CREATE_WITHIN_MS',
  /** How long a fired one-shot timer still reads as fired (seconds). */
  ONESHOT_RETENTION_SECONDS: 'TIMER_ONESHOT_RETENTION_SECONDS',
} as const;
