#!/usr/bin/env node
/**
 * The `cdk-serverless-timer` command (the package's bin). `local` runs the whole timer service on this machine:
 * it parses the flags (`args.ts`), loads the delivery target, starts the runtime (`runtime.ts`), prints the URL it
 * listens on, and stops cleanly on SIGINT or SIGTERM.
 */
import * as os from 'os';
import { Log } from '../core';
import { UsageError, helpText, parseArgs } from './args';
import { StartupError } from './database';
import { startRuntime } from './runtime';
import { DeliveryTarget, HandlerTarget, StdoutTarget, WebhookTarget, loadHandler } from './targets';

const NAME = 'cdk-serverless-timer';
/** How often `--stop-with-parent` looks at the parent process id. */
const PARENT_POLL_MS = 200;
/** The parent process, read before anything slow (loading the callback, opening the database) can outlive it. */
const PARENT_AT_START = process.ppid;
/** A stop signal repeated within this time is the same request delivered twice (see `onSignal`). */
const REPEATED_SIGNAL_MS = 1_000;

/** Operational logs go to stderr as JSON lines, so stdout holds only the start line and printed firings. */
const stderrLog: Log = {
  info: (message, fields) => write('info', message, fields),
  warn: (message, fields) => write('warn', message, fields),
  error: (message, fields) => write('error', message, fields),
};

function write(level: string, message: string, fields?: Record<string, unknown>): void {
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseArgs(argv);
  if (command.kind === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  const { flags } = command;
  let target: DeliveryTarget;
  if (flags.callback !== undefined) target = new HandlerTarget(await loadHandler(flags.callback), flags.callback);
  else if (flags.webhook !== undefined) target = new WebhookTarget(flags.webhook);
  else target = new StdoutTarget();

  const runtime = await startRuntime({
    host: flags.host,
    port: flags.port,
    database: flags.db === undefined ? { memory: true } : { file: flags.db },
    periodSeconds: flags.periodSeconds,
    shardCount: flags.shards,
    target,
    maxReceiveCount: flags.maxReceiveCount,
    visibilityTimeoutMs: flags.visibilityTimeoutMs,
    retryBackoffMs: flags.retryBackoffMs,
    concurrency: flags.concurrency,
    log: stderrLog,
  });
  const where = flags.db === undefined ? 'in memory' : `db ${flags.db}`;
  const shards = `${flags.shards} shard${flags.shards === 1 ? '' : 's'}`;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (reason: Record<string, string>): void => {
      stopping = true;
      stderrLog.info('stopping', reason);
      runtime.stop().then(
        () => {
          stderrLog.info('stopped', reason);
          resolve(0);
        },
        (err) => {
          stderrLog.error('stop failed', { error: String(err) });
          resolve(1);
        },
      );
    };
    let firstSignalAt = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // One Ctrl-C under `npm start` arrives twice: from the terminal, and passed on by npm. Only a signal sent
        // later means: do not wait for deliveries in flight (they are delivered again at the next start).
        if (Date.now() - firstSignalAt < REPEATED_SIGNAL_MS) return;
        process.exit(128 + (os.constants.signals[signal] ?? 0));
      }
      firstSignalAt = Date.now();
      stop({ signal });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (flags.stopWithParent) watchParent(PARENT_AT_START, () => { if (!stopping) stop({ reason: 'parent exited' }); });
    // Only now, with the handlers in place: whoever waits for this line may signal at once.
    const sqlite = runtime.sqliteDriver === 'node' ? 'node:sqlite' : runtime.sqliteDriver;
    process.stdout.write(`${NAME} listening on ${runtime.url} (${where} on ${sqlite}, period ${flags.periodSeconds}s, ${shards}, delivering to ${target.description})\n`);
  });
}

/**
 * Calls `onExit` once `parent`, the process that started this one, has exited (this one is then re-parented, so
 * `ppid` changes). Under `npm start`, npm passes SIGTERM and SIGINT on to the runtime; this covers npm ending without
 * doing so (SIGKILL, a crash), which would leave the runtime running on its port with its database locked.
 */
function watchParent(parent: number, onExit: () => void): void {
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onExit();
    }
  }, PARENT_POLL_MS);
  timer.unref();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || err instanceof StartupError) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${NAME}: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
