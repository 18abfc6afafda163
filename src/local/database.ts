/**
 * The local runtime's embedded database: opens (or creates) the SQLite file that holds timers, shard state and
 * the delivery queue, and creates its schema. The driver (better-sqlite3, or Node's node:sqlite: `sqlite-driver.ts`)
 * is loaded lazily so that the published construct library never needs it; the store (`store.ts`) and the queue
 * (`queue.ts`) share one connection.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Database } from 'better-sqlite3';
import { loadDriver, SqliteDriver, StartupError } from './sqlite-driver';
import { engineConfig } from '../core';

export { StartupError };

/**
 * The delivery queue: one row per queued firing, with no index but its row id, so queueing a firing appends to the
 * table. The callback attributes are derived from these columns when a message is claimed. What the queue looks up
 * is kept in memory and rebuilt from the table at start: when each message becomes visible (`visibility.ts`), and
 * the firings by (timer, instant), which make a firing sent twice one message and let a DELETE find its timer's
 * firings (`firing-keys.ts`). The rows in flight are found by a scan, which only start and stop need.
 */
function queueTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  seq INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  timer_id TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_received_at INTEGER,
  claimed_at INTEGER,
  last_error TEXT
);`;
}

/**
 * The schema version this code writes, kept in `PRAGMA user_version`. Version 0 is the first release's layout, whose
 * queue also had a unique firing id, a unique message id, an index per timer and one on claims, and whose periodic
 * timers had an index by (shard, interval, offset). Version 1 had no `timers.tick_from`, no expiry of ended periodic
 * timers, and shard state for an API that read it: `shards.claimed_until` and a `shard_intervals` table. Version 2
 * had no cron timers (`timers.cron`, `timers.time_zone`, the `timers_cron` index). Version 3 had no pause and no
 * missed-firing policy (`timers.paused_at`, `timers.missed_firings`, the `timers_paused` index).
 */
const SCHEMA_VERSION = 4;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS timers (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  interval_s INTEGER,
  offset_s INTEGER,
  start_at INTEGER,
  end_at INTEGER,
  fire_at INTEGER,
  expires_at INTEGER,
  tick_from INTEGER NOT NULL DEFAULT 0,
  cron TEXT,
  time_zone TEXT,
  paused_at INTEGER,
  missed_firings TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS timers_oneshot ON timers (shard_id, fire_at, id) WHERE kind = 'oneshot';
-- Cron timers by their next firing (dueAt, in fire_at): a tick reads those due in its window and moves them on.
CREATE INDEX IF NOT EXISTS timers_cron ON timers (shard_id, fire_at, id) WHERE kind = 'cron';
-- Paused timers, which are few: paused one-shots have no expiry, and are counted from here.
CREATE INDEX IF NOT EXISTS timers_paused ON timers (id) WHERE paused_at IS NOT NULL;
-- Fired one-shots and ended periodic timers, by when they are forgotten; periodic timers without an end have none.
CREATE INDEX IF NOT EXISTS timers_expiry ON timers (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS shards (
  shard_id TEXT PRIMARY KEY,
  watermark INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  cursor TEXT
);

CREATE TABLE IF NOT EXISTS dead_letters (
  message_id TEXT PRIMARY KEY,
  firing_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL,
  dead_lettered_at INTEGER NOT NULL,
  last_error TEXT
);
`;

/** How long an ended periodic timer of an upgraded file stays readable: the engine's default retention. */
const DEFAULT_RETENTION_MS = engineConfig({ shardCount: 1, periodSeconds: 60 }).oneShotRetentionMs;

function columnsOf(db: Database, table: string): Set<string> {
  return new Set((db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name));
}

/**
 * Brings the tables of an earlier version up to this one, each step decided by what the file holds (a new file has
 * no tables yet, and `SCHEMA` creates them).
 */
function upgrade(db: Database, endedRetentionMs: number): void {
  if (columnsOf(db, 'queue').has('firing_id')) {
    // Version 0: the same rows in the leaner table. Row ids are kept, so messages keep their order.
    db.exec(queueTable('queue_v1'));
    db.exec(`INSERT INTO queue_v1 (seq, message_id, timer_id, scheduled_at, kind, body, sent_at, visible_at, receive_count,
        first_received_at, claimed_at, last_error)
      SELECT seq, message_id, timer_id, scheduled_at, json_extract(attributes, '$.TimerKind'), body, sent_at, visible_at,
        receive_count, first_received_at, claimed_at, last_error
      FROM queue ORDER BY seq`);
    db.exec('DROP TABLE queue; ALTER TABLE queue_v1 RENAME TO queue;');
  }
  // Version 0: where periodic timers sit in the schedule is kept in memory now (periodic-index.ts).
  db.exec('DROP INDEX IF EXISTS timers_periodic');
  const timers = columnsOf(db, 'timers');
  if (timers.size > 0 && !timers.has('tick_from')) {
    // Timers written before: the ticks send every firing from their creation on, as they did. Near the upgrade that
    // may send again a firing the API of the earlier version sent itself; one still queued is the same message
    // (the queue's key is the timer and the instant), one already delivered arrives twice. None is lost.
    db.exec('ALTER TABLE timers ADD COLUMN tick_from INTEGER NOT NULL DEFAULT 0');
    db.exec('UPDATE timers SET tick_from = created_at');
    db.prepare("UPDATE timers SET expires_at = end_at + ? WHERE kind = 'periodic' AND end_at IS NOT NULL").run(endedRetentionMs);
    // Its predicate now takes in ended periodic timers too; SCHEMA creates it again.
    db.exec('DROP INDEX IF EXISTS timers_expiry');
  }
  // Version 2: cron timers keep their expression and zone.
  const columns = columnsOf(db, 'timers');
  if (columns.size > 0 && !columns.has('cron')) db.exec('ALTER TABLE timers ADD COLUMN cron TEXT; ALTER TABLE timers ADD COLUMN time_zone TEXT;');
  // Version 3: pause and the missed-firing policy; every timer of an earlier file is active, with the policy `all`.
  if (columns.size > 0 && !columns.has('paused_at')) {
    db.exec('ALTER TABLE timers ADD COLUMN paused_at INTEGER; ALTER TABLE timers ADD COLUMN missed_firings TEXT;');
  }
  const shards = columnsOf(db, 'shards');
  if (shards.has('claimed_until')) db.exec('ALTER TABLE shards DROP COLUMN claimed_until');
  if (shards.size > 0 && !shards.has('cursor')) db.exec('ALTER TABLE shards ADD COLUMN cursor TEXT');
  // The intervals of a shard are read from the in-memory periodic index, exactly.
  db.exec('DROP TABLE IF EXISTS shard_intervals');
}

/**
 * Creates the tables of a new database, or brings one written by an earlier version up to this one, in one
 * transaction: a failed upgrade leaves the file as it was.
 */
function createSchema(db: Database, filename: string, endedRetentionMs: number): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StartupError(
      `--db ${filename} was written by a newer version of the timer service (schema ${version}, this one reads up to ${SCHEMA_VERSION}): upgrade, or pass another --db`,
    );
  }
  db.transaction(() => {
    if (version < SCHEMA_VERSION) upgrade(db, endedRetentionMs);
    db.exec(SCHEMA);
    db.exec(queueTable('queue'));
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** Where the database lives: a file, or memory only (`--memory`). */
export type DatabaseLocation = { readonly memory: true } | { readonly file: string };

export interface OpenOptions {
  /**
   * How long an ended periodic timer stays readable, for the periodic timers with an end of a file written before
   * they expired (they get `expires_at = end_at + endedRetentionMs`). @default the engine's retention, one day
   */
  readonly endedRetentionMs?: number;
  /** The SQLite driver to open the file with. @default the one `loadDriver()` picks */
  readonly driver?: SqliteDriver;
}

/**
 * Opens the database with one exclusive writer: WAL for crash safety, `synchronous = NORMAL` (a commit survives a
 * killed process, only a power loss can take the last ones), and `locking_mode = EXCLUSIVE` so that a second
 * runtime on the same file fails at start instead of dispatching the same shards twice. Automatic checkpoints are
 * off: they would run inside whichever commit crossed the threshold, an HTTP request's or a delivery's, and wait
 * on disk flushes there. The runtime calls `checkpoint` on a timer instead.
 */
export function openDatabase(location: DatabaseLocation, options: OpenOptions = {}): Database {
  const driver = options.driver ?? loadDriver();
  let filename = ':memory:';
  if ('file' in location) {
    filename = path.resolve(location.file);
    try {
      fs.mkdirSync(path.dirname(filename), { recursive: true });
    } catch (err) {
      throw new StartupError(`cannot create the directory of --db ${location.file} (${(err as Error).message}): pass a writable path`);
    }
  }
  let db: Database;
  try {
    db = driver.open(filename, { timeout: 200 });
  } catch (err) {
    throw new StartupError(`cannot open --db ${filename} (${(err as Error).message}): pass a writable SQLite file path`);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    // 64 MiB of page cache (the default is 2 MiB): the queue's and the indexes' hot pages stay in memory when the
    // file holds a million timers.
    db.pragma('cache_size = -65536');
    // Take the exclusive lock now rather than at the first write.
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    createSchema(db, filename, options.endedRetentionMs ?? DEFAULT_RETENTION_MS);
  } catch (err) {
    db.close();
    if (err instanceof StartupError) throw err;
    const message = (err as Error).message;
    if (/locked|busy/i.test(message)) {
      throw new StartupError(`--db ${filename} is in use by another running timer service: stop it, or pass another --db`);
    }
    throw new StartupError(`cannot use --db ${filename} as the timer database (${message}): pass a new file path`);
  }
  return db;
}

/**
 * Copies the write-ahead log back into the database file without waiting for anyone (the connection is the only
 * one), so the log stays small; returns the pages written back.
 */
export function checkpoint(db: Database): number {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  return row?.checkpointed ?? 0;
}
