/**
 * The `TimerStore` port on SQLite: timers, each shard's watermark and lease, and the intervals in use. The engine
 * (`TimerApi`, `Ticker`) decides everything; this module only reads and writes rows. An in-memory index places
 * periodic timers by (shard, interval, offset) and an SQLite index one-shots by (shard, fireAt), so a tick reads only
 * the timers that can fire.
 */
import type { Database, Statement } from 'better-sqlite3';
import { ShardClaim, ShardState, Timer, TimerPages, TimerStore } from '../core';
import { PeriodicIndex } from './periodic-index';
import { TurnWrites } from './turn-writes';

/** Rows per page of a tick's read: large enough to batch well, small enough to keep the server responsive. */
const PAGE_SIZE = 500;

interface TimerRow {
  id: string;
  kind: string;
  shard_id: string;
  data: string;
  created_at: number;
  interval_s: number | null;
  offset_s: number | null;
  start_at: number | null;
  end_at: number | null;
  fire_at: number | null;
  expires_at: number | null;
}

interface ShardRow {
  shard_id: string;
  watermark: number;
  claimed_until: number;
  lease_owner: string | null;
  lease_until: number | null;
}

function timerOf(row: TimerRow): Timer {
  const base = { id: row.id, shardId: row.shard_id, data: row.data, createdAt: row.created_at };
  if (row.kind === 'periodic') {
    return {
      ...base,
      kind: 'periodic',
      interval: row.interval_s!,
      offset: row.offset_s!,
      ...(row.start_at !== null && { startAt: row.start_at }),
      ...(row.end_at !== null && { endAt: row.end_at }),
    };
  }
  return { ...base, kind: 'oneshot', fireAt: row.fire_at!, expiresAt: row.expires_at! };
}

/** A timer's column values in the order of the INSERT below: bound by position, which costs less than by name. */
type TimerValues = [string, string, string, string, number, number | null, number | null, number | null, number | null, number | null, number | null];

function valuesOf(timer: Timer): TimerValues {
  const { id, kind, shardId, data, createdAt } = timer;
  if (timer.kind === 'periodic') {
    return [id, kind, shardId, data, createdAt, timer.interval, timer.offset, timer.startAt ?? null, timer.endAt ?? null, null, null];
  }
  return [id, kind, shardId, data, createdAt, null, null, null, null, timer.fireAt, timer.expiresAt];
}

export class SqliteTimerStore implements TimerStore {
  private readonly stmt: Record<string, Statement>;
  /** The committed periodic timers by schedule key; built from the table at construction. */
  private readonly periodic = new PeriodicIndex();
  /** Timers staged in this turn's transaction and not yet committed, by id: the newest PUT of each id. */
  private readonly pendingById = new Map<string, Timer>();
  private readonly deleteTx: (id: string) => Timer | undefined;
  private readonly claimTx: (claim: ShardClaim) => ShardState | undefined;
  /** `{shard}/{interval}` pairs known to be recorded: rows of shard_intervals are never deleted. */
  private readonly registered = new Set<string>();
  /**
   * Each shard's state as last read. The database is held exclusively and every write to a shard goes through this
   * store, which drops the shard's entry as it writes; so the API, which reads the state after every create, reads
   * memory instead of two queries.
   */
  private readonly shardStates = new Map<string, ShardState>();

  /** `writes` is shared with the queue, so that a timer and the firings queued with it commit together. */
  constructor(db: Database, private readonly writes: TurnWrites = new TurnWrites(db)) {
    const prepare = (sql: string): Statement => db.prepare(sql);
    this.stmt = {
      getTimer: prepare('SELECT * FROM timers WHERE id = ?'),
      putTimer: prepare(
        `INSERT OR REPLACE INTO timers (id, kind, shard_id, data, created_at, interval_s, offset_s, start_at, end_at, fire_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteTimer: prepare('DELETE FROM timers WHERE id = ?'),
      getShard: prepare('SELECT * FROM shards WHERE shard_id = ?'),
      intervals: prepare('SELECT interval_s FROM shard_intervals WHERE shard_id = ? ORDER BY interval_s'),
      initShard: prepare('INSERT OR IGNORE INTO shards (shard_id, watermark, claimed_until) VALUES (?, ?, ?)'),
      registerInterval: prepare('INSERT OR IGNORE INTO shard_intervals (shard_id, interval_s) VALUES (?, ?)'),
      claim: prepare(
        `UPDATE shards SET lease_owner = @owner, lease_until = @leaseUntil, claimed_until = MAX(claimed_until, @claimUntil)
         WHERE shard_id = @shardId AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= @nowMs)`,
      ),
      advance: prepare(
        `UPDATE shards SET watermark = @to, claimed_until = MAX(claimed_until, @to)
         WHERE shard_id = @shardId AND lease_owner = @owner AND watermark = @from`,
      ),
      release: prepare('UPDATE shards SET lease_owner = NULL, lease_until = NULL WHERE shard_id = ? AND lease_owner = ?'),
      releaseAll: prepare('UPDATE shards SET lease_owner = NULL, lease_until = NULL'),
      // What the in-memory periodic index is built from.
      periodicKeys: prepare("SELECT id, shard_id, interval_s, offset_s FROM timers WHERE kind = 'periodic'"),
      // Keyset paging in two seeks, as SQLite does not seek on a row-value comparison like (fire_at, id) > (?, ?):
      // the rest of the last key read, then the keys after it. Both are index range scans (EXPLAIN QUERY PLAN).
      oneShotFrom: prepare(
        `SELECT * FROM timers INDEXED BY timers_oneshot
         WHERE kind = 'oneshot' AND shard_id = @shardId AND fire_at >= @from AND fire_at < @to
         ORDER BY fire_at, id LIMIT @limit`,
      ),
      oneShotSameKey: prepare(
        `SELECT * FROM timers INDEXED BY timers_oneshot
         WHERE kind = 'oneshot' AND shard_id = @shardId AND fire_at = @at AND id > @afterId
         ORDER BY id LIMIT @limit`,
      ),
      countOneShots: prepare('SELECT COUNT(*) AS n FROM timers INDEXED BY timers_expiry WHERE kind = \'oneshot\' AND expires_at > ?'),
      deleteExpired: prepare(
        'DELETE FROM timers WHERE id IN (SELECT id FROM timers INDEXED BY timers_expiry WHERE kind = \'oneshot\' AND expires_at <= ? LIMIT 1000)',
      ),
    };
    for (const [id, shardId, interval, offset] of this.stmt.periodicKeys.raw().iterate() as IterableIterator<[string, string, number, number]>) {
      this.periodic.add({ shardId, interval, offset }, id);
    }
    this.deleteTx = db.transaction((id: string) => {
      const previous = this.stmt.getTimer.get(id) as TimerRow | undefined;
      if (previous) this.stmt.deleteTimer.run(id);
      return previous && timerOf(previous);
    });
    this.claimTx = db.transaction((claim: ShardClaim) => {
      const changed = this.stmt.claim.run(claim).changes;
      return changed === 1 ? this.readShard(claim.shardId) : undefined;
    });
  }

  /**
   * Stages the timer in this turn's transaction and resolves at once: from then on a claim of its shard writes it
   * first (`claimShard`), so a tick that claims after this resolves reads the timer (invariant 4). It is durable once
   * `sync` resolves, which the API waits for before it answers.
   */
  async putTimer(timer: Timer): Promise<Timer | undefined> {
    const previous = this.pendingById.has(timer.id) ? this.pendingById.get(timer.id) : this.readTimer(timer.id);
    this.pendingById.set(timer.id, timer);
    this.writes.stage(
      () => this.stmt.putTimer.run(...valuesOf(timer)),
      (error) => {
        // Committed or not, the database now tells what is stored; a newer PUT of the id may still be staged.
        if (this.pendingById.get(timer.id) === timer) this.pendingById.delete(timer.id);
        if (error !== undefined) return;
        if (previous?.kind === 'periodic') this.periodic.remove(previous, previous.id);
        if (timer.kind === 'periodic') this.periodic.add(timer, timer.id);
      },
    );
    return previous;
  }

  /** Resolves once every write staged so far is committed; rejects if their transaction failed. */
  sync(): Promise<void> {
    return this.writes.committed();
  }

  async getTimer(id: string): Promise<Timer | undefined> {
    return this.readTimer(id);
  }

  async deleteTimer(id: string): Promise<Timer | undefined> {
    // A PUT of the same id still staged must not be written after the DELETE and bring the timer back.
    this.writes.flush();
    const deleted = this.deleteTx(id);
    if (deleted?.kind === 'periodic') this.periodic.remove(deleted, deleted.id);
    return deleted;
  }

  async getShardState(shardId: string): Promise<ShardState | undefined> {
    return this.readShard(shardId);
  }

  async initShardState(shardId: string, watermark: number): Promise<ShardState> {
    this.shardStates.delete(shardId);
    this.stmt.initShard.run(shardId, watermark, watermark);
    return this.readShard(shardId)!;
  }

  async registerInterval(shardId: string, intervalSeconds: number): Promise<void> {
    // Every PUT of a periodic timer registers its interval; writing it only once saves a commit per create.
    const key = `${shardId}/${intervalSeconds}`;
    if (this.registered.has(key)) return;
    this.shardStates.delete(shardId);
    this.stmt.registerInterval.run(shardId, intervalSeconds);
    this.registered.add(key);
  }

  async claimShard(claim: ShardClaim): Promise<ShardState | undefined> {
    // Timers staged before the claim are written first, so the tick that claims reads them (see putTimer).
    this.writes.flush();
    this.shardStates.delete(claim.shardId);
    try {
      return this.claimTx(claim);
    } catch (err) {
      // The state read inside the transaction was cached before it rolled back.
      this.shardStates.delete(claim.shardId);
      throw err;
    }
  }

  async advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean> {
    this.shardStates.delete(shardId);
    return this.stmt.advance.run({ shardId, owner, from, to }).changes === 1;
  }

  async releaseShard(shardId: string, owner: string): Promise<void> {
    this.shardStates.delete(shardId);
    this.stmt.release.run(shardId, owner);
  }

  /** Pages of timers found by the in-memory index, each read from the table by id when its page is reached. */
  async *queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number): TimerPages {
    for (const ids of this.periodic.range(shardId, intervalSeconds, offsetFrom, offsetTo, PAGE_SIZE)) {
      const page: Timer[] = [];
      for (const id of ids) {
        const timer = this.readTimer(id);
        // Replaced or deleted since the page was taken: it is indexed under its new key, or nowhere.
        if (timer?.kind === 'periodic' && timer.shardId === shardId && timer.interval === intervalSeconds && timer.offset >= offsetFrom && timer.offset < offsetTo) {
          page.push(timer);
        }
      }
      yield page;
    }
  }

  async *queryOneShots(shardId: string, fromMs: number, toMs: number): TimerPages {
    yield* this.pages(this.stmt.oneShotFrom, this.stmt.oneShotSameKey, { shardId }, fromMs, toMs, (row) => row.fire_at!);
  }

  /**
   * Frees every shard lease. Only called at start: the database is held exclusively, so a lease still recorded
   * belongs to a process that died mid-tick, and waiting for it to lapse would only delay the catch-up.
   */
  releaseAllLeases(): void {
    this.shardStates.clear();
    this.stmt.releaseAll.run();
  }

  /** Stored timers by kind, leaving out one-shots past their retention. */
  countTimers(nowMs: number): Record<string, number> {
    // Periodic timers are counted by their in-memory index, so the figure also shows that the index matches the table.
    return { periodic: this.periodic.size, oneshot: (this.stmt.countOneShots.get(nowMs) as { n: number }).n };
  }

  /** Forgets fired one-shots past their retention, a bounded batch at a time; returns how many went. */
  deleteExpired(nowMs: number): number {
    return this.stmt.deleteExpired.run(nowMs).changes;
  }

  /**
   * Keyset paging over an index ordered by (key, id) with whole-number keys in [from, to): each page resumes after
   * the last (key, id) read, so a page costs the same however deep the read is.
   */
  private *pages(
    fromKey: Statement,
    sameKey: Statement,
    params: Record<string, unknown>,
    from: number,
    to: number,
    keyOf: (row: TimerRow) => number,
  ): Generator<Timer[]> {
    let rows = fromKey.all({ ...params, from, to, limit: PAGE_SIZE }) as TimerRow[];
    while (rows.length > 0) {
      yield rows.map(timerOf);
      if (rows.length < PAGE_SIZE) return;
      const last = rows[rows.length - 1];
      const at = keyOf(last);
      rows = sameKey.all({ ...params, at, afterId: last.id, limit: PAGE_SIZE }) as TimerRow[];
      if (rows.length < PAGE_SIZE) {
        rows = rows.concat(fromKey.all({ ...params, from: at + 1, to, limit: PAGE_SIZE - rows.length }) as TimerRow[]);
      }
    }
  }

  private readTimer(id: string): Timer | undefined {
    const row = this.stmt.getTimer.get(id) as TimerRow | undefined;
    return row && timerOf(row);
  }

  private readShard(shardId: string): ShardState | undefined {
    const cached = this.shardStates.get(shardId);
    if (cached) return cached;
    const row = this.stmt.getShard.get(shardId) as ShardRow | undefined;
    if (!row) return undefined;
    const intervals = (this.stmt.intervals.all(shardId) as Array<{ interval_s: number }>).map((r) => r.interval_s);
    const state: ShardState = {
      shardId: row.shard_id,
      watermark: row.watermark,
      claimedUntil: Math.max(row.claimed_until, row.watermark),
      ...(row.lease_owner !== null && { leaseOwner: row.lease_owner }),
      ...(row.lease_until !== null && { leaseUntil: row.lease_until }),
      intervals,
    };
    this.shardStates.set(shardId, state);
    return state;
  }
}
