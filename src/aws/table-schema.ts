/**
 * The DynamoDB layout of the timer table, shared by the construct (which creates the table and index) and the
 * store adapter (which reads and writes it).
 *
 * - Base table, key `id`: one item per timer (its id), plus small bookkeeping items whose ids start with `#`, which
 *   no timer id can hold: one state item per shard (`#shard#{shardId}`: watermark, lease, cursor) and one registry
 *   item per interval in use in a shard (`#iv#{shardId}#{interval}`). GET and DELETE by id are one read or write.
 * - Global secondary index `schedule` (`gsiPk`, `gsiSk`) places each timer in its shard's schedule:
 *   periodic `P#{shard}#{interval}#{phaseBucket}#{spread}` / `{offset:6}#{id}`, one-shot
 *   `O#{shard}#{dueMinute}#{spread}` / `{dueMs:15}#{id}`, cron `C#{shard}#{dueMinute}#{spread}` / `{dueMs:15}#{id}`
 *   (placed by its next firing, and moved on by the tick that sends it), and the interval registry `I#{shard}` /
 *   `{interval:6}`.
 *   A tick reads a window with one range Query per (bucket, spread) it touches, in a fixed order; phase buckets keep
 *   any one index partition to a minute of offsets.
 * - Write sharding: `spread` is a stable hash of the id modulo `SPREAD_PARTITIONS`. One partition key takes at most
 *   1,000 write units per second, and a write of an item of k KB (rounded up) costs k units in the index as in the
 *   table, so timers that share a partition key cap creates at 1,000 / k per second; a throttled index write
 *   throttles the table write with it. Without spread, every one-shot created for the same minute of a shard, and
 *   every periodic timer of one interval up to a minute (one phase bucket holds all its offsets), share one key: about
 *   1,000 creates/s per shard. With 10 spread partitions: creates/s per shard ~ 10 x 1,000 / item-KB, 10,000/s for
 *   items up to 1 KB, which is API Gateway's default account limit. The price is on the read side: a window costs a
 *   tick 10 Queries per bucket instead of one, each at least 0.5 read units (a minute-period shard: about 20 Queries
 *   per window for one interval and the one-shots, ~0.1 read units/s).
 * - `ttl` (epoch seconds) lets DynamoDB drop fired one-shots, ended periodic timers and unused registry items for
 *   free (invariant 1: no write per firing of a periodic or one-shot timer; a cron timer's tick writes it once per
 *   span it sends ahead, see DESIGN.md).
 * - A periodic timer past its end is retired by a tick: its index keys move to `endedPk`/`endedSk`, which no index
 *   holds, so no tick reads it again, while GET still reads it (as `ended`) until its TTL removes it.
 * - A timer item holds `id`, the two index keys, `data`, `createdAt`, `tickFrom`, and `startAt`/`endAt` and `ttl`
 *   (and a cron timer's `cron` and `timeZone`; `pausedAt` while paused, `missedFirings` unless it is `all`): nothing the keys already say, so each item a tick reads is as small
 *   as it can be. A cron timer with no firing left keeps its keys in `endedPk`/`endedSk`, like a retired one.
 */
export const TableSchema = {
  PARTITION_KEY: 'id',
  INDEX_NAME: 'schedule',
  INDEX_PARTITION_KEY: 'gsiPk',
  INDEX_SORT_KEY: 'gsiSk',
  TTL_ATTRIBUTE: 'ttl',
  /** Where a retired periodic timer keeps its index keys, outside the index. */
  ENDED_PARTITION_KEY: 'endedPk',
  ENDED_SORT_KEY: 'endedSk',
  /** Width of a phase bucket of periodic offsets, in seconds. */
  PHASE_BUCKET_SECONDS: 60,
  /** Width of a bucket of one-shot due instants, in ms. */
  DUE_BUCKET_MS: 60_000,
  /** Index partitions each bucket is spread over by a hash of the id (the arithmetic is above). */
  SPREAD_PARTITIONS: 10,
  /** Prefix of the shard state items' ids. */
  SHARD_ITEM_PREFIX: '#shard#',
  /** Prefix of the interval registry items' ids: `#iv#{shardId}#{interval}`. */
  INTERVAL_ITEM_PREFIX: '#iv#',
} as const;

/**
 * Non-key attributes the index projects: what a tick needs to dispatch a timer beyond its keys (kind, shard,
 * interval, offset and due instant are read from the index keys themselves), and the registry items' `ttl`.
 */
export const INDEX_PROJECTED_ATTRIBUTES = ['data', 'createdAt', 'tickFrom', 'startAt', 'endAt', 'ttl', 'cron', 'timeZone', 'pausedAt', 'missedFirings'];
