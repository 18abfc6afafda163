/**
 * Dispatch planning and sending: firings become queue entries with the callback contract's attributes and a
 * delay that makes each visible at its target second, packed into batches of at most ten entries (and 256 KiB),
 * sent with bounded concurrency, failed entries retried with backoff (invariants 2 and 6). An entry the queue refuses
 * for good (its content, the sender's fault) is set aside, logged and counted, never retried (invariant 8). A tick's
 * stream is tracked item by item, so that it can stop before its deadline and say exactly where (invariant 9).
 */
import { Firing, Limits } from './model';
import { MessageAttribute, MetricName } from './names';
import { Clock, FiringQueue, Log, MetricsSink, QueueEntry, QueueFailure } from './ports';

/**
 * A firing is late when it is sent more than this after the earliest instant it could have been sent: its scheduled
 * instant, or the request that created it when that came later (a one-shot whose `at` is a little in the past, sent by
 * the API at once). The one measure of "late" for metrics, alarms, the local runtime and the benchmarks.
 */
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
  /** Of those, the ones sent more than `LATE_TOLERANCE_MS` after they could first have been sent. */
  late: number;
  /** Firings the queue refused after every retry, or that the deadline left no time to retry. */
  failed: number;
  /** Firings the queue refused for good (their content): set aside, logged and counted, never retried. */
  rejected: number;
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

/** Options of one dispatch. */
export interface DispatchOptions {
  /**
   * The earliest instant any of these firings could have been sent (epoch ms): lateness is measured from it when it
   * is later than a firing's scheduled instant. The API passes the request's arrival. @default - the scheduled instants
   */
  readonly earliestMs?: number;
  /** No retry waits past this instant (epoch ms): what is still refused then counts as failed. @default - no limit */
  readonly giveUpAt?: number;
}

/** A unit of a tick's stream: one timer's firings in the window, and where a read resumes after that timer. */
export interface DispatchItem<P> {
  readonly firings: readonly Firing[];
  readonly position: P;
}

export interface StreamOptions<P> extends DispatchOptions {
  /** Asked between items: once it answers true, no further item is started, and the dispatch ends when the sends in flight have. */
  readonly shouldStop?: () => boolean;
  /** Told each time the completed prefix of the stream grows, with the position after its last item. */
  readonly onProgress?: (position: P) => void;
}

export interface StreamOutcome<P> {
  readonly report: DispatchReport;
  /**
   * The position after the last item that, with every item before it, had all its firings accepted or set aside;
   * undefined when no item was completed.
   */
  readonly position: P | undefined;
  /** True when the stream was read to its end and every one of its firings was accepted or set aside. */
  readonly complete: boolean;
}

export function emptyReport(): DispatchReport {
  return { dispatched: 0, late: 0, failed: 0, rejected: 0, maxLagMs: 0 };
}

/** Adds one report's counts to another's. */
export function addReport(into: DispatchReport, from: DispatchReport): void {
  into.dispatched += from.dispatched;
  into.late += from.late;
  into.failed += from.failed;
  into.rejected += from.rejected;
  into.maxLagMs = Math.max(into.maxLagMs, from.maxLagMs);
}

/** One batch of a stream, numbered in the order it was packed. */
interface SeqBatch {
  readonly seq: number;
  readonly firings: Firing[];
}

/**
 * Which prefix of a tick's stream is done. Batches are numbered as they are packed; an item is done when every batch
 * up to the one holding its last firing is done, whatever order the concurrent sends finish in.
 */
class StreamProgress<P> {
  /** Every batch numbered below this is done. */
  private doneBelow = 0;
  private readonly doneAbove = new Set<number>();
  /** Items not yet done, in stream order, with the number of batches that must be done for each. */
  private readonly waiting: Array<{ readonly batchesNeeded: number; readonly position: P }> = [];
  private head = 0;
  position: P | undefined;

  constructor(private readonly onProgress?: (position: P) => void) {}

  itemPacked(batchesNeeded: number, position: P): void {
    this.waiting.push({ batchesNeeded, position });
    this.advance();
  }

  batchDone(seq: number): void {
    if (seq === this.doneBelow) {
      this.doneBelow++;
      while (this.doneAbove.delete(this.doneBelow)) this.doneBelow++;
    } else {
      this.doneAbove.add(seq);
    }
    this.advance();
  }

  private advance(): void {
    let moved = false;
    while (this.head < this.waiting.length && this.waiting[this.head].batchesNeeded <= this.doneBelow) {
      this.position = this.waiting[this.head++].position;
      moved = true;
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (moved) this.onProgress?.(this.position as P);
  }
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
   * Sends firings already in memory (the API's near-term ones, in pages) and reports what happened: a refused
   * message is counted in `failed` or `rejected`, never dropped silently. A tick's stream goes through `dispatchStream`.
   */
  async dispatch(pages: readonly (readonly Firing[])[], options: DispatchOptions = {}): Promise<DispatchReport> {
    const report = emptyReport();
    await this.sendAll([...planBatches(pages.flat())], report, options);
    this.count(report);
    return report;
  }

  /**
   * Sends a tick's stream: pages of items, each a timer's firings. Pages are read one ahead of the sends, batches
   * are packed across items and sent `concurrency` at a time, and the completed prefix of the stream is tracked, so
   * the caller can checkpoint it. It stops early when `shouldStop` says so (between items), and after the first
   * batch that failed for good, since nothing after it can be checkpointed.
   */
  async dispatchStream<P>(pages: AsyncIterable<readonly DispatchItem<P>[]>, options: StreamOptions<P> = {}): Promise<StreamOutcome<P>> {
    const report = emptyReport();
    const progress = new StreamProgress<P>(options.onProgress);
    let stopped = false;
    let failedBatch = false;
    const { shouldStop } = options;

    async function* packed(): AsyncGenerator<SeqBatch> {
      const iterator = pages[Symbol.asyncIterator]();
      let seq = 0;
      let batch: Firing[] = [];
      let bytes = 0;
      let nextPage = iterator.next();
      // Stopping early must not leave the read-ahead rejected and unobserved.
      nextPage.catch(() => undefined);
      try {
        for (;;) {
          const page = await nextPage;
          if (page.done) break;
          nextPage = iterator.next();
          nextPage.catch(() => undefined);
          for (const item of page.value) {
            if (failedBatch || shouldStop?.()) {
              stopped = true;
              break;
            }
            for (const firing of item.firings) {
              const size = messageSizeOf(firing);
              if (batch.length > 0 && bytes + size > Limits.MAX_BATCH_BYTES) {
                yield { seq: seq++, firings: batch };
                batch = [];
                bytes = 0;
              }
              batch.push(firing);
              bytes += size;
              // A full batch goes at once, so a failure it meets is known before the next item starts.
              if (batch.length === Limits.MAX_BATCH_ENTRIES) {
                yield { seq: seq++, firings: batch };
                batch = [];
                bytes = 0;
              }
            }
            progress.itemPacked(seq + (batch.length > 0 ? 1 : 0), item.position);
          }
          if (stopped) break;
        }
        if (batch.length > 0) yield { seq: seq++, firings: batch };
      } finally {
        if (stopped) await iterator.return?.();
      }
    }

    const batches = packed();
    // Workers share one generator; pulls are chained so the generator is never entered twice at once.
    let pulling: Promise<unknown> = Promise.resolve();
    const next = (): Promise<IteratorResult<SeqBatch>> => {
      const pulled = pulling.then(() => batches.next());
      pulling = pulled.catch(() => undefined);
      return pulled;
    };
    let readFailure: unknown;
    const worker = async (): Promise<void> => {
      while (readFailure === undefined) {
        let item: IteratorResult<SeqBatch>;
        try {
          item = await next();
        } catch (err) {
          readFailure ??= err;
          return;
        }
        if (item.done) return;
        const failedBefore = report.failed;
        await this.sendWithRetry(item.value.firings, report, options);
        if (report.failed === failedBefore) progress.batchDone(item.value.seq);
        else failedBatch = true;
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency }, worker));
    this.count(report);
    if (readFailure !== undefined) throw readFailure;
    return { report, position: progress.position, complete: !stopped && !failedBatch };
  }

  private count(report: DispatchReport): void {
    const { metrics } = this.options;
    metrics.add(MetricName.FIRINGS_DISPATCHED, report.dispatched);
    metrics.add(MetricName.LATE_FIRINGS, report.late);
    metrics.add(MetricName.SEND_FAILURES, report.failed);
    metrics.add(MetricName.FIRINGS_REJECTED, report.rejected);
  }

  /** Firings already in memory (the API's few near-term ones): no more workers than batches. */
  private async sendAll(batches: readonly Firing[][], report: DispatchReport, options: DispatchOptions): Promise<void> {
    // The common case for the API: a new timer's one or two near-term firings.
    if (batches.length === 1) return this.sendWithRetry(batches[0], report, options);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) await this.sendWithRetry(batches[next++], report, options);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, batches.length) }, worker));
  }

  private async sendWithRetry(batch: Firing[], report: DispatchReport, options: DispatchOptions): Promise<void> {
    const { queue, clock, log } = this.options;
    const earliest = options.earliestMs ?? -Infinity;
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const now = clock.now();
      let failures: QueueFailure[];
      try {
        failures = await queue.sendBatch(toQueueEntries(pending, now));
      } catch (err) {
        failures = pending.map((_, i) => ({ id: String(i), code: (err as Error)?.name, message: String(err), permanent: false }));
        log.warn('queue refused a batch', { attempt, entries: pending.length, error: String(err) });
      }
      // Usually every entry is accepted: then there is no map of failures to build or look up.
      const failed = failures.length === 0 ? undefined : new Map(failures.map((f) => [f.id, f]));
      const retry: Firing[] = [];
      for (let i = 0; i < pending.length; i++) {
        const failure = failed?.get(String(i));
        if (failure?.permanent) {
          report.rejected++;
          this.setAside(pending[i], failure);
          continue;
        }
        if (failure) {
          retry.push(pending[i]);
          continue;
        }
        const lag = now - Math.max(pending[i].scheduledAt, earliest);
        report.dispatched++;
        if (lag > LATE_TOLERANCE_MS) report.late++;
        if (lag > report.maxLagMs) report.maxLagMs = lag;
      }
      if (retry.length === 0) return;
      pending = retry;
      const cap = Math.min(5000, this.baseBackoffMs * 2 ** (attempt - 1));
      const backoff = Math.random() * cap;
      if (attempt >= this.maxAttempts || (options.giveUpAt !== undefined && clock.now() + backoff >= options.giveUpAt)) {
        report.failed += pending.length;
        log.error('firings not accepted by the queue after retries', {
          attempts: attempt,
          firingIds: pending.map(firingIdOf),
        });
        return;
      }
      await clock.sleep(backoff);
    }
  }

  /** An entry the queue will never take: where an operator finds it, with what the queue said. */
  private setAside(firing: Firing, failure: QueueFailure): void {
    this.options.log.error('firing set aside: the queue refused its content for good', {
      timerId: firing.timerId,
      firingId: firingIdOf(firing),
      scheduledAt: firing.scheduledAt,
      code: failure.code,
      queueMessage: failure.message,
    });
  }
}
