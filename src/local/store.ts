/**
 * The `TimerStore` port on SQLite: timers and each shard's watermark, lease and cursor. The engine (`TimerApi`,
 * `Ticker`) decides everything; this module only reads and writes rows. An in-memory index places periodic timers
 * by (shard, interval, offset) and SQLite indexes one-shots by (shard, fireAt) and cron timers by (shard, dueAt, kept
 * in the same column), so a tick reads only the timers that can fire; periodic timers that ended are taken out of the in-memory index, so no tick reads them again.
 */
import type { Database, Statement } from 'better-sqlite3';
import { CronAdvance, CronTimer, OneShotTimer, PeriodicTimer, ShardClaim, ShardState, Timer, TimerPage, TimerPages, TimerStore } from '../core';
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
  tick_from: number;
  cron: string | null;
  time_zone: string | null;
  paused_at: number | null;
  missed_firings: string | null;
}

interface ShardRow {
  shard_id: string;
  watermark: number;
  lease_owner: string | null;
  lease_until: number | null;
  cursor: string | null;
}

/** Sets `pausedAt` and `missedFirings` of a timer read from a row, where the row has them. */
function withOptionalColumns<T extends Timer>(timer: T, row: TimerRow): T {
  if (row.paused_at === null && row.missed_firings === null) return timer;
  const out: { -readonly [K in keyof Timer]?: Timer[K] } = timer;
  if (row.paused_at !== null) out.pausedAt = row.paused_at;
  if (row.missed_firings === 'latest' || row.missed_firings === 'none') out.missedFirings = row.missed_firings;
  return timer;
}

function timerOf(row: TimerRow): Timer {
  if (row.kind === 'periodic') {
    const timer: { -readonly [K in keyof PeriodicTimer]: PeriodicTimer[K] } = {
      id: row.id,
      shardId: row.shard_id,
      data: row.data,
      createdAt: row.created_at,
      tickFrom: row.tick_from,
      kind: 'periodic',
      interval: row.interval_s!,
      offset: row.offset_s!,
    };
    if (row.start_at !== null) timer.startAt = row.start_at;
    if (row.end_at !== null) timer.endAt = row.end_at;
    if (row.expires_at !== null) timer.expiresAt = row.expires_at;
    return withOptionalColumns(timer, row);
  }
  if (row.kind === 'cron') {
    const timer: { -readonly [K in keyof CronTimer]: CronTimer[K] } = {
      id: row.id,
      shardId: row.shard_id,
      data: row.data,
      createdAt: row.created_at,
      tickFrom: row.tick_from,
      kind: 'cron',
      cron: row.cron!,
      timeZone: row.time_zone!,
    };
    if (row.start_at !== null) timer.startAt = row.start_at;
    if (row.end_at !== null) timer.endAt = row.end_at;
    if (row.fire_at !== null) timer.dueAt = row.fire_at;
    if (row.expires_at !== null) timer.expiresAt = row.expires_at;
    return withOptionalColumns(timer, row);
  }
  const oneShot: { -readonly [K in keyof OneShotTimer]: OneShotTimer[K] } = {
    id: row.id,
    shardId: row.shard_id,
    data: row.data,
    createdAt: row.created_at,
    tickFrom: row.tick_from,
    kind: 'oneshot',
    fireAt: row.fire_at!,
  };
  // A paused one-shot has no expiry.
  if (row.expires_at !== null) oneShot.expiresAt = row.expires_at;
  return withOptionalColumns(oneShot, row);
}

/** A timer's column values in the order of the INSERT below: bound by position, which costs less than by name. */
type Nullable = number | null;
type TimerValues = [
  string, string, string, string, number, Nullable, Nullable, Nullable, Nullable, Nullable, Nullable, number, string | null, string | null,
  Nullable, string | null,
];

function valuesOf(timer: Timer): TimerValues {
  const { id, kind, shardId, data, createdAt, tickFrom, pausedAt = null, missedFirings = null } = timer;
  if (timer.kind === 'periodic') {
    const { interval, offset, startAt, endAt, expiresAt } = timer;
    return [
      id, kind, shardId, data, createdAt, interval, offset, startAt ?? null, endAt ?? null, null, expiresAt ?? null, tickFrom, null, null,
      pausedAt, missedFirings,
    ];
  }
  if (timer.kind === 'cron') {
    const { startAt = null, endAt = null, dueAt = null, expiresAt = null, cron, timeZone } = timer;
    return [id, kind, shardId, data, createdAt, null, null, startAt, endAt, dueAt, expiresAt, tickFrom, cron, timeZone, pausedAt, missedFirings];
  }
  const { fireAt, expiresAt = null } = timer;
  return [id, kind, shardId, data, createdAt, null, null, null, null, fireAt, expiresAt, tickFrom, null, null, pausedAt, missedFirings];
}

/**
 * A position of a schedule read: `{key}:{id}`, the key being the offset of a periodic timer, the fireAt of a one-shot
 * or the dueAt of a cron timer, which is where each read is ordered by, then by id.
 */
function positionOf(key: number, id: string): string {
  return `${key}:${id}`;
}

function parsePosition(position: string): { readonly key: number; readonly id: string } {
  const colon = position.indexOf(':');
  const key = colon > 0 ? Number(position.slice(0, colon)) : NaN;
  if (!Number.isSafeInteger(key)) throw new Error(`${JSON.stringify(position)} is not a position of a SQLite timer read: expected {key}:{id}`);
  return { key, id: position.slice(colon + 1) };
}

/** The same stored version of a periodic timer: a PUT of its id since then wrote another one. */
function sameVersion(a: PeriodicTimer, b: PeriodicTimer): boolean {
  return a.createdAt === b.createdAt && a.tickFrom === b.tickFrom && a.endAt === b.endAt
    && a.shardId === b.shardId && a.interval === b.interval && a.offset === b.offset;
}

export interface SqliteTimerStoreOptions {
  /** Timers per page of a schedule read. @default 500 */
  readonly pageSize?: number;
}

export class SqliteTimerStore implements TimerStore {
  private readonly stmt: Record<string, Statement>;
  private readonly pageSize: number;
  /** The committed periodic timers still in the schedule, by schedule key; built from the table at construction. */
  private readonly periodic = new PeriodicIndex();
  /**
   * The committed periodic timers taken out of the schedule (ended), by id: stored, readable until they expire, and
   * counted, but read by no tick. Every periodic row is in exactly one of `periodic` and `retired`.
   */
  private readonly retired = new Set<string>();
  /** Timers staged in this turn's transaction and not yet committed, by id: the newest PUT of each id. */
  private readonly pendingById = new Map<string, Timer>();
  private readonly deleteTx: (id: string) => Timer | undefined;
  private readonly claimTx: (claim: ShardClaim) => ShardState | undefined;
  /**
   * Each shard's state as last read. The database is held exclusively and every write to a shard goes through this
   * store, which drops the shard's entry as it writes; so a tick's reads of the state come from memory.
   */
  private readonly shardStates = new Map<string, ShardState>();

  /** `writes` is shared with the queue, so that the writes of one turn commit together. */
  constructor(db: Database, private readonly writes: TurnWrites = new TurnWrites(db), options: SqliteTimerStoreOptions = {}) {
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error(`pageSize must be a whole number of at least 1, got ${this.pageSize}`);
    const prepare = (sql: string): Statement => db.prepare(sql);
    this.stmt = {
      getTimer: prepare('SELECT * FROM timers WHERE id = ?'),
      putTimer: prepare(
        `INSERT OR REPLACE INTO timers
           (id, kind, shard_id, data, created_at, interval_s, offset_s, start_at, end_at, fire_at, expires_at, tick_from, cron, time_zone,
            paused_at, missed_firings)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteTimer: prepare('DELETE FROM timers WHERE id = ?'),
      getShard: prepare('SELECT * FROM shards WHERE shard_id = ?'),
      initShard: prepare('INSERT OR IGNORE INTO shards (shard_id, watermark) VALUES (?, ?)'),
      claim: prepare(
        `UPDATE shards SET lease_owner = @owner, lease_until = @leaseUntil
         WHERE shard_id = @shardId
           AND (lease_owner IS NULL OR lease_until IS NULL OR lease_until <= @nowMs OR lease_owner = @takeOverFrom)`,
      ),
      checkpoint: prepare(
        `UPDATE shards SET cursor = @cursor, lease_until = @leaseUntil
         WHERE shard_id = @shardId AND lease_owner = @owner AND watermark = @watermark`,
      ),
      advance: prepare(
        `UPDATE shards SET watermark = @to, cursor = NULL
         WHERE shard_id = @shardId AND lease_owner = @owner AND watermark = @from`,
      ),
      release: prepare('UPDATE shards SET lease_owner = NULL, lease_until = NULL WHERE shard_id = ? AND lease_owner = ?'),
      releaseAll: prepare('UPDATE shards SET lease_owner = NULL, lease_until = NULL'),
      // What the in-memory periodic index is built from.
      periodicKeys: prepare("SELECT id, shard_id, interval_s, offset_s, end_at FROM timers WHERE kind = 'periodic'"),
      watermarks: prepare('SELECT shard_id, watermark FROM shards'),
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
      cronFrom: prepare(
        `SELECT * FROM timers INDEXED BY timers_cron
         WHERE kind = 'cron' AND shard_id = @shardId AND fire_at >= @from AND fire_at < @to
         ORDER BY fire_at, id LIMIT @limit`,
      ),
      cronSameKey: prepare(
        `SELECT * FROM timers INDEXED BY timers_cron
         WHERE kind = 'cron' AND shard_id = @shardId AND fire_at = @at AND id > @afterId
         ORDER BY id LIMIT @limit`,
      ),
      advanceCron: prepare(
        `UPDATE timers SET tick_from = @tickFrom, fire_at = @dueAt, expires_at = @expiresAt
         WHERE id = @id AND kind = 'cron' AND created_at = @createdAt AND tick_from = @readTickFrom AND fire_at = @readDueAt`,
      ),
      countCron: prepare("SELECT COUNT(*) AS n FROM timers INDEXED BY timers_cron WHERE kind = 'cron' AND (expires_at IS NULL OR expires_at > ?)"),
      countOneShots: prepare("SELECT COUNT(*) AS n FROM timers INDEXED BY timers_expiry WHERE expires_at > ? AND kind = 'oneshot'"),
      // Paused one-shots have no expiry.
      countPausedOneShots: prepare("SELECT COUNT(*) AS n FROM timers INDEXED BY timers_paused WHERE paused_at IS NOT NULL AND kind = 'oneshot' AND expires_at IS NULL"),
      countExpiredPeriodic: prepare("SELECT COUNT(*) AS n FROM timers INDEXED BY timers_expiry WHERE expires_at <= ? AND kind = 'periodic'"),
      deleteExpired: prepare(
        `DELETE FROM timers WHERE id IN (SELECT id FROM timers INDEXED BY timers_expiry WHERE expires_at <= ? LIMIT 1000)
         RETURNING id, kind, shard_id, interval_s, offset_s`,
      ),
    };
    // A timer that ended before its shard's watermark has no firing left to send: it is not placed in the schedule.
    // (Not one that ended before now: after a stop, the windows from the watermark on still owe its last firings.)
    const watermarks = new Map<string, number>();
    for (const [shardId, watermark] of this.stmt.watermarks.raw().iterate() as IterableIterator<[string, number]>) watermarks.set(shardId, watermark);
    const rows = this.stmt.periodicKeys.raw().iterate() as IterableIterator<[string, string, number, number, number | null]>;
    for (const [id, shardId, interval, offset, endAt] of rows) {
      if (endAt !== null && endAt <= (watermarks.get(shardId) ?? -Infinity)) this.retired.add(id);
      else this.periodic.add({ shardId, interval, offset }, id);
    }
    this.deleteTx = db.transaction((id: string) => {
      const previous = this.stmt.getTimer.get(id) as TimerRow | undefined;
      if (previous) this.stmt.deleteTimer.run(id);
      return previous && timerOf(previous);
    });
    this.claimTx = db.transaction((claim: ShardClaim) => {
      const { shardId, owner, nowMs, leaseUntil } = claim;
      const changed = this.stmt.claim.run({ shardId, owner, nowMs, leaseUntil, takeOverFrom: claim.takeOverFrom ?? null }).changes;
      return changed === 1 ? this.readShard(shardId) : undefined;
    });
  }

  /**
   * Stages the timer in this turn's transaction and resolves at once; it is durable, and in the schedule, once `sync`
   * resolves, which the API waits for before it answers.
   */
  /**
   * Stages the write in this turn's transaction and settles with it: resolves once it is committed, rejects if that
   * transaction failed. (Waiting for `sync()` alone could miss a failure: a turn committed before `sync()` is called
   * leaves it nothing to wait for.)
   */
  putTimer(timer: Timer): Promise<void> {
    const previous = this.pendingById.has(timer.id) ? this.pendingById.get(timer.id) : this.readTimer(timer.id);
    this.pendingById.set(timer.id, timer);
    return new Promise((resolve, reject) => this.writes.stage(
      () => this.stmt.putTimer.run(...valuesOf(timer)),
      (error) => {
        // Committed or not, the database now tells what is stored; a newer PUT of the id may still be staged.
        if (this.pendingById.get(timer.id) === timer) this.pendingById.delete(timer.id);
        if (error !== undefined) {
          reject(error);
          return;
        }
        if (previous?.kind === 'periodic') this.unindex(previous);
        if (timer.kind === 'periodic') this.periodic.add(timer, timer.id);
        resolve();
      },
    ));
  }

  /** Resolves once every write staged so far is committed; rejects if their transaction failed. */
  sync(): Promise<void> {
    return this.writes.committed();
  }

  async getTimer(id: string): Promise<Timer | undefined> {
    return this.readTimer(id);
  }

  /** Compares and stages in one turn of the event loop, after the staged writes: nothing can come between. */
  async replaceTimer(expected: Timer, next: Timer): Promise<boolean> {
    this.writes.flush();
    const stored = this.readTimer(expected.id);
    if (!stored || stored.createdAt !== expected.createdAt || stored.tickFrom !== expected.tickFrom || stored.pausedAt !== expected.pausedAt) {
      return false;
    }
    await this.putTimer(next);
    return true;
  }

  async deleteTimer(id: string): Promise<Timer | undefined> {
    // A PUT of the same id still staged must not be written after the DELETE and bring the timer back.
    this.writes.flush();
    const deleted = this.deleteTx(id);
    if (deleted?.kind === 'periodic') this.unindex(deleted);
    return deleted;
  }

  /** Nothing to record: the in-memory index knows each shard's intervals from its timers (`listIntervals`). */
  async registerInterval(_shardId: string, _intervalSeconds: number, _nowMs: number): Promise<void> {}

  /** Exactly the intervals of the shard's periodic timers in the schedule, committed. */
  async listIntervals(shardId: string, _nowMs?: number): Promise<number[]> {
    return this.periodic.intervalsOf(shardId);
  }

  async getShardState(shardId: string): Promise<ShardState | undefined> {
    return this.readShard(shardId);
  }

  async initShardState(shardId: string, watermark: number): Promise<ShardState> {
    this.shardStates.delete(shardId);
    this.stmt.initShard.run(shardId, watermark);
    return this.readShard(shardId)!;
  }

  async claimShard(claim: ShardClaim): Promise<ShardState | undefined> {
    this.shardStates.delete(claim.shardId);
    try {
      return this.claimTx(claim);
    } catch (err) {
      // The state read inside the transaction was cached before it rolled back.
      this.shardStates.delete(claim.shardId);
      throw err;
    }
  }

  async checkpoint(shardId: string, owner: string, watermark: number, cursor: string | undefined, leaseUntil: number): Promise<boolean> {
    this.shardStates.delete(shardId);
    return this.stmt.checkpoint.run({ shardId, owner, watermark, cursor: cursor ?? null, leaseUntil }).changes === 1;
  }

  async advanceWatermark(shardId: string, owner: string, from: number, to: number): Promise<boolean> {
    this.shardStates.delete(shardId);
    return this.stmt.advance.run({ shardId, owner, from, to }).changes === 1;
  }

  async releaseShard(shardId: string, owner: string): Promise<void> {
    this.shardStates.delete(shardId);
    this.stmt.release.run(shardId, owner);
  }

  /**
   * Pages of timers found by the in-memory index, each read from the table by id when its page is reached; a
   * position is the timer's (offset, id), so a read resumes after it however the index changed since.
   */
  async *queryPeriodic(shardId: string, intervalSeconds: number, offsetFrom: number, offsetTo: number, after?: string): TimerPages {
    const resume = after === undefined ? undefined : parsePosition(after);
    const pages = this.periodic.range(shardId, intervalSeconds, offsetFrom, offsetTo, this.pageSize, resume && { offset: resume.key, id: resume.id });
    for (const { ids, offsets } of pages) {
      const timers: Timer[] = [];
      const positions: string[] = [];
      for (let i = 0; i < ids.length; i++) {
        const timer = this.readTimer(ids[i]);
        // Replaced or deleted since the page was taken: it is indexed under its new key, or nowhere.
        if (timer?.kind === 'periodic' && timer.shardId === shardId && timer.interval === intervalSeconds && timer.offset === offsets[i]) {
          timers.push(timer);
          positions.push(positionOf(offsets[i], ids[i]));
        }
      }
      if (timers.length > 0) yield { timers, positions };
    }
  }

  /** Keyset pages over the one-shot index, ordered by (fireAt, id); a position is the timer's (fireAt, id). */
  queryOneShots(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    return this.keysetPages(this.stmt.oneShotFrom, this.stmt.oneShotSameKey, shardId, fromMs, toMs, after);
  }

  /** Keyset pages over the cron index, ordered by (dueAt, id); a position is the timer's (dueAt, id). */
  queryCron(shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    return this.keysetPages(this.stmt.cronFrom, this.stmt.cronSameKey, shardId, fromMs, toMs, after);
  }

  /**
   * Stages the moves in this turn's transaction, with the firings the tick queued before them, and settles with it.
   * A timer PUT again or deleted since the tick read it (another `createdAt` or `tickFrom`, or no row) is left alone.
   */
  advanceCronTimers(advances: readonly CronAdvance[]): Promise<void> {
    if (advances.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.writes.stage(
      () => {
        for (const { read, next } of advances) {
          // A PUT of the id still staged in this turn replaces the row after this update, as it should.
          this.stmt.advanceCron.run({
            id: read.id,
            createdAt: read.createdAt,
            readTickFrom: read.tickFrom,
            readDueAt: read.dueAt ?? null,
            tickFrom: next.tickFrom,
            dueAt: next.dueAt ?? null,
            expiresAt: next.expiresAt ?? null,
          });
        }
      },
      (error) => (error === undefined ? resolve() : reject(error)),
    ));
  }

  /** Keyset pages of a (shard, key, id) index between two keys, ordered by (key, id). */
  private async *keysetPages(fromStmt: Statement, sameKeyStmt: Statement, shardId: string, fromMs: number, toMs: number, after?: string): TimerPages {
    const limit = this.pageSize;
    const from = (at: number, n: number): TimerRow[] => fromStmt.all({ shardId, from: at, to: toMs, limit: n }) as TimerRow[];
    // Each page resumes after the last (key, id) read, so a page costs the same however deep the read is.
    const rowsAfter = (at: number, id: string): TimerRow[] => {
      const rows = sameKeyStmt.all({ shardId, at, afterId: id, limit }) as TimerRow[];
      return rows.length < limit ? rows.concat(from(at + 1, limit - rows.length)) : rows;
    };
    const resume = after === undefined ? undefined : parsePosition(after);
    if (resume && resume.key >= toMs) return;
    let rows = resume && resume.key >= fromMs ? rowsAfter(resume.key, resume.id) : from(fromMs, limit);
    while (rows.length > 0) {
      yield this.pageOf(rows);
      if (rows.length < limit) return;
      const last = rows[rows.length - 1];
      rows = rowsAfter(last.fire_at!, last.id);
    }
  }

  /**
   * Takes ended timers out of the in-memory schedule; the table keeps them, unchanged, until they expire. At start
   * the index is rebuilt without them (see the constructor), so this writes nothing.
   */
  async retireTimers(timers: readonly PeriodicTimer[]): Promise<void> {
    for (const timer of timers) {
      const stored = this.readTimer(timer.id);
      if (stored?.kind !== 'periodic' || stored.endAt === undefined || !sameVersion(stored, timer)) continue;
      this.periodic.remove(stored, stored.id);
      this.retired.add(stored.id);
    }
  }

  /**
   * Frees every shard lease. Only called at start: the database is held exclusively, so a lease still recorded
   * belongs to a process that died mid-tick, and waiting for it to lapse would only delay the catch-up.
   */
  releaseAllLeases(): void {
    this.shardStates.clear();
    this.stmt.releaseAll.run();
  }

  /** Stored timers by kind, leaving out those past their retention (fired one-shots, ended periodic timers). */
  countTimers(nowMs: number): Record<string, number> {
    // Periodic timers are counted from memory (the expired are few: `deleteExpired` runs every tick), so the figure
    // also shows that the index matches the table.
    const expired = (this.stmt.countExpiredPeriodic.get(nowMs) as { n: number }).n;
    return {
      periodic: this.periodic.size + this.retired.size - expired,
      oneshot: (this.stmt.countOneShots.get(nowMs) as { n: number }).n + (this.stmt.countPausedOneShots.get() as { n: number }).n,
      cron: (this.stmt.countCron.get(nowMs) as { n: number }).n,
    };
  }

  /** Forgets timers past their retention, fired one-shots and ended periodic timers, 1,000 at most; returns how many. */
  deleteExpired(nowMs: number): number {
    const deleted = this.stmt.deleteExpired.all(nowMs) as Array<Pick<TimerRow, 'id' | 'kind' | 'shard_id' | 'interval_s' | 'offset_s'>>;
    for (const row of deleted) {
      if (row.kind === 'periodic') this.unindex({ id: row.id, shardId: row.shard_id, interval: row.interval_s!, offset: row.offset_s! });
    }
    return deleted.length;
  }

  /** Takes a periodic timer that is no longer stored as it was out of the schedule and the retired set. */
  private unindex(timer: Pick<PeriodicTimer, 'id' | 'shardId' | 'interval' | 'offset'>): void {
    this.periodic.remove(timer, timer.id);
    this.retired.delete(timer.id);
  }

  private pageOf(rows: readonly TimerRow[]): TimerPage {
    const timers: Timer[] = [];
    const positions: string[] = [];
    for (const row of rows) {
      timers.push(timerOf(row));
      positions.push(positionOf(row.fire_at!, row.id));
    }
    return { timers, positions };
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
    const state: ShardState = {
      shardId: row.shard_id,
      watermark: row.watermark,
      ...(row.lease_owner !== null && { leaseOwner: row.lease_owner }),
      ...(row.lease_until !== null && { leaseUntil: row.lease_until }),
      ...(row.cursor !== null && { cursor: row.cursor }),
    };
    this.shardStates.set(shardId, state);
    return state;
  }
}
