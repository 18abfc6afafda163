/**
 * The durable delivery queue of the local runtime, on SQLite: the `FiringQueue` port the Dispatcher sends to, and
 * the receive side the delivery loop (`delivery.ts`) claims from. It behaves like the SQS queue of the AWS face,
 * with millisecond resolution: a message becomes visible at its firing's exact `scheduledAt`, a claimed message is
 * hidden for a visibility timeout, every receive counts, and a message that failed too often moves to a
 * dead-letter table. Rows are deleted only once delivered, so a killed process loses nothing.
 */
import { randomUUID } from 'crypto';
import type { Database, Statement } from 'better-sqlite3';
import { FiringQueue, MessageAttribute, QueueEntry, QueueFailure, TimerKind, firingIdOf, messageAttributesOf } from '../core';
import { FiringKeys } from './firing-keys';
import { TurnWrites } from './turn-writes';
import { VisibilitySchedule } from './visibility';

/** One message as a delivery target sees it. */
export interface QueueMessage {
  /** The message's row: an acknowledgement names it, with the message id and receive count it was claimed with. */
  readonly seq: number;
  readonly messageId: string;
  /** `{messageId}#{receiveCount}`: acknowledging with a stale handle (a timed-out receive) does nothing. */
  readonly receiptHandle: string;
  readonly firingId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly scheduledAt: number;
  readonly sentAt: number;
  /** Receives so far, this one included. */
  readonly receiveCount: number;
  readonly firstReceivedAt: number;
}

/** One dead-lettered firing, as `GET /dead-letters` lists it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly firingId: string;
  readonly timerId: string;
  readonly kind: string;
  readonly scheduledAt: string;
  readonly timerCallbackData: unknown;
  readonly receiveCount: number;
  readonly deadLetteredAt: string;
  readonly lastError: string | null;
}

interface QueueRow {
  seq: number;
  message_id: string;
  timer_id: string;
  scheduled_at: number;
  kind: TimerKind;
  body: string;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
}

interface DeadLetterRow {
  message_id: string;
  firing_id: string;
  body: string;
  attributes: string;
  scheduled_at: number;
  receive_count: number;
  dead_lettered_at: number;
  last_error: string | null;
}

/** A message row as its delete returns it: enough to take it off the schedule and the keys. */
interface DeletedRow {
  readonly seq: number;
  readonly timer_id: string;
  readonly scheduled_at: number;
}

/** What happened to a failed delivery. */
export type FailureOutcome = 'retry' | 'dead-letter' | 'stale';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class SqliteQueue implements FiringQueue {
  private readonly stmt: Record<string, Statement>;
  /** When each queued message becomes visible; changed only after the write to the table committed. */
  private readonly schedule = new VisibilitySchedule();
  /** The queued firings by (timer, instant), as committed. */
  private readonly keys = new FiringKeys();
  /** Firings inserted by the transaction being written and not yet committed, so that it does not queue one twice. */
  private readonly uncommitted = new FiringKeys();
  private readonly claimTx: (seqs: readonly number[], nowMs: number, hiddenUntil: number) => QueueMessage[];
  private readonly deadLetterTx: (message: QueueMessage, nowMs: number, error: string) => DeletedRow | undefined;
  private readonly ackTx: (messages: readonly QueueMessage[]) => Array<DeletedRow | undefined>;
  private readonly dropTx: (seqs: readonly number[]) => DeletedRow[];
  private readonly listeners: Array<(visibleAt: number) => void> = [];
  /** `writes` is shared with the store, so that a timer and the firings queued with it commit together. */
  constructor(db: Database, private readonly writes: TurnWrites = new TurnWrites(db)) {
    const prepare = (sql: string): Statement => db.prepare(sql);
    this.stmt = {
      // Values are bound by position (cheaper than by name); a message becomes visible at its scheduled instant, so
      // that value is bound twice. The new row id comes from the insert itself.
      insert: prepare(
        `INSERT INTO queue (message_id, timer_id, scheduled_at, kind, body, sent_at, visible_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // A firing queued again (see sendBatch) keeps its row and its time, and takes the new data unless in flight.
      updateDuplicate: prepare('UPDATE queue SET kind = ?, body = ? WHERE seq = ? AND claimed_at IS NULL'),
      bySeq: prepare('SELECT * FROM queue WHERE seq = ?'),
      rows: prepare('SELECT seq, timer_id, scheduled_at, visible_at FROM queue'),
      markClaimed: prepare(
        `UPDATE queue SET receive_count = receive_count + 1, claimed_at = @nowMs, visible_at = @hiddenUntil,
           first_received_at = COALESCE(first_received_at, @nowMs)
         WHERE seq = @seq`,
      ),
      // A receipt is current while the row still holds the message it was claimed with and no receive came since.
      ack: prepare('DELETE FROM queue WHERE seq = ? AND message_id = ? AND receive_count = ? RETURNING seq, timer_id, scheduled_at'),
      retry: prepare(
        'UPDATE queue SET visible_at = ?, claimed_at = NULL, last_error = ? WHERE seq = ? AND message_id = ? AND receive_count = ? RETURNING seq',
      ),
      insertDeadLetter: prepare(
        `INSERT OR REPLACE INTO dead_letters (message_id, firing_id, body, attributes, scheduled_at, sent_at, receive_count, dead_lettered_at, last_error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      recover: prepare(
        'UPDATE queue SET visible_at = MIN(visible_at, ?), claimed_at = NULL WHERE claimed_at IS NOT NULL RETURNING seq, visible_at',
      ),
      drop: prepare('DELETE FROM queue WHERE seq = ? AND claimed_at IS NULL RETURNING seq, timer_id, scheduled_at'),
      depth: prepare('SELECT COUNT(*) AS n, COALESCE(SUM(claimed_at IS NOT NULL), 0) AS inFlight FROM queue'),
      deadLetters: prepare('SELECT * FROM dead_letters ORDER BY dead_lettered_at DESC, message_id LIMIT ?'),
      deadLetterCount: prepare('SELECT COUNT(*) AS n FROM dead_letters'),
    };
    this.claimTx = db.transaction((seqs: readonly number[], nowMs: number, hiddenUntil: number) => {
      const claimed: QueueMessage[] = [];
      for (const seq of seqs) {
        const row = this.stmt.bySeq.get(seq) as QueueRow | undefined;
        if (!row) continue;
        this.stmt.markClaimed.run({ seq, nowMs, hiddenUntil });
        const receiveCount = row.receive_count + 1;
        const firing = { timerId: row.timer_id, kind: row.kind, scheduledAt: row.scheduled_at, body: row.body };
        claimed.push({
          seq,
          messageId: row.message_id,
          receiptHandle: `${row.message_id}#${receiveCount}`,
          firingId: firingIdOf(firing),
          body: row.body,
          attributes: messageAttributesOf(firing),
          scheduledAt: row.scheduled_at,
          sentAt: row.sent_at,
          receiveCount,
          firstReceivedAt: row.first_received_at ?? nowMs,
        });
      }
      return claimed;
    });
    this.ackTx = db.transaction((messages: readonly QueueMessage[]) => messages.map((message) => this.deleteRow(message)));
    this.dropTx = db.transaction((seqs: readonly number[]) => {
      const dropped: DeletedRow[] = [];
      for (const seq of seqs) {
        const row = this.stmt.drop.get(seq) as DeletedRow | undefined;
        if (row) dropped.push(row);
      }
      return dropped;
    });
    this.deadLetterTx = db.transaction((message: QueueMessage, nowMs: number, error: string) => {
      const deleted = this.deleteRow(message);
      if (deleted === undefined) return undefined;
      const { messageId, firingId, body, attributes, scheduledAt, sentAt, receiveCount } = message;
      this.stmt.insertDeadLetter.run(messageId, firingId, body, JSON.stringify(attributes), scheduledAt, sentAt, receiveCount, nowMs, error);
      return deleted;
    });
    for (const [seq, timerId, scheduledAt, visibleAt] of this.stmt.rows.raw().iterate() as IterableIterator<[number, string, number, number]>) {
      this.schedule.set(seq, visibleAt);
      this.keys.set(timerId, scheduledAt, seq);
    }
  }

  /** Deletes a received message if its receipt is current; returns its row, for the schedule and keys once committed. */
  private deleteRow(message: QueueMessage): DeletedRow | undefined {
    return this.stmt.ack.get(message.seq, message.messageId, message.receiveCount) as DeletedRow | undefined;
  }

  /** Called with the earliest visible-at of every batch sent, so the delivery loop can wake earlier. */
  onSend(listener: (visibleAt: number) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Accepts a batch once it is committed: it is written in the transaction of this turn of the event loop, with the
   * other batches and timers of the turn (`TurnWrites`), so a tick's dispatch yields to the HTTP server and the
   * delivery loop between writes, and a commit is paid per turn rather than per batch. The promise resolves only
   * after the commit, so an entry reported accepted is durable before the tick that sent it advances its watermark;
   * if the transaction fails, every entry is reported not accepted, as a failure that may pass on a later attempt,
   * and the Dispatcher sends it again.
   */
  sendBatch(entries: readonly QueueEntry[]): Promise<QueueFailure[]> {
    if (entries.length === 0) return Promise.resolve([]);
    const sentAt = Date.now();
    // What was queued anew (an update of a message not yet received keeps its row and its time).
    const queued: Array<{ seq: number; timerId: string; scheduledAt: number }> = [];
    return new Promise((settle) => {
      this.writes.stage(
        () => {
          for (const { attributes, body, scheduledAt } of entries) {
            const timerId = attributes[MessageAttribute.TIMER_ID];
            const kind = attributes[MessageAttribute.TIMER_KIND];
            // The same firing sent twice (again after a failed send or a restart, or by a tick and a PUT retried after
            // a fault) is kept once; a replaced timer's new data wins over a copy not yet received.
            const queuedBefore = this.uncommitted.get(timerId, scheduledAt) ?? this.keys.get(timerId, scheduledAt);
            if (queuedBefore !== undefined) {
              this.stmt.updateDuplicate.run(kind, body, queuedBefore);
              continue;
            }
            const seq = Number(this.stmt.insert.run(randomUUID(), timerId, scheduledAt, kind, body, sentAt, scheduledAt).lastInsertRowid);
            this.uncommitted.set(timerId, scheduledAt, seq);
            queued.push({ seq, timerId, scheduledAt });
          }
        },
        (error) => {
          for (const { timerId, scheduledAt } of queued) this.uncommitted.delete(timerId, scheduledAt);
          if (error !== undefined) {
            const code = (error as { code?: unknown })?.code;
            const message = String(error);
            settle(entries.map(({ id }) => ({ id, ...(typeof code === 'string' && { code }), message, permanent: false })));
            return;
          }
          let earliest = Infinity;
          for (const { seq, timerId, scheduledAt } of queued) {
            this.schedule.set(seq, scheduledAt);
            this.keys.set(timerId, scheduledAt, seq);
            earliest = Math.min(earliest, scheduledAt);
          }
          settle([]);
          if (earliest < Infinity) for (const listener of this.listeners) listener(earliest);
        },
      );
    });
  }

  /** The earliest instant a message becomes visible (including in-flight ones whose timeout lapses), if any. */
  nextVisibleAt(): number | undefined {
    return this.schedule.earliest();
  }

  /** Claims up to `max` visible messages, oldest first, hiding them for the visibility timeout. */
  claim(nowMs: number, max: number, visibilityTimeoutMs: number): QueueMessage[] {
    const seqs = this.schedule.takeDue(nowMs, max);
    if (seqs.length === 0) return [];
    const hiddenUntil = nowMs + visibilityTimeoutMs;
    let claimed: QueueMessage[];
    try {
      claimed = this.claimTx(seqs, nowMs, hiddenUntil);
    } catch (err) {
      this.schedule.restore(seqs);
      throw err;
    }
    const found = new Set<number>();
    for (const { seq } of claimed) {
      found.add(seq);
      this.schedule.set(seq, hiddenUntil);
    }
    // A row id the schedule held but the table does not: nothing to deliver, so forget it.
    for (const seq of seqs) if (!found.has(seq)) this.schedule.delete(seq);
    return claimed;
  }

  /** Deletes a delivered message; false if the receipt is stale (it was received again since). */
  ack(message: QueueMessage): boolean {
    return this.forget(this.deleteRow(message));
  }

  /** Deletes delivered messages in one transaction; for each, false if its receipt is stale. */
  ackAll(messages: readonly QueueMessage[]): boolean[] {
    return this.ackTx(messages).map((seq) => this.forget(seq));
  }

  /** Makes a failed message visible again at `retryAt`, or dead-letters it once it reached `maxReceiveCount`. */
  fail(message: QueueMessage, nowMs: number, retryAt: number, maxReceiveCount: number, error: string): FailureOutcome {
    if (message.receiveCount >= maxReceiveCount) {
      return this.forget(this.deadLetterTx(message, nowMs, error)) ? 'dead-letter' : 'stale';
    }
    const row = this.stmt.retry.get(retryAt, error, message.seq, message.messageId, message.receiveCount) as { seq: number } | undefined;
    if (!row) return 'stale';
    this.schedule.set(row.seq, retryAt);
    return 'retry';
  }

  /**
   * Makes every claimed message visible now. At start this returns the in-flight messages of a process that died;
   * at shutdown, those whose handler did not finish in time.
   */
  releaseInFlight(nowMs: number): number {
    const rows = this.stmt.recover.all(nowMs) as Array<{ seq: number; visible_at: number }>;
    for (const row of rows) this.schedule.set(row.seq, row.visible_at);
    return rows.length;
  }

  /**
   * Drops the firings of a deleted timer that no delivery has claimed yet, so a DELETE also stops the firings a
   * tick already queued ahead of time. One being delivered still arrives (the contract allows that race).
   */
  dropTimer(timerId: string): number {
    const rows = this.dropTx(this.keys.rowsOf(timerId));
    for (const row of rows) this.forget(row);
    return rows.length;
  }

  /** Takes a deleted message off the schedule and the keys once its delete committed; true if there was one. */
  private forget(row: DeletedRow | undefined): boolean {
    if (row === undefined) return false;
    this.schedule.delete(row.seq);
    this.keys.delete(row.timer_id, row.scheduled_at);
    return true;
  }

  depth(): { readonly messages: number; readonly inFlight: number } {
    const row = this.stmt.depth.get() as { n: number; inFlight: number };
    return { messages: row.n, inFlight: row.inFlight };
  }

  deadLetterCount(): number {
    return (this.stmt.deadLetterCount.get() as { n: number }).n;
  }

  deadLetters(limit: number): DeadLetter[] {
    return (this.stmt.deadLetters.all(limit) as DeadLetterRow[]).map((row) => {
      const attributes = JSON.parse(row.attributes) as Record<string, string>;
      return {
        messageId: row.message_id,
        firingId: row.firing_id,
        timerId: attributes[MessageAttribute.TIMER_ID],
        kind: attributes[MessageAttribute.TIMER_KIND],
        scheduledAt: new Date(row.scheduled_at).toISOString(),
        timerCallbackData: parseJson(row.body),
        receiveCount: row.receive_count,
        deadLetteredAt: new Date(row.dead_lettered_at).toISOString(),
        lastError: row.last_error,
      };
    });
  }
}
