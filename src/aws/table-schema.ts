/**
 * The DynamoDB layout of the timer table, shared by the construct (which creates the table and index) and the
 * store adapter (which reads and writes it).
 *
 * - Base table, key `id`: one item per timer (its id), plus one small state item per shard (`#shard#{shardId}`;
 *   `#` cannot appear in a timer id). GET and DELETE by id are one read or write.
 * - Global secondary index `schedule` (`gsiPk`, `gsiSk`) places each timer in its shard's schedule:
 *   periodic `P#{shard}#{interval}#{phaseBucket}` / `{offset:6}#{id}`, one-shot `O#{shard}#{dueMinute}` /
 *   `{dueMs:15}#{id}`. A tick reads a window with one range Query per bucket it touches; phase buckets keep any
 *   one index partition to a minute of offsets.
 * - `ttl` (epoch seconds) lets DynamoDB drop fired one-shots for free (invariant 1: no write per firing).
 * - A timer item holds `id`, the two index keys, `data`, `createdAt`, and `startAt`/`endAt` or `ttl`: nothing the
 *   keys already say, so each item a tick reads is as small as it can be.
 */
export const TableSchema = {
  PARTITION_KEY: 'id',
  INDEX_NAME: 'schedule',
  INDEX_PARTITION_KEY: 'gsiPk',
  INDEX_SORT_KEY: 'gsiSk',
  TTL_ATTRIBUTE: 'ttl',
  /** Width of a phase bucket of periodic offsets, in seconds. */
  PHASE_BUCKET_SECONDS: 60,
  /** Prefix of the shard state items' ids. */
  SHARD_ITEM_PREFIX: '#shard#',
} as const;

/**
 * Non-key attributes the index projects: what a tick needs to dispatch a timer beyond its keys (kind, shard,
 * interval, offset and due instant are read from the index keys themselves).
 */
export const INDEX_PROJECTED_ATTRIBUTES = ['data', 'createdAt', 'startAt', 'endAt', 'ttl'];
