/**
 * The whole timer service on one machine: wires the engine (`TimerApi`, `Ticker`, `Dispatcher` from src/core) to
 * the SQLite store and queue, the delivery loop and the HTTP server, runs the tick at start and then every period,
 * and shuts down without losing a message. The CLI (`cli.ts`) parses flags and calls `startRuntime`.
 */
import type { AddressInfo } from 'net';
import type { Database } from 'better-sqlite3';
import { Dispatcher, Log, Ticker, TimerApi, engineConfig, shardName, systemClock } from '../core';
import { DatabaseLocation, StartupError, checkpoint, openDatabase } from './database';
import { DeliveryLoop } from './delivery';
import { LatenessLog } from './lateness';
import { PrometheusMetrics } from './metrics';
import { SqliteQueue } from './queue';
import { RUNTIME_ROUTE_NAMES, createServer } from './server';
import { DriverName, loadDriver } from './sqlite-driver';
import { SqliteTimerStore } from './store';
import { DeliveryTarget } from './targets';
import { TurnWrites } from './turn-writes';

export interface RuntimeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly database: DatabaseLocation;
  readonly periodSeconds: number;
  readonly shardCount: number;
  readonly target: DeliveryTarget;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutMs: number;
  readonly retryBackoffMs: number;
  /** Delivery batches in flight at once. */
  readonly concurrency: number;
  readonly log: Log;
}

export interface Runtime {
  /** The base URL the API listens on. */
  readonly url: string;
  /** Messages of a previous process that were in flight and were made visible again at start. */
  readonly recoveredInFlight: number;
  /** The SQLite driver the database was opened with (`sqlite-driver.ts`). */
  readonly sqliteDriver: DriverName;
  stop(): Promise<void>;
}

/** How long a stop waits for deliveries in flight before handing them back to the queue. */
const STOP_GRACE_MS = 5000;
/**
 * Between two checkpoints of the write-ahead log. Often enough to keep the log to a few megabytes under a full
 * dispatch, rarely enough that pages written many times in between are flushed once.
 */
const CHECKPOINT_EVERY_MS = 2000;
/** Where in the second a checkpoint starts: it blocks the thread while the disk flushes, away from the bursts. */
const CHECKPOINT_PHASE_MS = 500;
/**
 * How far beyond one period the local tick looks ahead. On AWS the margin is up to a minute, for a scheduled Lambda
 * that starts late; here the tick is a timer of this process, and a tick still running when the next is due is
 * followed at once by the next one, so a few seconds cover it. A shorter margin keeps fewer firings queued ahead,
 * which makes creating a timer cheaper (fewer near-term firings to queue with it) and lets a DELETE stop more of them.
 */
const LOCAL_LOOK_AHEAD_MARGIN_MS = 5000;
/**
 * The longest a local PUT takes from its start to the commit of its timer. A PUT waits for two commits of a turn (its
 * near-term firings, then the timer), milliseconds each; the longest stall measured under a burst of 100,000 creates
 * was about 400 ms, so 2 s leave a wide margin. Each second more would make every create queue a second more of its
 * own firings; a PUT slower than this stays correct (the engine then sends the firings up to a later boundary itself).
 */
const LOCAL_CREATE_WITHIN_MS = 2000;

/** A database keeps the shard count its timers were sharded with: another count would leave shards unticked. */
function checkShardCount(db: Database, shardCount: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare("SELECT value FROM settings WHERE name = 'shardCount'").get() as { value: string } | undefined;
  if (row && Number(row.value) !== shardCount) {
    throw new StartupError(
      `this database holds timers sharded over ${row.value} shard(s), got --shards ${shardCount}: pass --shards ${row.value}, or use a new --db`,
    );
  }
  db.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES ('shardCount', ?)").run(String(shardCount));
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { log } = options;
  const config = engineConfig({
    shardCount: options.shardCount,
    periodSeconds: options.periodSeconds,
    lookAheadMarginMs: Math.min(options.periodSeconds * 1000, LOCAL_LOOK_AHEAD_MARGIN_MS),
    // The in-memory index shows a timer as soon as its write commits, before the PUT that wrote it answers.
    indexLagToleranceMs: 0,
    createWithinMs: LOCAL_CREATE_WITHIN_MS,
  });
  const driver = loadDriver();
  const db = openDatabase(options.database, { endedRetentionMs: config.oneShotRetentionMs, driver });
  try {
    checkShardCount(db, options.shardCount);
  } catch (err) {
    db.close();
    throw err;
  }
  // One transaction per turn for the timers and the firings written in it.
  const writes = new TurnWrites(db);
  writes.onError = (err) => log.error('could not commit the writes of a turn: their requests fail and their firings are sent again', { error: String(err) });
  const store = new SqliteTimerStore(db, writes);
  const queue = new SqliteQueue(db, writes);
  const metrics = new PrometheusMetrics();
  const clock = systemClock;

  // The database is ours alone (exclusive lock): leases and claims still recorded belong to a process that died.
  store.releaseAllLeases();
  const recoveredInFlight = queue.releaseInFlight(clock.now());
  if (recoveredInFlight > 0) log.warn('redelivering messages that were in flight when the last process stopped', { messages: recoveredInFlight });

  const dispatcher = new Dispatcher({ queue, clock, concurrency: config.batchConcurrency, metrics, log });
  const api = new TimerApi(config, { store, dispatcher, clock, metrics, log, otherRoutes: RUNTIME_ROUTE_NAMES });
  const ticker = new Ticker(config, { store, dispatcher, clock, metrics, log });
  const lateness = new LatenessLog(() => clock.now());
  const delivery = new DeliveryLoop(queue, options.target, metrics, log, {
    lateness,
    maxReceiveCount: options.maxReceiveCount,
    visibilityTimeoutMs: options.visibilityTimeoutMs,
    retryBackoffMs: options.retryBackoffMs,
    concurrency: options.concurrency,
  });
  const shards = Array.from({ length: config.shardCount }, (_, i) => shardName(i));
  const startedAt = clock.now();

  let stopping: Promise<void> | undefined;
  let ticking: Promise<void> | undefined;
  let tickDue = false;
  const tickAll = (): Promise<void> => {
    // A tick still running (a long catch-up) is not doubled; the one due meanwhile runs as soon as it ends, rather
    // than a period later, so the look-ahead margin only has to cover how much longer than a period a tick takes.
    if (ticking) {
      tickDue = true;
      return ticking;
    }
    ticking = (async () => {
      for (const shardId of shards) {
        try {
          // No deadline: a local tick runs until its span is dispatched, so it never hands over to a continuation.
          await ticker.tick(shardId);
        } catch (err) {
          log.error('tick failed; the next tick resumes where it stopped', { shardId, error: String(err) });
        }
      }
      try {
        store.deleteExpired(clock.now());
      } catch (err) {
        log.warn('could not forget expired timers', { error: String(err) });
      }
    })().finally(() => {
      ticking = undefined;
      if (tickDue && !stopping) {
        tickDue = false;
        void tickAll();
      }
    });
    return ticking;
  };

  const server = createServer({
    api,
    metricsText: () => {
      const now = clock.now();
      const timers = store.countTimers(now);
      const depth = queue.depth();
      return metrics.render([
        {
          name: 'timers',
          help: 'Stored timers by kind (fired one-shots and ended periodic and cron timers until their retention ends).',
          samples: Object.entries(timers).map(([kind, value]) => ({ labels: { kind }, value })),
        },
        { name: 'dead_letters', help: 'Firings in the dead-letter table.', samples: [{ value: queue.deadLetterCount() }] },
        { name: 'queue_messages', help: 'Messages in the delivery queue, in flight included.', samples: [{ value: depth.messages }] },
        { name: 'queue_in_flight', help: 'Messages claimed by a delivery not yet finished.', samples: [{ value: depth.inFlight }] },
        { name: 'uptime_seconds', help: 'Seconds since this process started.', samples: [{ value: Math.floor((now - startedAt) / 1000) }] },
      ]);
    },
    deadLetters: (limit) => ({ total: queue.deadLetterCount(), items: queue.deadLetters(limit) }),
    health: () => ({ status: 'ok', uptimeSeconds: Math.floor((clock.now() - startedAt) / 1000), queue: queue.depth() }),
    lateness: (fromMs, toMs, timerIdPrefix) => lateness.report(fromMs, toMs, timerIdPrefix),
    onDeleted: (id) => queue.dropTimer(id),
    onError: (err) => log.error('request failed', { error: String(err) }),
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    const hint = code === 'EADDRINUSE' ? 'pass another --port, or --port 0 for a free one' : 'check --host and --port';
    throw new StartupError(`cannot listen on ${options.host}:${options.port} (${code ?? String(err)}): ${hint}`);
  }

  delivery.start();
  void tickAll();
  const tickTimer = setInterval(() => void tickAll(), config.periodSeconds * 1000);
  // Periodic firings all fall on whole seconds, and so do the delivery bursts: checkpoint half-way between two.
  let checkpointTimer: NodeJS.Timeout | undefined;
  const scheduleCheckpoint = (): void => {
    const now = clock.now();
    const at = Math.ceil((now + CHECKPOINT_EVERY_MS / 2) / CHECKPOINT_EVERY_MS) * CHECKPOINT_EVERY_MS + CHECKPOINT_PHASE_MS;
    checkpointTimer = setTimeout(() => {
      const started = clock.now();
      try {
        checkpoint(db);
      } catch (err) {
        log.warn('could not checkpoint the database; the next attempt follows', { error: String(err) });
      }
      metrics.observe('CheckpointDuration', clock.now() - started);
      scheduleCheckpoint();
    }, at - now);
  };
  scheduleCheckpoint();

  return {
    url: urlOf(server.address() as AddressInfo),
    recoveredInFlight,
    sqliteDriver: driver.name,
    stop: () => {
      stopping ??= (async () => {
        clearInterval(tickTimer);
        clearTimeout(checkpointTimer);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await ticking;
        await delivery.stop(STOP_GRACE_MS);
        server.closeAllConnections();
        await closed;
        // What the last turn staged is written before the database closes; its writers see it committed.
        writes.flush();
        db.close();
      })();
      return stopping;
    },
  };
}
