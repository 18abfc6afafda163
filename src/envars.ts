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
  /** How long a tick waits after claiming its shard before reading the index (ms). */
  SETTLE_MS: 'TIMER_SETTLE_MS',
  /** How long a tick may start new windows (ms); set from the tick function's timeout. */
  TICK_BUDGET_MS: 'TIMER_TICK_BUDGET_MS',
  /** How long a fired one-shot timer still reads as fired (seconds). */
  ONESHOT_RETENTION_SECONDS: 'TIMER_ONESHOT_RETENTION_SECONDS',
} as const;
