/**
 * The SQLite driver of the local runtime: better-sqlite3 where it is installed, otherwise Node's built-in `node:sqlite`
 * (Node 22.13 and newer), behind the part of better-sqlite3's API the runtime uses, so that the store and the queue
 * are written once. `CDK_SERVERLESS_TIMER_SQLITE=better-sqlite3` or `=node` picks one, and fails if it is missing.
 *
 * Why both, and why better-sqlite3 first: measured on Node 26.12.1 with `bench:local` (100,000 timers created, then
 * the tick with 1,000,000 stored), three alternating rounds each, node:sqlite created timers at 1.02, 0.98 and 1.04
 * times better-sqlite3's rate, and the tick's p99 lateness with a million timers stored was 53/50/58 ms against
 * 54/51/62 ms: the same within the noise. So the choice rests on the rest: better-sqlite3 runs on every Node this
 * package supports (Node 20 has no node:sqlite; 22 and 24 print an ExperimentalWarning for it) and is what
 * `npm start` installs; node:sqlite needs no install at all, so the package's command also runs where nobody can
 * add a native module (the Python and Java packages' console scripts), at no cost that the benchmark can see.
 */
import type { Database, Statement } from 'better-sqlite3';

/** Thrown when the runtime cannot start; the CLI prints its message as one line and exits. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export type DriverName = 'better-sqlite3' | 'node';

export interface SqliteDriver {
  readonly name: DriverName;
  open(filename: string, options: { readonly timeout: number }): Database;
}

/** The environment variable that picks a driver. */
export const DRIVER_ENV = 'CDK_SERVERLESS_TIMER_SQLITE';

// The shapes of node:sqlite this file uses (its types come with @types/node 22.13 and newer).
interface NodeStatement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  setReturnArrays(enabled: boolean): void;
}
interface NodeDatabase {
  readonly isTransaction: boolean;
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}
type NodeDatabaseConstructor = new (path: string, options?: { readonly timeout?: number }) => NodeDatabase;

/** A node:sqlite statement with better-sqlite3's methods: `raw()` switches rows to arrays, as there. */
class NodeSqliteStatement {
  constructor(private readonly statement: NodeStatement) {}
  run(...params: unknown[]) {
    return this.statement.run(...params);
  }
  get(...params: unknown[]) {
    return this.statement.get(...params);
  }
  all(...params: unknown[]) {
    return this.statement.all(...params);
  }
  iterate(...params: unknown[]) {
    return this.statement.iterate(...params);
  }
  raw(enabled = true): this {
    this.statement.setReturnArrays(enabled);
    return this;
  }
}

/**
 * A node:sqlite database with better-sqlite3's `prepare`, `exec`, `pragma`, `transaction` and `close`. A transaction
 * function runs in BEGIN ... COMMIT, rolled back when it throws; called inside another, it runs in a savepoint, as
 * better-sqlite3's do.
 */
class NodeSqliteDatabase {
  private savepoints = 0;

  constructor(private readonly db: NodeDatabase) {}

  prepare(sql: string): NodeSqliteStatement {
    return new NodeSqliteStatement(this.db.prepare(sql));
  }

  exec(sql: string): this {
    this.db.exec(sql);
    return this;
  }

  pragma(source: string, options?: { readonly simple?: boolean }): unknown {
    const rows = this.db.prepare(`PRAGMA ${source}`).all() as Array<Record<string, unknown>>;
    if (!options?.simple) return rows;
    return rows.length === 0 ? undefined : Object.values(rows[0])[0];
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      if (this.db.isTransaction) {
        const name = `nested_${++this.savepoints}`;
        this.db.exec(`SAVEPOINT ${name}`);
        try {
          const result = fn(...args);
          this.db.exec(`RELEASE ${name}`);
          return result;
        } catch (err) {
          this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
          throw err;
        } finally {
          this.savepoints--;
        }
      }
      this.db.exec('BEGIN');
      try {
        const result = fn(...args);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    };
  }

  close(): this {
    this.db.close();
    return this;
  }
}

/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
function loadBetterSqlite3(): SqliteDriver {
  // Loaded here, not imported at the top: the construct library must not depend on a native module.
  const Driver = require('better-sqlite3') as new (filename: string, options?: { readonly timeout?: number }) => Database;
  return { name: 'better-sqlite3', open: (filename, options) => new Driver(filename, options) };
}

function loadNodeSqlite(): SqliteDriver {
  const { DatabaseSync } = require('node:sqlite') as { DatabaseSync: NodeDatabaseConstructor };
  if (typeof (DatabaseSync.prototype as Partial<NodeDatabase>).prepare !== 'function') throw new Error('node:sqlite has no DatabaseSync');
  return {
    name: 'node',
    open: (filename, options) => new NodeSqliteDatabase(new DatabaseSync(filename, { timeout: options.timeout })) as unknown as Database,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */

const firstLine = (err: unknown): string => (err as Error).message.split('\n')[0];

const INSTALL_HINT =
  'in a Node.js project run npm install better-sqlite3@12; otherwise (from the Python or Java package too) install the command with '
  + 'npm install -g cdk-serverless-timer better-sqlite3@12 and run cdk-serverless-timer local';

/** The driver `CDK_SERVERLESS_TIMER_SQLITE` names, or better-sqlite3 if installed, else node:sqlite if available. */
export function loadDriver(env: NodeJS.ProcessEnv = process.env): SqliteDriver {
  const wanted = env[DRIVER_ENV];
  if (wanted === 'better-sqlite3' || wanted === 'node') {
    try {
      return wanted === 'node' ? loadNodeSqlite() : loadBetterSqlite3();
    } catch (err) {
      throw new StartupError(`${DRIVER_ENV}=${wanted}, but that driver could not be loaded (${firstLine(err)})`);
    }
  }
  if (wanted !== undefined && wanted !== '') {
    throw new StartupError(`${DRIVER_ENV} must be better-sqlite3 or node, got ${JSON.stringify(wanted)}`);
  }
  let betterSqlite3Error: unknown;
  try {
    return loadBetterSqlite3();
  } catch (err) {
    betterSqlite3Error = err;
  }
  try {
    return loadNodeSqlite();
  } catch {
    // Node older than 22.13 has no usable node:sqlite.
  }
  throw new StartupError(
    `the local runtime needs the SQLite driver better-sqlite3, which could not be loaded (${firstLine(betterSqlite3Error)}), `
    + `or Node 22.13 or newer for its built-in node:sqlite (this is Node ${process.versions.node}): ${INSTALL_HINT}`,
  );
}

export type { Database, Statement };
