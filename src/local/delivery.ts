/**
 * The delivery loop of the local runtime: the consumer side of the durable queue, standing in for an SQS event
 * source. A single timer is armed for the earliest visible-at in the queue (re-armed when an earlier message is
 * sent), so a firing is handed to its target at its target millisecond; due messages are claimed for every free slot
 * in one transaction and handed over in batches of up to ten, several batches in flight; acknowledgements are
 * written together once per turn of the event loop, and failures are retried with backoff until dead-lettered.
 */
import { Log, MessageAttribute } from '../core';
import { LatenessLog } from './lateness';
import { PrometheusMetrics } from './metrics';
import { QueueMessage, SqliteQueue } from './queue';
import { DeliveryTarget } from './targets';

export interface DeliveryOptions {
  /** Messages per target call, as an SQS event source's batch size. @default 10 */
  readonly batchSize?: number;
  /** Batches in flight at once. @default 10 */
  readonly concurrency?: number;
  /** How long a claimed message stays hidden (and a target call may take). */
  readonly visibilityTimeoutMs: number;
  /** Receives after which a failed message is dead-lettered. */
  readonly maxReceiveCount: number;
  /** Delay before the first retry; doubled on each further receive. */
  readonly retryBackoffMs: number;
  /** Told of each delivery, for `GET /lateness`. */
  readonly lateness?: LatenessLog;
}

/** setTimeout cannot wait longer than about 24.8 days; a far-off message is waited for in steps. */
const MAX_WAIT_MS = 3_600_000;
/** Cap of the doubling retry delay. */
const MAX_BACKOFF_MS = 300_000;

export class DeliveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private readonly running = new Set<Promise<void>>();
  /** Delivered messages waiting for the next acknowledgement write, with when their delivery started. */
  private acks: Array<{ readonly message: QueueMessage; readonly startedAt: number }> = [];
  private ackScheduled = false;
  private stopped = true;
  private readonly batchSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly queue: SqliteQueue,
    private readonly target: DeliveryTarget,
    private readonly metrics: PrometheusMetrics,
    private readonly log: Log,
    private readonly options: DeliveryOptions,
  ) {
    this.batchSize = options.batchSize ?? 10;
    this.concurrency = options.concurrency ?? 10;
    queue.onSend((visibleAt) => this.wakeBy(visibleAt));
  }

  start(): void {
    this.stopped = false;
    this.pump();
  }

  /**
   * Stops claiming, waits up to `graceMs` for batches in flight, then makes what is still in flight visible again
   * so that the next start delivers it.
   */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.disarm();
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => {
        grace = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(grace);
    // Delivered messages are deleted before the rest is handed back, or they would be delivered again.
    this.flushAcks();
    this.queue.releaseInFlight(Date.now());
  }

  /** Batches being delivered right now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Makes sure the loop wakes no later than `visibleAt`. */
  private wakeBy(visibleAt: number): void {
    if (this.stopped || visibleAt >= this.armedFor) return;
    this.arm(visibleAt);
  }

  private arm(at: number): void {
    this.disarm();
    this.armedFor = at;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, at - Date.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armedFor = Infinity;
      this.pump();
    }, wait);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  /**
   * Claims due messages for every free slot in one transaction, starts them as batches, then sleeps until the next
   * message becomes visible. One claim per slot would cost a commit per ten firings, which a burst of thousands of
   * firings due in the same second cannot afford.
   */
  private pump(): void {
    if (this.stopped) return;
    const free = this.concurrency - this.running.size;
    if (free > 0) {
      const claimed = this.queue.claim(Date.now(), free * this.batchSize, this.options.visibilityTimeoutMs);
      for (let i = 0; i < claimed.length; i += this.batchSize) {
        const run: Promise<void> = this.deliver(claimed.slice(i, i + this.batchSize)).finally(() => {
          this.running.delete(run);
          // Yield first, so a burst of batches cannot starve the HTTP server.
          setImmediate(() => this.pump());
        });
        this.running.add(run);
      }
    }
    // With every slot busy, a finishing batch pumps again; arming now would only spin on messages already due.
    if (this.running.size >= this.concurrency) {
      this.disarm();
      return;
    }
    const next = this.queue.nextVisibleAt();
    if (next === undefined) this.disarm();
    else this.arm(next);
  }

  private acknowledge(message: QueueMessage, startedAt: number): void {
    this.acks.push({ message, startedAt });
    if (!this.ackScheduled) {
      this.ackScheduled = true;
      setImmediate(() => this.flushAcks());
    }
  }

  /** Deletes every delivered message of this turn in one transaction (a commit per firing would dominate the CPU). */
  private flushAcks(): void {
    this.ackScheduled = false;
    const acks = this.acks;
    this.acks = [];
    if (acks.length === 0) return;
    // Every delivery the target took counts for /lateness, acknowledged or not: a firing whose acknowledgement is lost
    // is delivered again, and that second delivery is a duplicate the target saw.
    for (const { message, startedAt } of acks) {
      this.options.lateness?.record(message.firingId, message.attributes[MessageAttribute.TIMER_KIND] ?? 'unknown', message.scheduledAt, startedAt);
    }
    let acked: boolean[];
    try {
      acked = this.queue.ackAll(acks.map((a) => a.message));
    } catch (err) {
      // The messages stay claimed and come back when their visibility timeout lapses: delivered twice, never lost.
      this.log.error('could not record delivered firings', { messages: acks.length, error: String(err) });
      return;
    }
    acks.forEach(({ message, startedAt }, i) => {
      if (acked[i]) this.metrics.delivered(startedAt - message.scheduledAt);
    });
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    const startedAt = Date.now();
    let failures: Map<string, string>;
    try {
      failures = await this.target.deliver(batch, startedAt + this.options.visibilityTimeoutMs);
    } catch (err) {
      failures = new Map(batch.map((m) => [m.messageId, `delivery failed: ${String(err)}`]));
    }
    const now = Date.now();
    for (const message of batch) {
      const reason = failures.get(message.messageId);
      try {
        if (reason === undefined) {
          this.acknowledge(message, startedAt);
          continue;
        }
        this.metrics.deliveriesFailed++;
        const backoff = Math.min(MAX_BACKOFF_MS, this.options.retryBackoffMs * 2 ** (message.receiveCount - 1));
        const outcome = this.queue.fail(message, now, now + backoff, this.options.maxReceiveCount, reason);
        if (outcome === 'dead-letter') {
          this.metrics.deadLettered++;
          this.log.warn('firing moved to the dead letters', { firingId: message.firingId, receiveCount: message.receiveCount, reason });
        } else if (outcome === 'retry') {
          this.log.warn('delivery failed; will retry', { firingId: message.firingId, receiveCount: message.receiveCount, retryInMs: backoff, reason });
          this.wakeBy(now + backoff);
        }
      } catch (err) {
        // The message stays claimed and comes back when its visibility timeout lapses.
        this.log.error('could not record a delivery outcome', { firingId: message.firingId, error: String(err) });
      }
    }
  }
}
