/**
 * Seeds timers that are stored but do not fire during a measurement straight into a runtime's SQLite file, through
 * the runtime's own store (`SqliteTimerStore`) and the engine's validation, before the runtime starts: 900,000 of
 * them take seconds this way instead of minutes over HTTP. Half are daily periodic timers whose offsets lie outside
 * the hours around now, half are one-shots due in one to seven days, so a tick must skip them by its indexes,
 * not by reading them.
 */
import { engineConfig, oneShotTimerFrom, periodicTimerFrom, Timer } from '../../src/core';
import { openDatabase } from '../../src/local/database';
import { SqliteTimerStore } from '../../src/local/store';

const DAY_S = 86_400;
/** Seeded daily timers keep this far from now on either side, so none fires within a benchmark run. */
const QUIET_BEFORE_S = 3600;
const QUIET_AFTER_S = 3 * 3600;
const CHUNK = 50_000;

export interface SeedResult {
  readonly periodic: number;
  readonly oneShot: number;
  readonly elapsedMs: number;
}

/** The seeded timer number `j` of `count`: even j periodic daily, odd j one-shot, spread evenly over their ranges. */
function seededTimer(j: number, count: number, nowMs: number, shardCount: number, retentionMs: number): Timer {
  const half = Math.ceil(count / 2);
  const k = Math.floor(j / 2);
  if (j % 2 === 0) {
    const nowOfDay = Math.floor(nowMs / 1000) % DAY_S;
    const span = DAY_S - QUIET_BEFORE_S - QUIET_AFTER_S;
    const offset = (nowOfDay + QUIET_AFTER_S + Math.floor((k * span) / half)) % DAY_S;
    const body = JSON.stringify({ timerCallbackData: { seeded: j }, interval: DAY_S, offset });
    return periodicTimerFrom(`seed-daily-${j}`, body, { shardCount, defaultIntervalSeconds: DAY_S }, nowMs);
  }
  const at = new Date(nowMs + DAY_S * 1000 + Math.floor((k * 6 * DAY_S * 1000) / half)).toISOString();
  const body = JSON.stringify({ timerCallbackData: { seeded: j }, at });
  return oneShotTimerFrom(`seed-oneshot-${j}`, body, shardCount, retentionMs, nowMs);
}

/** Writes `count` quiet timers into the database file; the runtime must not be running on it. */
export async function seedQuietTimers(file: string, count: number, shardCount: number, onProgress?: (done: number) => void): Promise<SeedResult> {
  const started = Date.now();
  const { oneShotRetentionMs } = engineConfig({ shardCount, periodSeconds: 60 });
  const db = openDatabase({ file });
  try {
    const store = new SqliteTimerStore(db);
    let periodic = 0;
    let oneShot = 0;
    for (let from = 0; from < count; from += CHUNK) {
      // The store commits the writes of one turn in one transaction: a chunk at a time.
      for (let j = from; j < Math.min(count, from + CHUNK); j++) {
        const timer = seededTimer(j, count, started, shardCount, oneShotRetentionMs);
        if (timer.kind === 'periodic') periodic++;
        else oneShot++;
        await store.putTimer(timer);
      }
      await store.sync();
      onProgress?.(Math.min(count, from + CHUNK));
    }
    // What the file holds, not what was sent: the figures reported are the ones a run actually had.
    const stored = store.countTimers(started);
    if (stored.periodic !== periodic || stored.oneshot !== oneShot) {
      throw new Error(`seeding stored ${stored.periodic} periodic and ${stored.oneshot} one-shot timers, expected ${periodic} and ${oneShot}`);
    }
    return { periodic, oneShot, elapsedMs: Date.now() - started };
  } finally {
    db.close();
  }
}
