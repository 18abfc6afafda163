/**
 * The engine's `TimerStore` on DynamoDB: the AWS face's storage adapter, called by the API and tick Lambdas
 * through core's `TimerApi` and `Ticker`. It follows the layout in `table-schema.ts` and uses only the actions the
 * construct grants: GetItem, PutItem, UpdateItem, DeleteItem and Query on the `schedule` index.
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
} from '@aws-sdk/client-dynamodb';
import { OneShotTimer, PeriodicTimer, ShardClaim, ShardState, Timer, TimerPages, TimerStore } from '../core';
import { INDEX_PROJECTED_ATTRIBUTES, TableSchema } from './table-schema';

const { PARTITION_KEY, INDEX_NAME, INDEX_PARTITION_KEY, INDEX_SORT_KEY, TTL_ATTRIBUTE, PHASE_BUCKET_SECONDS, SHARD_ITEM_PREFIX } =
  TableSchema;

/** One-shot timers are grouped in the index by the minute they are due. */
const DUE_BUCKET_MS = 60_000;
/** Offsets are at most 7 days in seconds (6 digits); due instants are epoch ms (13 digits today). */
const OFFSET_WIDTH = 6;
const DUE_WIDTH = 15;
/**
 * Sorts after `#` (the separator before the id) and before any digit, so `{key}$` is an upper bound for every
 * sort key `{key}#{id}` in a BETWEEN.
 */
const AFTER_SEPARATOR = '$';

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

function shardKey(shardId: string): Item {
  return { [PARTITION_KEY]: { S: `${SHARD_ITEM_PREFIX}${shardId}` } };
}

/** The index partition of a periodic timer: its shard, interval and minute-wide bucket of offsets. */
export function periodicPartition(shardId: string, interval: number, offset: number): string {
  return `P#${shardId}#${interval}#${Math.floor(offset / PHASE_BUCKET_SECONDS)}`;
}

/** The index partition of a one-shot timer: its shard and the minute it is due. */
export function oneShotPartition(shardId: string, fireAt: number): string {
  return `O#${shardId}#${Math.floor(fireAt / DUE_BUCKET_MS)}`;
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

/**
 * The item of a timer: base key, index keys, and only what the keys cannot say. Kind, shard, interval, offset and
 * due instant live in the index keys and are read back from them: a smaller item is fewer read units per firing and
 * less to parse in every Query page a tick reads.
 */
export function timerToItem(timer: Timer): Item {
  const item: Item = {
    [PARTITION_KEY]: { S: timer.id },
    data: { S: timer.data },
    createdAt: n(timer.createdAt),
  };
  if (timer.kind === 'periodic') {
    if (timer.startAt !== undefined) item.startAt = n(timer.startAt);
    if (timer.endAt !== undefined) item.endAt = n(timer.endAt);
    item[INDEX_PARTITION_KEY] = { S: periodicPartition(timer.shardId, timer.interval, timer.offset) };
    item[INDEX_SORT_KEY] = { S: `${pad(timer.offset, OFFSET_WIDTH)}#${timer.id}` };
  } else {
    // Rounded up, so the item outlives expiresAt rather than vanish before it.
    item[TTL_ATTRIBUTE] = n(Math.ceil(timer.expiresAt / 1000));
    item[INDEX_PARTITION_KEY] = { S: oneShotPartition(timer.shardId, timer.fireAt) };
    item[INDEX_SORT_KEY] = { S: `${pad(timer.fireAt, DUE_WIDTH)}#${timer.id}` };
  }
  return item;
}

/** `P#{shard}#{interval}#{bucket}` or `O#{shard}#{minute}`, split; undefined for anything else. */
function partitionParts(item: Item): string[] | undefined {
  const parts = str(item, INDEX_PARTITION_KEY)?.split('#');
  if (parts?.[0] === 'P' && parts.length === 4) return parts;
  if (parts?.[0] === 'O' && parts.length === 3) return parts;
  return undefined;
}

/** The number before the `#{id}` of an index sort key. */
function sortKeyNumber(item: Item): number | undefined {
  const sortKey = str(item, INDEX_SORT_KEY);
  const value = sortKey === undefined ? NaN : Number(sortKey.slice(0, sortKey.indexOf('#')));
  return Number.isNaN(value) ? undefined : value;
}

/** The timer of an item from the table or the index; undefined for items that are not timers (shard state). */
export function itemToTimer(item: Item | undefined): Timer | undefined {
  const parts = item && partitionParts(item);
  if (!item || !parts) return undefined;
  const base = {
    id: required(str(item, PARTITION_KEY), PARTITION_KEY, item),
    shardId: parts[1],
    data: required(str(item, 'data'), 'data', item),
    createdAt: required(num(item, 'createdAt'), 'createdAt', item),
  };
  const keyNumber = required(sortKeyNumber(item), INDEX_SORT_KEY, item);
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
    };
    return timer;
  }
  const timer: OneShotTimer = {
    ...base,
    kind: 'oneshot',
    fireAt: keyNumber,
    expiresAt: required(num(item, TTL_ATTRIBUTE), TTL_ATTRIBUTE, item) * 1000,
  };
  return timer;
}

function itemToShardState(shardId: string, item: Item | undefined): ShardState | undefined {
  // An item holding only intervals (registered by a PUT before any tick) is a shard not yet initialized.
  const watermark = item && num(item, 'watermark');
  if (!item || watermark === undefined) return undefined;
  const leaseOwner = str(item, 'leaseOwner');
  const leaseUntil = num(item, 'leaseUntil');
  return {
    shardId,
    watermark,
    claimedUntil: Math.max(watermark, num(item, 'claimedUntil') ?? watermark),
    ...(leaseOwner !== undefined && { leaseOwner }),
    ...(leaseUntil !== undefined && { leaseUntil }),
    intervals: (item.intervals?.NS ?? []).map(Number).sort((a, b) => a - b),
  };
}

function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';
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

  async putTimer(timer: Timer): Promise<Timer | undefined> {
    const out = await this.client.send(
      new PutItemCommand({ TableName: this.tableName, Item: timerToItem(timer), ReturnValues: 'ALL_OLD', ...this.capacity }),
    );
    this.report('PutItem', out.ConsumedCapacity);
    return itemToTimer(out.Attributes);
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

  async getShardState(shardId: string): Promise<ShardState | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: shardKey(shardId), ConsistentRead: true, ...this.capacity }),
    );
    this.report('GetItem', out.ConsumedCapacity);
    return itemToShardState(shardId, out.Item);
  }

  async initShardState(shardId: string, watermark: number): Promise<ShardState> {
    // An update with if_not_exists rather than a conditional put: the item may already exist holding only the
    // intervals a PUT registered, and a put would erase them.
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: shardKey(shardId),
        UpdateExpression: 'SET watermark = if_not_exists(watermark, :w), claimedUntil = if_not_exists(claimedUntil, :w)',
        ExpressionAttributeValues: { ':w': n(watermark) },
        ReturnValues: 'ALL_NEW',
        ...this.capacity,
      }),
    );
    this.report('UpdateItem', out.ConsumedCapacity);
    const state = itemToShardState(shardId, out.Attributes);
    if (!state) throw new Error(`initializing the state of ${shardId} returned no watermark; check that the table is the timer table`);
    return state;
  }

  async registerInterval(shardId: string, intervalSeconds: number): Promise<void> {
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: shardKey(shardId),
        UpdateExpression: 'ADD intervals :i',
        ExpressionAttributeValues: { ':i': { NS: [String(intervalSeconds)] } },
        ...this.capacity,
      }),
    );
    this.report('UpdateItem', out.ConsumedCapacity);
  }

  async claimShard(claim: ShardClaim): Promise<ShardState | undefined> {
    const free = '(attribute_not_exists(leaseOwner) OR leaseUntil <= :now)';
    const values = { ':owner': { S: claim.owner }, ':lease': n(claim.leaseUntil), ':now': n(claim.nowMs), ':claim': n(claim.claimUntil) };
    // claimedUntil = max(old, new) has no update expression: try raising it, and if it already reaches further,
    // take the lease alone. Either way the lease condition decides, atomically, whether this tick holds the shard.
    const attempts = [
      {
        update: 'SET leaseOwner = :owner, leaseUntil = :lease, claimedUntil = :claim',
        condition: `attribute_exists(watermark) AND ${free} AND (attribute_not_exists(claimedUntil) OR claimedUntil < :claim)`,
      },
      {
        update: 'SET leaseOwner = :owner, leaseUntil = :lease',
        condition: `attribute_exists(watermark) AND ${free} AND claimedUntil >= :claim`,
      },
    ];
    for (const { update, condition } of attempts) {
      try {
        const out = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: shardKey(claim.shardId),
            UpdateExpression: update,
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
            ...this.capacity,
          }),
        );
        this.report('UpdateItem', out.ConsumedCapacity);
        return itemToShardState(claim.shardId, out.Attributes);
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    }
    return undefined;
  }

  async advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: shardKey(shardId),
          UpdateExpression: 'SET watermark = :to',
          ConditionExpression: 'leaseOwner = :owner AND watermark = :from',
          ExpressionAttributeValues: { ':owner': { S: owner }, ':from': n(from), ':to': n(to) },
          ...this.capacity,
        }),
      );
      this.report('UpdateItem', out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async releaseShard(shardId: string, owner: string): Promise<void> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: shardKey(shardId),
          UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
          ConditionExpression: 'leaseOwner = :owner',
          ExpressionAttributeValues: { ':owner': { S: owner } },
          ...this.capacity,
        }),
      );
      this.report('UpdateItem', out.ConsumedCapacity);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async *queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number): TimerPages {
    const lo = Math.max(0, Math.ceil(offsetFrom));
    const hi = Math.min(intervalSeconds, Math.ceil(offsetTo)); // exclusive
    if (hi <= lo) return;
    for (let bucket = Math.floor(lo / PHASE_BUCKET_SECONDS); bucket * PHASE_BUCKET_SECONDS < hi; bucket++) {
      const first = Math.max(lo, bucket * PHASE_BUCKET_SECONDS);
      const last = Math.min(hi, (bucket + 1) * PHASE_BUCKET_SECONDS) - 1;
      yield* this.queryRange(
        `P#${shardId}#${intervalSeconds}#${bucket}`,
        pad(first, OFFSET_WIDTH),
        `${pad(last, OFFSET_WIDTH)}${AFTER_SEPARATOR}`,
      );
    }
  }

  async *queryOneShots(shardId: string, fromMs: number, toMs: number): TimerPages {
    const lo = Math.max(0, Math.ceil(fromMs));
    const hi = Math.ceil(toMs); // exclusive
    if (hi <= lo) return;
    for (let minute = Math.floor(lo / DUE_BUCKET_MS); minute * DUE_BUCKET_MS < hi; minute++) {
      const first = Math.max(lo, minute * DUE_BUCKET_MS);
      const last = Math.min(hi, (minute + 1) * DUE_BUCKET_MS) - 1;
      yield* this.queryRange(`O#${shardId}#${minute}`, pad(first, DUE_WIDTH), `${pad(last, DUE_WIDTH)}${AFTER_SEPARATOR}`);
    }
  }

  /** Every page of one index partition between two sort keys (inclusive). */
  private async *queryRange(partition: string, sortFrom: string, sortTo: string): TimerPages {
    let startKey: Item | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: INDEX_NAME,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': INDEX_PARTITION_KEY, '#sk': INDEX_SORT_KEY },
          ExpressionAttributeValues: { ':pk': { S: partition }, ':from': { S: sortFrom }, ':to': { S: sortTo } },
          ExclusiveStartKey: startKey,
          Limit: this.options.queryPageLimit,
          ...this.capacity,
        }),
      );
      this.report('Query', out.ConsumedCapacity);
      const timers = (out.Items ?? []).map(itemToTimer).filter((t): t is Timer => t !== undefined);
      if (timers.length > 0) yield timers;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }
}
