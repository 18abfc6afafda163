/**
 * Dispatch planning and sending: firings become queue entries with the callback contract's attributes and a
 * delay that makes each visible at its target second, packed into batches of at most ten entries (and 256 KiB),
 * sent with bounded concurrency, failed entries retried with backoff (invariants 2 and 6).
 */
import { Firing, Limits } from './model';
import { MessageAttribute, MetricName } from './names';
import { Clock, FiringQueue, Log, MetricsSink, QueueEntry } from './ports';

/** A firing sent more than this long after its scheduled instant counts as late. */
export const LATE_TOLERANCE_MS = 1000;

/** The SQS delay that makes a message sent at `nowMs` visible at (never before) `scheduledAt`, within 0..900 s. */
export function delaySecondsFor(scheduledAt: number, nowMs: number): number {
  const seconds = Math.ceil((scheduledAt - nowMs) / 1000);
  return Math.min(Limits.MAX_SQS_DELAY_SECONDS, Math.max(0, seconds));
}

/** The `{id}@{ScheduledAt}` id shared by every duplicate of one firing. */
export function firingIdOf(firing: Pick<Firing, 'timerId' | 'scheduledAt'>): string {
  return `${firing.timerId}@${firing.scheduledAt}`;
}

/** The message attributes of the callback contract. */
export function messageAttributesOf(firing: Firing): Record<string, string> {
  return {
    [MessageAttribute.TIMER_ID]: firing.timerId,
    [MessageAttribute.TIMER_KIND]: firing.kind,
    [MessageAttribute.SCHEDULED_AT]: String(firing.scheduledAt),
    [MessageAttribute.FIRING_ID]: firingIdOf(firing),
  };
}

/** UTF-8 length of a string, without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c < 0x80) {
      bytes += 1;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      bytes += 4; // a surrogate pair: one code point above U+FFFF
      i++;
    } else {
      bytes += 3; // the rest of the BMP; a lone surrogate is encoded as U+FFFD, also three bytes
    }
  }
  return bytes;
}

/** The attribute names and their `String` data type: the same bytes in every message. */
const ATTRIBUTE_NAMES_BYTES = Object.values(MessageAttribute).reduce((sum, name) => sum + utf8Length(name) + 'String'.length, 0);

/**
 * The size SQS counts for a message: body plus each attribute's name, data type and value. Computed without
 * building the attributes: the id appears in TimerId and FiringId (`{id}@{ScheduledAt}`), the instant in ScheduledAt
 * and FiringId.
 */
export function messageSizeOf(firing: Firing): number {
  const id = utf8Length(firing.timerId);
  const at = String(firing.scheduledAt).length;
  return utf8Length(firing.body) + ATTRIBUTE_NAMES_BYTES + id + firing.kind.length + at + (id + 1 + at);
}

/** Packs firings into batches of at most ten entries and at most 256 KiB in all, in order. */
export function* planBatches(firings: Iterable<Firing>): Generator<Firing[]> {
  let batch: Firing[] = [];
  let bytes = 0;
  for (const firing of firings) {
    const size = messageSizeOf(firing);
    if (batch.length === Limits.MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + size > Limits.MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(firing);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** Builds a batch's queue entries at the moment they are sent, so each delay is measured from then. */
export function toQueueEntries(batch: readonly Firing[], nowMs: number): QueueEntry[] {
  return batch.map((firing, i) => ({
    id: String(i),
    body: firing.body,
    delaySeconds: delaySecondsFor(firing.scheduledAt, nowMs),
    scheduledAt: firing.scheduledAt,
    attributes: messageAttributesOf(firing),
  }));
}

export interface DispatchReport {
  /** Firings the queue accepted. */
  dispatched: number;
  /** Of those, the ones sent after their scheduled instant (plus tolerance). */
  late: number;
  /** Firings the queue refused after every retry. */
  failed: number;
  /** The largest lateness of a sent firing (ms, 0 when all were on time). */
  maxLagMs: number;
}

export interface DispatcherOptions {
  readonly queue: FiringQueue;
  readonly clock: Clock;
  /** SendMessageBatch calls in flight at once. */
  readonly concurrency: number;
  readonly metrics: MetricsSink;
  readonly log: Log;
  /** Attempts per entry before it counts as failed. @default 6 */
  readonly maxAttempts?: number;
  /** First backoff; doubled per attempt, with full jitter, capped at 5 s. @default 50 */
  readonly baseBackoffMs?: number;
}

type FiringSource = AsyncIterable<Firing[]> | Iterable<Firing[]>;

function iteratorOf(source: FiringSource): AsyncIterator<Firing[]> | Iterator<Firing[]> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

/**
 * Turns pages of firings into a stream of batches. The next page is read while the current one is being sent, so
 * the queue never waits on a store read; at most two pages are held in memory.
 */
async function* batchesOf(source: FiringSource): AsyncGenerator<Firing[]> {
  const pages = iteratorOf(source);
  let carry: Firing[] = [];
  let nextPage = Promise.resolve(pages.next());
  for (;;) {
    const page = await nextPage;
    if (page.done) break;
    nextPage = Promise.resolve(pages.next());
    // Stopping early (a send failure) must not leave the read-ahead rejected and unobserved.
    nextPage.catch(() => undefined);
    if (page.value.length === 0) continue;
    const batches = [...planBatches(carry.concat(page.value))];
    carry = batches.pop() ?? [];
    yield* batches;
  }
  if (carry.length > 0) yield* planBatches(carry);
}

export class Dispatcher {
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;

  constructor(private readonly options: DispatcherOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new Error(`batch concurrency must be a whole number of at least 1, got ${options.concurrency}`);
    }
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseBackoffMs = options.baseBackoffMs ?? 50;
  }

  /**
   * Sends every firing of `source` (pages of firings, e.g. one per store page) and reports what happened.
   * Rejects if reading the source fails; a refused message is counted in `failed`, never dropped silently.
   */
  async dispatch(source: FiringSource): Promise<DispatchReport> {
    const report: DispatchReport = { dispatched: 0, late: 0, failed: 0, maxLagMs: 0 };
    if (Array.isArray(source)) {
      await this.sendAll([...planBatches(source.flat())], report);
    } else {
      await this.sendStream(batchesOf(source), report);
    }
    const { metrics } = this.options;
    metrics.add(MetricName.FIRINGS_DISPATCHED, report.dispatched);
    metrics.add(MetricName.LATE_FIRINGS, report.late);
    metrics.add(MetricName.SEND_FAILURES, report.failed);
    return report;
  }

  /** Firings already in memory (the API's few near-term ones): no more workers than batches. */
  private async sendAll(batches: readonly Firing[][], report: DispatchReport): Promise<void> {
    // The common case for the API: a new timer's one or two near-term firings.
    if (batches.length === 1) return this.sendWithRetry(batches[0], report);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) await this.sendWithRetry(batches[next++], report);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, batches.length) }, worker));
  }

  /** Firings read page by page (a tick): workers pull batches from one stream as the pages arrive. */
  private async sendStream(batches: AsyncGenerator<Firing[]>, report: DispatchReport): Promise<void> {
    // Workers share one iterator; pulls are chained so the generator is never entered twice at once.
    let pulling: Promise<unknown> = Promise.resolve();
    const next = (): Promise<IteratorResult<Firing[]>> => {
      const pulled = pulling.then(() => batches.next());
      pulling = pulled.catch(() => undefined);
      return pulled;
    };
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (failure === undefined) {
        let item: IteratorResult<Firing[]>;
        try {
          item = await next();
        } catch (err) {
          failure ??= err;
          return;
        }
        if (item.done) return;
        await this.sendWithRetry(item.value, report);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    if (failure !== undefined) throw failure;
  }

  private async sendWithRetry(batch: Firing[], report: DispatchReport): Promise<void> {
    const { queue, clock, log } = this.options;
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const now = clock.now();
      let failedIds: string[];
      try {
        failedIds = await queue.sendBatch(toQueueEntries(pending, now));
      } catch (err) {
        failedIds = pending.map((_, i) => String(i));
        log.warn('queue refused a batch', { attempt, entries: pending.length, error: String(err) });
      }
      // Usually every entry is accepted: then there is no set of failures to build or look up.
      const failed = failedIds.length === 0 ? undefined : new Set(failedIds);
      const refused: Firing[] = [];
      for (let i = 0; i < pending.length; i++) {
        if (failed?.has(String(i))) {
          refused.push(pending[i]);
          continue;
        }
        const lag = now - pending[i].scheduledAt;
        report.dispatched++;
        if (lag > LATE_TOLERANCE_MS) report.late++;
        if (lag > report.maxLagMs) report.maxLagMs = lag;
      }
      if (refused.length === 0) return;
      pending = refused;
      if (attempt >= this.maxAttempts) {
        report.failed += pending.length;
        log.error('firings not accepted by the queue after retries', {
          attempts: attempt,
          firingIds: pending.map(firingIdOf),
        });
        return;
      }
      const cap = Math.min(5000, this.baseBackoffMs * 2 ** (attempt - 1));
      await clock.sleep(Math.random() * cap);
    }
  }
}
