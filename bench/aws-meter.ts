/**
 * Counts what AWS would bill for the requests an SDK client sends: requests by command, SQS requests in 64 KB
 * chunks, and DynamoDB read and write units. It hooks the client's middleware stack, so it sees every request the
 * code under test makes, including retries, without that code knowing. DynamoDB units are taken from the
 * ConsumedCapacity the server reports (asked for on every request); where an emulator does not report it, they are
 * computed from the bytes returned, as DynamoDB bills them.
 */
import {
  DYNAMODB_READ_UNIT_BYTES,
  DYNAMODB_USD_PER_READ_UNIT,
  DYNAMODB_USD_PER_WRITE_UNIT,
  DYNAMODB_WRITE_UNIT_BYTES,
  SQS_BILLING_CHUNK_BYTES,
  SQS_USD_PER_REQUEST,
} from './prices';

/** The part of an SDK v3 client the meter needs. */
export interface MeterableClient {
  readonly middlewareStack: {
    add(middleware: (next: any, context: any) => (args: any) => Promise<any>, options: Record<string, unknown>): void;
  };
}

export type MeteredService = 'sqs' | 'dynamodb';

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);
const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** DynamoDB's size of an attribute value in its wire form, following the item size rules of the developer guide. */
export function attributeValueSize(value: Record<string, unknown>): number {
  if ('S' in value) return Buffer.byteLength(String(value.S));
  if ('N' in value) return numberSize(String(value.N));
  if ('B' in value) return byteLength(value.B);
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return (value.SS as string[]).reduce((n, s) => n + Buffer.byteLength(s), 0);
  if ('NS' in value) return (value.NS as string[]).reduce((n, s) => n + numberSize(s), 0);
  if ('BS' in value) return (value.BS as unknown[]).reduce((n: number, b) => n + byteLength(b), 0);
  // Lists and maps: 3 bytes of overhead plus 1 byte per element, plus the elements (and, for maps, their names).
  if ('L' in value) {
    const items = value.L as Record<string, unknown>[];
    return 3 + items.reduce((n, v) => n + 1 + attributeValueSize(v), 0);
  }
  if ('M' in value) return 3 + Object.keys(value.M as object).length + itemSize(value.M as Record<string, Record<string, unknown>>);
  return 0;
}

/** The size DynamoDB bills an item at: each attribute's name in UTF-8 plus its value. */
export function itemSize(item: Record<string, Record<string, unknown>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + attributeValueSize(value);
  return bytes;
}

function numberSize(text: string): number {
  // Up to 38 significant digits stored two to a byte, plus one byte.
  const digits = text.replace(/^[-+]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function byteLength(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  return Buffer.byteLength(String(value));
}

/** Bytes SQS bills a message at: body plus each attribute's name, data type and value. */
function sqsMessageBytes(entry: { MessageBody?: string; MessageAttributes?: Record<string, { DataType?: string; StringValue?: string }> }): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, attribute] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? '') + Buffer.byteLength(attribute.StringValue ?? '');
  }
  return bytes;
}

function reportedUnits(output: Record<string, unknown>): number | undefined {
  const consumed = output.ConsumedCapacity as { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;
  if (consumed === undefined) return undefined;
  const all = Array.isArray(consumed) ? consumed : [consumed];
  if (all.length === 0 || all.some((c) => typeof c.CapacityUnits !== 'number')) return undefined;
  return all.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
}

/** Read units of a response computed from its bytes, rounded up per response as DynamoDB rounds per page. */
function computedReadUnits(command: string, input: Record<string, unknown>, output: Record<string, unknown>): number {
  const perUnit = input.ConsistentRead === true ? 1 : 0.5;
  let items: Array<Record<string, Record<string, unknown>>> = [];
  if (command === 'GetItemCommand') items = output.Item ? [output.Item as Record<string, Record<string, unknown>>] : [];
  else if (command === 'BatchGetItemCommand') items = Object.values((output.Responses ?? {}) as Record<string, any[]>).flat();
  else items = (output.Items ?? []) as Array<Record<string, Record<string, unknown>>>;
  if (command === 'GetItemCommand' || command === 'BatchGetItemCommand') {
    // Point reads round up item by item.
    return Math.max(1, items.reduce((n, item) => n + Math.ceil(itemSize(item) / DYNAMODB_READ_UNIT_BYTES), 0)) * perUnit;
  }
  const bytes = items.reduce((n, item) => n + itemSize(item), 0);
  return Math.max(1, Math.ceil(bytes / DYNAMODB_READ_UNIT_BYTES)) * perUnit;
}

function computedWriteUnits(command: string, input: Record<string, unknown>): number {
  if (command === 'PutItemCommand') return Math.max(1, Math.ceil(itemSize(input.Item as Record<string, Record<string, unknown>>) / DYNAMODB_WRITE_UNIT_BYTES));
  // Updates and deletes bill the larger of the item before and after, which the request alone does not tell; one
  // unit is right for the small items they touch here (shard state, a timer).
  if (command === 'BatchWriteItemCommand') {
    return Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>).reduce((n, requests) => n + requests.length, 0);
  }
  return 1;
}

export class AwsMeter {
  /** Requests sent (every attempt), by `service:Command`. */
  readonly requests = new Map<string, number>();
  /** Time spent waiting for responses (ms, summed over concurrent requests), by `service:Command`. */
  readonly waitMs = new Map<string, number>();
  /** Requests that failed, by `service:Command`. */
  readonly errors = new Map<string, number>();
  /** SQS requests as billed: one per 64 KB chunk of payload. */
  sqsBilledRequests = 0;
  readUnits = 0;
  writeUnits = 0;
  /**
   * Read units computed from the returned bytes for every read, reported or not: a cross-check of the computation
   * the meter falls back on against what the emulator reports.
   */
  readUnitsFromBytes = 0;
  /** How many DynamoDB responses carried their consumed capacity, and how many had it computed from bytes. */
  unitsReported = 0;
  unitsComputed = 0;

  /** Starts counting the requests of a client. Attach before the client's first request. */
  attach(client: MeterableClient, service: MeteredService): void {
    if (service === 'dynamodb') {
      // Ask for consumed capacity on every request, before the input is serialized.
      client.middlewareStack.add(
        (next) => async (args: { input: Record<string, unknown> }) => {
          if (args.input.ReturnConsumedCapacity === undefined) args.input.ReturnConsumedCapacity = 'TOTAL';
          return next(args);
        },
        { step: 'initialize', priority: 'low', name: 'benchAskConsumedCapacity' },
      );
    }
    // Below the retry middleware, so every attempt is counted; above deserialization, so outputs are parsed.
    client.middlewareStack.add(
      (next, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
        const command = context.commandName ?? 'UnknownCommand';
        const key = `${service}:${command.replace(/Command$/, '')}`;
        this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
        const started = performance.now();
        try {
          const result = await next(args);
          this.waitMs.set(key, (this.waitMs.get(key) ?? 0) + performance.now() - started);
          this.record(service, command, args.input, (result.output ?? {}) as Record<string, unknown>);
          return result;
        } catch (err) {
          this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
          throw err;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'benchMeter' },
    );
  }

  reset(): void {
    this.requests.clear();
    this.waitMs.clear();
    this.errors.clear();
    this.sqsBilledRequests = 0;
    this.readUnits = 0;
    this.writeUnits = 0;
    this.readUnitsFromBytes = 0;
    this.unitsReported = 0;
    this.unitsComputed = 0;
  }

  /** Summed response time of one `service:Command` (ms). */
  waited(key: string): number {
    return this.waitMs.get(key) ?? 0;
  }

  count(key: string): number {
    return this.requests.get(key) ?? 0;
  }

  /** Requests of one service, all commands. */
  total(service: MeteredService): number {
    let n = 0;
    for (const [key, value] of this.requests) {
      if (key.startsWith(`${service}:`)) n += value;
    }
    return n;
  }

  costUsd(): { sqs: number; dynamodbReads: number; dynamodbWrites: number; total: number } {
    const sqs = this.sqsBilledRequests * SQS_USD_PER_REQUEST;
    const dynamodbReads = this.readUnits * DYNAMODB_USD_PER_READ_UNIT;
    const dynamodbWrites = this.writeUnits * DYNAMODB_USD_PER_WRITE_UNIT;
    return { sqs, dynamodbReads, dynamodbWrites, total: sqs + dynamodbReads + dynamodbWrites };
  }

  /** `sqs:SendMessageBatch=5000 dynamodb:Query=8 ...`, sorted. */
  describe(): string {
    return [...this.requests.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => `${key}=${n}${this.errors.has(key) ? ` (${this.errors.get(key)} failed)` : ''}`)
      .join(' ');
  }

  private record(service: MeteredService, command: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    if (service === 'sqs') {
      const entries = command === 'SendMessageBatchCommand' ? ((input.Entries ?? []) as any[]) : command === 'SendMessageCommand' ? [input] : [];
      const bytes = entries.reduce((n: number, entry) => n + sqsMessageBytes(entry), 0);
      this.sqsBilledRequests += Math.max(1, Math.ceil(bytes / SQS_BILLING_CHUNK_BYTES));
      return;
    }
    const isRead = READ_COMMANDS.has(command);
    if (!isRead && !WRITE_COMMANDS.has(command)) return;
    if (isRead) this.readUnitsFromBytes += computedReadUnits(command, input, output);
    let units = reportedUnits(output);
    if (units !== undefined) {
      this.unitsReported++;
    } else {
      units = isRead ? computedReadUnits(command, input, output) : computedWriteUnits(command, input);
      this.unitsComputed++;
    }
    if (isRead) this.readUnits += units;
    else this.writeUnits += units;
  }
}
