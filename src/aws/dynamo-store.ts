/**
 * The engine's `TimerStore` on DynamoDB: the AWS face's storage adapter, called by the API and tick Lambdas
 * through core's `TimerApi` and `Ticker`. It follows the layout in `table-schema.ts` and uses only GetItem, PutItem,
 * UpdateItem, DeleteItem and Query on the `schedule` index; a tick needs GetItem, UpdateItem and Query alone.
 *
 * Designed against DynamoDB's limits rather than an emulator's: one partition key takes 1,000 write and 3,000 read
 * units per second, so no create writes or strongly reads a per-shard item (the interval registry is written at most
 * once an hour per API container, the shard state only by ticks) and the schedule index is spread over
 * `SPREAD_PARTITIONS` keys per bucket; index reads lag writes by an unbounded time, which the engine tolerates
 * (`indexLagToleranceMs`); Query pages stop at 1 MB and are streamed, never gathered.
 */
// Bundled into the Lambda assets by esbuild, never loaded by the published library: a devDependency on purpose.
import {
  AttributeValue,
  ConditionalCheckFailedException,
  ConsumedCapacity,
  CreateTableCommandInput,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CronAdvance, CronTimer, OneShotTimer, PeriodicTimer, ShardClaim, ShardState, Timer, TimerPage, TimerPages, TimerStore, seededHash,
} from '../core';
import { INDEX_PROJECTED_ATTRIBUTES, TableSchema } from './table-schema';

const {
  PARTITION_KEY,
  INDEX_NAME,
  INDEX_PARTITION_KEY,
  INDEX_SORT_KEY,
  TTL_ATTRIBUTE,
  ENDED_PARTITION_KEY,
  ENDED_SORT_KEY,
  PHASE_BUCKET_SECONDS,
  DUE_BUCKET_MS,
  SPREAD_PARTITIONS,
  SHARD_ITEM_PREFIX,
  INTERVAL_ITEM_PREFIX,
} = TableSchema;

/** Offsets and intervals are at most 7 days in seconds (6 digits); due instants are epoch ms (13 digits today). */
const OFFSET_WIDTH = 6;
const DUE_WIDTH = 15;
/**
 * Sorts after `#` (the separator before the id) and before any digit, so `{key}$` is an upper bound for every
 * sort key `{key}#{id}` in a BETWEEN.
 */
const AFTER_SEPARATOR = '$';

const DAY_MS = 24 * 3600 * 1000;
/** A registry item lives this long beyond its interval after its last write. */
const REGISTRY_LIFETIME_MS = 14 * DAY_MS;
/** A tick rewrites a registry item whose expiry is nearer than this beyond its interval: at most about once a day. */
const REGISTRY_KEEP_MS = 13 * DAY_MS;
/** An API container rewrites a registry item it wrote (or saw) at most this often. */
const REGISTRY_REFRESH_HORIZON_MS = 3600 * 1000;
/** Registry expiries remembered per store instance; beyond it the memory is dropped and rebuilt by writes. */
const MAX_REMEMBERED_INTERVALS = 10_000;
/** UpdateItems in flight when retiring ended timers or refreshing registry items. */
const WRITE_CONCURRENCY = 10;

type Item = Record<string, AttributeValue>;

export interface DynamoTimerStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * Items per Query page. DynamoDB pages at 1 MB anyway; a small limit makes paging observable in tests.
   * @default - no limit (1 MB pages)
   */
  readonly queryPageLimit?: number;
  /**
   * Receives the capacity each request consumed (ReturnConsumedCapacity TOTAL), e.g. to count read units in a
   * benchmark. @default - capacity is not requested
   */
  readonly onConsumedCapacity?: (operation: string, capacity: ConsumedCapacity) => void;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Seeded apart from core's shard and offset hashes, so the three are independent. */
const SPREAD_SEED = 0x3c6ef372;

/** Which of a bucket's index partitions holds a timer: stable for an id, even across its kinds. */
export function spreadOf(id: string): number {
  return seededHash(id, SPREAD_SEED) % SPREAD_PARTITIONS;
}

function shardKey(shardId: string): Item {
  return { [PARTITION_KEY]: { S: `${SHARD_ITEM_PREFIX}${shardId}` } };
}

function bucketPartition(shardId: string, interval: number, bucket: number, spread: number): string {
  return `P#${shardId}#${interval}#${bucket}#${spread}`;
}

/** `O` for one-shots, `C` for cron timers: both are placed by a due instant (fireAt, dueAt). */
type DuePrefix = 'O' | 'C';

function minutePartition(shardId: string, minute: number, spread: number, prefix: DuePrefix = 'O'): string {
  return `${prefix}#${shardId}#${minute}#${spread}`;
}

function registryPartition(shardId: string): string {
  return `I#${shardId}`;
}

/** The index partition of a periodic timer: its shard, interval, minute-wide bucket of offsets and spread. */
export function periodicPartition(shardId: string, interval: number, offset: number, id: string): string {
  return bucketPartition(shardId, interval, Math.floor(offset / PHASE_BUCKET_SECONDS), spreadOf(id));
}

/** The index partition of a one-shot timer: its shard, the minute it is due and its spread. */
export function oneShotPartition(shardId: string, fireAt: number, id: string): string {
  return minutePartition(shardId, Math.floor(fireAt / DUE_BUCKET_MS), spreadOf(id));
}

function n(value: number): AttributeValue {
  return { N: String(value) };
}

function num(item: Item, name: string): number | undefined {
  const value = item[name]?.N;
  return value === undefined ? undefined : Number(value);
}

function str(item: Item, name: string): string | undefined {
  return item[name]?.S;
}

function required<T>(value: T | undefined, name: string, item: Item): T {
  if (value === undefined) {
    throw new Error(`timer item ${JSON.stringify(item[PARTITION_KEY]?.S)} has no "${name}" attribute: the table holds an item this store did not write`);
  }
  return value;
}

/** Rounded up, so the item outlives `ms` rather than vanish before it. */
function ttlOf(ms: number): AttributeValue {
  return n(Math.ceil(ms / 1000));
}

/** The index partition of a cron timer: its shard, the minute of its next firing and its spread. */
export function cronPartition(shardId: string, dueAt: number, id: string): string {
  return minutePartition(shardId, Math.floor(dueAt / DUE_BUCKET_MS), spreadOf(id), 'C');
}

/** Where a cron timer is placed: its next firing, or for one that has ended, the last place it had. */
function cronDue(timer: CronTimer): number {
  return timer.dueAt ?? timer.tickFrom;
}

function sortKeyOf(timer: Timer): string {
  if (timer.kind === 'periodic') return `${pad(timer.offset, OFFSET_WIDTH)}#${timer.id}`;
  return `${pad(timer.kind === 'oneshot' ? timer.fireAt : cronDue(timer), DUE_WIDTH)}#${timer.id}`;
}

function partitionOf(timer: Timer): string {
  if (timer.kind === 'periodic') return periodicPartition(timer.shardId, timer.interval, timer.offset, timer.id);
  return timer.kind === 'oneshot' ? oneShotPartition(timer.shardId, timer.fireAt, timer.id) : cronPartition(timer.shardId, cronDue(timer), timer.id);
}

/**
 * The item of a timer: base key, index keys, and only what the keys cannot say. Kind, shard, interval, offset and
 * due instant live in the index keys and are read back from them: a smaller item is fewer read units per firing and
 * less to parse in every Query page a tick reads.
 */
export function timerToItem(timer: Timer): Item {
  // A cron timer with no firing left is stored out of the index, as a tick leaves one (`advanceCronTimers`).
  const indexed = timer.kind !== 'cron' || timer.dueAt !== undefined;
  const item: Item = {
    [PARTITION_KEY]: { S: timer.id },
    [indexed ? INDEX_PARTITION_KEY : ENDED_PARTITION_KEY]: { S: partitionOf(timer) },
    [indexed ? INDEX_SORT_KEY : ENDED_SORT_KEY]: { S: sortKeyOf(timer) },
    data: { S: timer.data },
    createdAt: n(timer.createdAt),
    tickFrom: n(timer.tickFrom),
  };
  if (timer.kind !== 'oneshot') {
    if (timer.startAt !== undefined) item.startAt = n(timer.startAt);
    if (timer.endAt !== undefined) item.endAt = n(timer.endAt);
  }
  if (timer.kind === 'cron') {
    item.cron = { S: timer.cron };
    item.timeZone = { S: timer.timeZone };
  }
  if (timer.expiresAt !== undefined) item[TTL_ATTRIBUTE] = ttlOf(timer.expiresAt);
  if (timer.pausedAt !== undefined) item.pausedAt = n(timer.pausedAt);
  if (timer.missedFirings !== undefined) item.missedFirings = { S: timer.missedFirings };
  return item;
}

/**
 * `P#{shard}#{interval}#{bucket}#{spread}`, `O#{shard}#{minute}#{spread}` or `C#...` alike, split, with the sort key; from the index
 * keys, or for a retired timer from where it keeps them. Undefined for anything else (shard state, registry).
 */
function timerKeys(item: Item): { parts: string[]; sortKey: string; indexed: boolean } | undefined {
  const live = str(item, INDEX_PARTITION_KEY);
  const partition = live ?? str(item, ENDED_PARTITION_KEY);
  const sortKey = live !== undefined ? str(item, INDEX_SORT_KEY) : str(item, ENDED_SORT_KEY);
  const parts = partition?.split('#');
  if (!parts || sortKey === undefined) return undefined;
  if ((parts[0] === 'P' && parts.length === 5) || ((parts[0] === 'O' || parts[0] === 'C') && parts.length === 4)) {
    return { parts, sortKey, indexed: live !== undefined };
  }
  return undefined;
}

/** The number before the `#{id}` of an index sort key. */
function sortKeyNumber(sortKey: string): number | undefined {
  const value = Number(sortKey.slice(0, sortKey.indexOf('#')));
  return sortKey.includes('#') && Number.isFinite(value) ? value : undefined;
}

/** `pausedAt` and `missedFirings` of an item, where it has them. */
function optionalBase(item: Item): Pick<Timer, 'pausedAt' | 'missedFirings'> {
  const pausedAt = num(item, 'pausedAt');
  const missedFirings = str(item, 'missedFirings');
  return {
    ...(pausedAt !== undefined && { pausedAt }),
    ...((missedFirings === 'latest' || missedFirings === 'none') && { missedFirings }),
  };
}

/** The timer of an item from the table or the index; undefined for items that are not timers (shard state, registry). */
export function itemToTimer(item: Item | undefined): Timer | undefined {
  const keys = item && timerKeys(item);
  if (!item || !keys) return undefined;
  const { parts, sortKey } = keys;
  const createdAt = required(num(item, 'createdAt'), 'createdAt', item);
  const base = {
    id: required(str(item, PARTITION_KEY), PARTITION_KEY, item),
    shardId: parts[1],
    data: required(str(item, 'data'), 'data', item),
    createdAt,
    // Written by every version that has a `tickFrom`; a tick owes an item without one every firing since its creation.
    tickFrom: num(item, 'tickFrom') ?? createdAt,
    ...optionalBase(item),
  };
  const keyNumber = required(sortKeyNumber(sortKey), INDEX_SORT_KEY, item);
  const ttl = num(item, TTL_ATTRIBUTE);
  if (parts[0] === 'P') {
    const startAt = num(item, 'startAt');
    const endAt = num(item, 'endAt');
    const timer: PeriodicTimer = {
      ...base,
      kind: 'periodic',
      interval: Number(parts[2]),
      offset: keyNumber,
      ...(startAt !== undefined && { startAt }),
      ...(endAt !== undefined && { endAt }),
      ...(ttl !== undefined && { expiresAt: ttl * 1000 }),
    };
    return timer;
  }
  if (parts[0] === 'C') {
    const startAt = num(item, 'startAt');
    const endAt = num(item, 'endAt');
    const timer: CronTimer = {
      ...base,
      kind: 'cron',
      cron: required(str(item, 'cron'), 'cron', item),
      timeZone: required(str(item, 'timeZone'), 'timeZone', item),
      ...(startAt !== undefined && { startAt }),
      ...(endAt !== undefined && { endAt }),
      ...(keys.indexed && { dueAt: keyNumber }),
      ...(ttl !== undefined && { expiresAt: ttl * 1000 }),
    };
    return timer;
  }
  const timer: OneShotTimer = {
    ...base,
    kind: 'oneshot',
    fireAt: keyNumber,
    // A paused one-shot has no expiry.
    ...(base.pausedAt === undefined ? { expiresAt: required(ttl, TTL_ATTRIBUTE, item) * 1000 } : ttl !== undefined && { expiresAt: ttl * 1000 }),
  };
  return timer;
}

function itemToShardState(shardId: string, item: Item | undefined): ShardState | undefined {
  const watermark = item && num(item, 'watermark');
  if (!item || watermark === undefined) return undefined;
  const leaseOwner = str(item, 'leaseOwner');
  const leaseUntil = num(item, 'leaseUntil');
  const cursor = str(item, 'cursor');
  return {
    shardId,
    watermark,
    ...(leaseOwner !== undefined && { leaseOwner }),
    ...(leaseUntil !== undefined && { leaseUntil }),
    ...(cursor !== undefined && { cursor }),
  };
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';
}

/**
 * A read position: the bucket (phase bucket or due minute) and spread partition of the timer it follows, and that
 * timer's index sort key (which ends with its id, the base key). `{bucket}:{spread}:{sortKey}`.
 */
interface Position {
  readonly bucket: number;
  readonly spread: number;
  readonly sortKey: string;
}

function encodePosition(position: Position): string {
  return `${position.bucket}:${position.spread}:${position.sortKey}`;
}

function decodePosition(raw: string): Position | undefined {
  const match = /^(\d+):(\d+):(\d+#.+)$/.exec(raw);
  if (!match) return undefined;
  return { bucket: Number(match[1]), spread: Number(match[2]), sortKey: match[3] };
}

/** One bucket of a read: its number and the inclusive range of sort keys the read wants from it. */
interface BucketRange {
  readonly bucket: number;
  readonly sortFrom: string;
  readonly sortTo: string;
}

/** One Query page of a partition: its timers with their index sort keys, and where the next page starts. */
interface QueriedPage {
  readonly timers: Timer[];
  readonly sortKeys: string[];
  readonly lastKey?: Item;
}

/** Runs `task` over `items`, at most `limit` at a time; rejects with the first failure once every task has settled. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/** The CreateTable input of the timer table, for tests and benchmarks (the construct declares the same). */
export function timerTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: INDEX_PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: INDEX_SORT_KEY, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEX_NAME,
        KeySchema: [
          { AttributeName: INDEX_PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: INDEX_SORT_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...INDEX_PROJECTED_ATTRIBUTES] },
      },
    ],
  };
}

export class DynamoTimerStore implements TimerStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly capacity: { ReturnConsumedCapacity?: 'TOTAL' };
  /** When each registry item this instance wrote or read expires (epoch ms), by `{shardId}#{interval}`. */
  private readonly registryExpiry = new Map<string, number>();

  constructor(private readonly options: DynamoTimerStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.capacity = options.onConsumedCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {};
    if (options.queryPageLimit !== undefined && (!Number.isInteger(options.queryPageLimit) || options.queryPageLimit < 1)) {
      throw new Error(`queryPageLimit must be a whole number of at least 1, got ${options.queryPageLimit}`);
    }
  }

  private report(operation: string, capacity: ConsumedCapacity | undefined): void {
    if (capacity) this.options.onConsumedCapacity?.(operation, capacity);
  }

  /** An UpdateItem; false when its condition failed. */
  private async update(input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<Item | undefined | false> {
    try {
      const out = await this.client.send(new UpdateItemCommand({ TableName: this.tableName, ...input, ...this.capacity }));
      this.report('UpdateItem', out.ConsumedCapacity);
      return out.Attributes;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async putTimer(timer: Timer): Promise<void> {
    const out = await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: timerToItem(timer), ...this.capacity }));
    this.report('PutItem', out.ConsumedCapacity);
  }

  /** A PutItem conditional on the `createdAt`, `tickFrom` and `pausedAt` read. */
  async replaceTimer(expected: Timer, next: Timer): Promise<boolean> {
    const values: Item = { ':createdAt': n(expected.createdAt), ':tickFrom': n(expected.tickFrom) };
    let paused = 'attribute_not_exists(pausedAt)';
    if (expected.pausedAt !== undefined) {
      values[':pausedAt'] = n(expected.pausedAt);
      paused = 'pausedAt = :pausedAt';
    }
    try {
      const out = await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: timerToItem(next),
        ConditionExpression: `createdAt = :createdAt AND tickFrom = :tickFrom AND ${paused}`,
        ExpressionAttributeValues: values,
        ...this.capacity,
      }));
      this.report('PutItem', out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async getTimer(id: string): Promise<Timer | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [PARTITION_KEY]: { S: id } }, ConsistentRead: true, ...this.capacity }),
    );
    this.report('GetItem', out.ConsumedCapacity);
    return itemToTimer(out.Item);
  }

  async deleteTimer(id: string): Promise<Timer | undefined> {
    const out = await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: { [PARTITION_KEY]: { S: id } }, ReturnValues: 'ALL_OLD', ...this.capacity }),
    );
    this.report('DeleteItem', out.ConsumedCapacity);
    return itemToTimer(out.Attributes);
  }

  // --- The interval registry -----------------------------------------------------------------------------------
  //
  // One small item per (shard, interval) in use, `#iv#{shard}#{interval}`, in the index under `I#{shard}` so that a
  // tick lists a shard's intervals with one Query. It replaces a set on the shard item, which every periodic PUT
  // wrote (a hot key capping creates near 1,000/s per shard) and which only grew (toward the 400 KB item limit).
  //
  // Bounded and self-pruning: each item is a few dozen bytes, there is at most one per interval in use (at most one
  // per whole second up to 7 days), and each carries a TTL of its last write + interval + 14 days. The API writes it
  // before the first timer of its interval, then at most once an hour per container; a tick that finds timers of an
  // interval rewrites it once its expiry is less than interval + 13 days away (so about daily, and a tick finds
  // every live timer of an interval within one interval). An interval no timer uses any more is not rewritten, its
  // item expires, and once DynamoDB removes it no tick queries that interval again. A shard not ticked for 13 days
  // would let its registry lapse: the heartbeat alarm pages long before.

  private registryKey(shardId: string, interval: number): string {
    return `${shardId}#${interval}`;
  }

  private remember(shardId: string, interval: number, expiresAt: number): void {
    if (this.registryExpiry.size >= MAX_REMEMBERED_INTERVALS) this.registryExpiry.clear();
    this.registryExpiry.set(this.registryKey(shardId, interval), expiresAt);
  }

  private async writeRegistry(shardId: string, interval: number, nowMs: number): Promise<void> {
    const ttl = ttlOf(nowMs + interval * 1000 + REGISTRY_LIFETIME_MS);
    // An UpdateItem rather than a PutItem, so a tick refreshing it needs no PutItem permission.
    await this.update({
      Key: { [PARTITION_KEY]: { S: `${INTERVAL_ITEM_PREFIX}${shardId}#${interval}` } },
      UpdateExpression: 'SET #pk = :pk, #sk = :sk, #ttl = :ttl',
      ExpressionAttributeNames: { '#pk': INDEX_PARTITION_KEY, '#sk': INDEX_SORT_KEY, '#ttl': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':pk': { S: registryPartition(shardId) }, ':sk': { S: pad(interval, OFFSET_WIDTH) }, ':ttl': ttl },
    });
    this.remember(shardId, interval, Number(ttl.N) * 1000);
  }

  async registerInterval(shardId: string, intervalSeconds: number, nowMs: number): Promise<void> {
    const expiry = this.registryExpiry.get(this.registryKey(shardId, intervalSeconds));
    // Written (or seen) within the horizon: the item exists, and outlives any timer written meanwhile by 13 days.
    if (expiry !== undefined && expiry >= nowMs + intervalSeconds * 1000 + REGISTRY_LIFETIME_MS - REGISTRY_REFRESH_HORIZON_MS) return;
    await this.writeRegistry(shardId, intervalSeconds, nowMs);
  }

  async listIntervals(shardId: string): Promise<number[]> {
    const intervals: number[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX_NAME,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEX_PARTITION_KEY },
          ExpressionAttributeValues: { ':pk': { S: registryPartition(shardId) } },
          ExclusiveStartKey: startKey,
          ...this.capacity,
        }),
      );
      this.report('Query', out.ConsumedCapacity);
      for (const item of out.Items ?? []) {
        const interval = Number(str(item, INDEX_SORT_KEY));
        if (!Number.isInteger(interval) || interval < 1) continue;
        intervals.push(interval);
        // An expired item DynamoDB has not removed yet is still listed: its timers, if any, are read and keep it.
        const ttl = num(item, TTL_ATTRIBUTE);
        if (ttl !== undefined) this.remember(shardId, interval, ttl * 1000);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    // The sort keys are zero-padded, so the index returns them ascending already; sort anyway, for the contract.
    return intervals.sort((a, b) => a - b);
  }

  async keepIntervals(shardId: string, intervals: readonly number[], nowMs: number): Promise<void> {
    const due = intervals.filter((interval) => {
      const expiry = this.registryExpiry.get(this.registryKey(shardId, interval));
      return expiry === undefined || expiry < nowMs + interval * 1000 + REGISTRY_KEEP_MS;
    });
    await forEachLimited(due, WRITE_CONCURRENCY, (interval) => this.writeRegistry(shardId, interval, nowMs));
  }

  // --- Shard state: watermark, lease and cursor, a few hundred bytes at most -----------------------------------

  async getShardState(shardId: string): Promise<ShardState | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: shardKey(shardId), ConsistentRead: true, ...this.capacity }),
    );
    this.report('GetItem', out.ConsumedCapacity);
    return itemToShardState(shardId, out.Item);
  }

  async initShardState(shardId: string, watermark: number): Promise<ShardState> {
    const out = await this.update({
      Key: shardKey(shardId),
      UpdateExpression: 'SET watermark = if_not_exists(watermark, :w)',
      ExpressionAttributeValues: { ':w': n(watermark) },
      ReturnValues: 'ALL_NEW',
    });
    const state = out ? itemToShardState(shardId, out) : undefined;
    if (!state) throw new Error(`initializing the state of ${shardId} returned no watermark; check that the table is the timer table`);
    return state;
  }

  async claimShard(claim: ShardClaim): Promise<ShardState | undefined> {
    const free = `attribute_not_exists(leaseOwner) OR leaseUntil <= :now${claim.takeOverFrom !== undefined ? ' OR leaseOwner = :from' : ''}`;
    const out = await this.update({
      Key: shardKey(claim.shardId),
      UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :lease',
      ConditionExpression: `attribute_exists(watermark) AND (${free})`,
      ExpressionAttributeValues: {
        ':owner': { S: claim.owner },
        ':lease': n(claim.leaseUntil),
        ':now': n(claim.nowMs),
        ...(claim.takeOverFrom !== undefined && { ':from': { S: claim.takeOverFrom } }),
      },
      ReturnValues: 'ALL_NEW',
    });
    return out ? itemToShardState(claim.shardId, out) : undefined;
  }

  async checkpoint(shardId: string, owner: string, watermark: number, cursor: string | undefined, leaseUntil: number): Promise<boolean> {
    const out = await this.update({
      Key: shardKey(shardId),
      UpdateExpression: cursor === undefined ? 'SET leaseUntil = :lease REMOVE #cursor' : 'SET leaseUntil = :lease, #cursor = :cursor',
      ConditionExpression: 'leaseOwner = :owner AND watermark = :w',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: {
        ':owner': { S: owner },
        ':w': n(watermark),
        ':lease': n(leaseUntil),
        ...(cursor !== undefined && { ':cursor': { S: cursor } }),
      },
    });
    return out !== false;
  }

  async advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean> {
    const out = await this.update({
      Key: shardKey(shardId),
      UpdateExpression: 'SET watermark = :to REMOVE #cursor',
      ConditionExpression: 'leaseOwner = :owner AND watermark = :from',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: { ':owner': { S: owner }, ':from': n(from), ':to': n(to) },
    });
    return out !== false;
  }

  async releaseShard(shardId: string, owner: string): Promise<void> {
    await this.update({
      Key: shardKey(shardId),
      UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeValues: { ':owner': { S: owner } },
    });
  }

  // --- Schedule reads ------------------------------------------------------------------------------------------

  queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number, after?: string): TimerPages {
    const lo = Math.max(0, Math.ceil(offsetFrom));
    const hi = Math.min(intervalSeconds, Math.ceil(offsetTo)); // exclusive
    const buckets: BucketRange[] = [];
    for (let bucket = Math.floor(lo / PHASE_BUCKET_SECONDS); bucket * PHASE_BUCKET_SECONDS < hi; bucket++) {
      const first = Math.max(lo, bucket * PHASE_BUCKET_SECONDS);
      const last = Math.min(hi, (bucket + 1) * PHASE_BUCKET_SECONDS) - 1;
      buckets.push({ bucket, sortFrom: pad(first, OFFSET_WIDTH), sortTo: `${pad(last, OFFSET_WIDTH)}${AFTER_SEPARATOR}` });
    }
    return this.readBuckets(buckets, (bucket, spread) => bucketPartition(shardId, intervalSeconds, bucket, spread), after);
  }

  queryOneShots(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    return this.queryDue('O', shardId, fromMs, toMs, after);
  }

  queryCron(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    return this.queryDue('C', shardId, fromMs, toMs, after);
  }

  /** The timers of a shard placed by a due instant in [fromMs, toMs): one range per due minute. */
  private queryDue(prefix: DuePrefix, shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    const lo = Math.max(0, Math.ceil(fromMs));
    const hi = Math.ceil(toMs); // exclusive
    const buckets: BucketRange[] = [];
    for (let minute = Math.floor(lo / DUE_BUCKET_MS); minute * DUE_BUCKET_MS < hi; minute++) {
      const first = Math.max(lo, minute * DUE_BUCKET_MS);
      const last = Math.min(hi, (minute + 1) * DUE_BUCKET_MS) - 1;
      buckets.push({ bucket: minute, sortFrom: pad(first, DUE_WIDTH), sortTo: `${pad(last, DUE_WIDTH)}${AFTER_SEPARATOR}` });
    }
    return this.readBuckets(buckets, (minute, spread) => minutePartition(shardId, minute, spread, prefix), after);
  }

  /**
   * Every page of a read over buckets, each bucket's spread partitions in order 0..SPREAD_PARTITIONS-1. With `after`,
   * the partitions before the position's are skipped and its own is resumed right after its timer. A position this
   * store cannot read restarts the read from its beginning: a duplicate after a fault, never a loss.
   *
   * The first page of every partition of a bucket is asked for at once, so a bucket costs one round trip however many
   * of its partitions are empty; later pages of a partition follow one by one, as the caller reads them. At most
   * SPREAD_PARTITIONS pages (1 MB each) are held ahead of the caller.
   */
  private async *readBuckets(buckets: readonly BucketRange[], partition: (bucket: number, spread: number) => string, after?: string): TimerPages {
    const start = after === undefined ? undefined : decodePosition(after);
    for (const range of buckets) {
      if (start && range.bucket < start.bucket) continue;
      const reads: Array<{ readonly spread: number; readonly pk: string; readonly startKey?: Item }> = [];
      for (let spread = 0; spread < SPREAD_PARTITIONS; spread++) {
        const pk = partition(range.bucket, spread);
        if (!start || range.bucket > start.bucket || spread > start.spread) {
          reads.push({ spread, pk });
          continue;
        }
        if (spread < start.spread) continue;
        // DynamoDB refuses a start key outside the key condition: before the range, start at its beginning; past it,
        // nothing of this partition follows the position.
        if (start.sortKey > range.sortTo) continue;
        const startKey: Item | undefined = start.sortKey < range.sortFrom ? undefined : {
          [PARTITION_KEY]: { S: start.sortKey.slice(start.sortKey.indexOf('#') + 1) },
          [INDEX_PARTITION_KEY]: { S: pk },
          [INDEX_SORT_KEY]: { S: start.sortKey },
        };
        reads.push({ spread, pk, ...(startKey && { startKey }) });
      }
      const firstPages = reads.map((read) => {
        const page = this.queryPage(read.pk, range, read.startKey);
        // Awaited in turn below; a caller that stops early must not leave a rejection unobserved.
        page.catch(() => undefined);
        return page;
      });
      for (const [i, read] of reads.entries()) {
        let page = await firstPages[i];
        for (;;) {
          if (page.timers.length > 0) {
            const positions = page.sortKeys.map((sortKey) => encodePosition({ bucket: range.bucket, spread: read.spread, sortKey }));
            const out: TimerPage = { timers: page.timers, positions };
            yield out;
          }
          if (!page.lastKey) break;
          page = await this.queryPage(read.pk, range, page.lastKey);
        }
      }
    }
  }

  /** One page of one index partition between two sort keys (inclusive): its timers with their sort keys. */
  private async queryPage(pk: string, range: BucketRange, startKey: Item | undefined): Promise<QueriedPage> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: INDEX_NAME,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': INDEX_PARTITION_KEY, '#sk': INDEX_SORT_KEY },
        ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { S: range.sortFrom }, ':to': { S: range.sortTo } },
        ExclusiveStartKey: startKey,
        Limit: this.options.queryPageLimit,
        ...this.capacity,
      }),
    );
    this.report('Query', out.ConsumedCapacity);
    const timers: Timer[] = [];
    const sortKeys: string[] = [];
    for (const item of out.Items ?? []) {
      const timer = itemToTimer(item);
      if (!timer) continue;
      timers.push(timer);
      sortKeys.push(str(item, INDEX_SORT_KEY)!);
    }
    return { timers, sortKeys, ...(out.LastEvaluatedKey && { lastKey: out.LastEvaluatedKey }) };
  }

  /**
   * Moves each cron timer to its next firing: new index keys and `tickFrom` (an index write moves it: a delete and a
   * put in the index besides the item's write), or, with none left, its keys out of the index and a TTL. Conditional
   * on the `createdAt`, `tickFrom` and place the tick read: a timer PUT again or deleted meanwhile is left as it is.
   */
  async advanceCronTimers(advances: readonly CronAdvance[]): Promise<void> {
    await forEachLimited(advances, WRITE_CONCURRENCY, async ({ read, next }) => {
      const names: Record<string, string> = { '#pk': INDEX_PARTITION_KEY, '#sk': INDEX_SORT_KEY };
      const values: Item = {
        ':createdAt': n(read.createdAt),
        ':read': n(read.tickFrom),
        ':readSk': { S: sortKeyOf(read) },
        ':tickFrom': n(next.tickFrom),
        ':pk': { S: partitionOf(next) },
        ':sk': { S: sortKeyOf(next) },
      };
      let update: string;
      if (next.dueAt !== undefined) {
        update = 'SET #pk = :pk, #sk = :sk, tickFrom = :tickFrom';
      } else {
        Object.assign(names, { '#epk': ENDED_PARTITION_KEY, '#esk': ENDED_SORT_KEY, '#ttl': TTL_ATTRIBUTE });
        values[':ttl'] = ttlOf(next.expiresAt ?? next.tickFrom);
        update = 'SET #epk = :pk, #esk = :sk, tickFrom = :tickFrom, #ttl = :ttl REMOVE #pk, #sk';
      }
      await this.update({
        Key: { [PARTITION_KEY]: { S: read.id } },
        UpdateExpression: update,
        // The place it was read at too: two PUTs of the id in one millisecond share createdAt and tickFrom.
        ConditionExpression: 'createdAt = :createdAt AND tickFrom = :read AND #sk = :readSk',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    });
  }

  /**
   * Moves each ended timer's index keys out of the index (to `endedPk`/`endedSk`), so no Query reads it again, while
   * GET still reads it until its TTL removes it. Conditional on the keys and `createdAt` the tick read: a timer PUT
   * again meanwhile (new keys or a new `createdAt`) is left as it is.
   */
  async retireTimers(timers: readonly PeriodicTimer[]): Promise<void> {
    await forEachLimited(timers, WRITE_CONCURRENCY, async (timer) => {
      await this.update({
        Key: { [PARTITION_KEY]: { S: timer.id } },
        UpdateExpression: 'SET #epk = #pk, #esk = #sk REMOVE #pk, #sk',
        ConditionExpression: '#pk = :pk AND #sk = :sk AND createdAt = :createdAt',
        ExpressionAttributeNames: { '#pk': INDEX_PARTITION_KEY, '#sk': INDEX_SORT_KEY, '#epk': ENDED_PARTITION_KEY, '#esk': ENDED_SORT_KEY },
        ExpressionAttributeValues: { ':pk': { S: partitionOf(timer) }, ':sk': { S: sortKeyOf(timer) }, ':createdAt': n(timer.createdAt) },
      });
    });
  }
}
