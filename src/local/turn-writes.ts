/**
 * Group commit for the local runtime's one SQLite connection: the writes made during one turn of the event loop
 * (the timers of the requests read in that turn, the firings the API and the ticks queued) are committed together
 * in one transaction at the end of the turn. A commit per turn instead of one per write keeps the write-ahead log
 * small: the pages a turn's writes share are written once. Whoever needs a write durable waits for `committed()`;
 * whoever must read it from the database first calls `flush()`.
 */
import type { Database } from 'better-sqlite3';

interface StagedWrite {
  readonly write: () => void;
  /** Called after the transaction: without an argument once it committed, with the error if it did not. */
  readonly done: (error?: unknown) => void;
}

interface Barrier {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function barrier(): Barrier {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed commit is reported to each writer through `done`; nobody need be waiting on the barrier as well.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class TurnWrites {
  private staged: StagedWrite[] = [];
  private pending: Barrier | undefined;
  private readonly transaction: (writes: readonly StagedWrite[]) => void;
  /** Told once for each transaction that failed (its writers are told through `done`). */
  onError: ((error: unknown) => void) | undefined;

  constructor(db: Database) {
    this.transaction = db.transaction((writes: readonly StagedWrite[]) => {
      for (const { write } of writes) write();
    });
  }

  /**
   * Adds a write to this turn's transaction. A write that throws undoes the whole transaction: every write of the
   * turn then fails together, and none is half-applied.
   */
  stage(write: () => void, done: (error?: unknown) => void): void {
    this.staged.push({ write, done });
    if (!this.pending) {
      this.pending = barrier();
      setImmediate(() => this.flush());
    }
  }

  /** Resolves once every write staged so far is committed; rejects if the transaction that held one failed. */
  committed(): Promise<void> {
    return this.pending?.promise ?? Promise.resolve();
  }

  /** Commits the staged writes now, before the end of the turn; a no-op when nothing is staged. */
  flush(): void {
    const writes = this.staged;
    const pending = this.pending;
    this.staged = [];
    this.pending = undefined;
    if (writes.length === 0) {
      pending?.resolve();
      return;
    }
    try {
      this.transaction(writes);
    } catch (err) {
      for (const { done } of writes) done(err);
      pending?.reject(err);
      this.onError?.(err);
      return;
    }
    for (const { done } of writes) done();
    pending?.resolve();
  }
}
