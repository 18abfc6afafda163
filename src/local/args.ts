/**
 * The command line of the local runtime: the flags of `cdk-serverless-timer local`, their defaults, and the help
 * text, parsed into the options `startRuntime` takes. A bad flag is refused with one line naming the flag and the
 * form it accepts.
 */
import { MAX_PERIOD_SECONDS, MAX_SHARDS } from '../core';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface LocalFlags {
  readonly host: string;
  readonly port: number;
  /** The database file, or undefined with `--memory`. */
  readonly db?: string;
  readonly periodSeconds: number;
  readonly shards: number;
  readonly callback?: string;
  readonly webhook?: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly concurrency: number;
  /** Stop, as on SIGTERM, when the process that started this one exits. */
  readonly stopWithParent: boolean;
}

export type Command = { readonly kind: 'help' } | { readonly kind: 'local'; readonly flags: LocalFlags };

interface FlagSpec {
  readonly value?: string;
  readonly default: string;
  readonly help: string;
}

const FLAGS: Record<string, FlagSpec> = {
  '--host': { value: '<address>', default: '127.0.0.1', help: 'address to listen on' },
  '--port': { value: '<n>', default: '8787', help: 'port to listen on; 0 picks a free port (the start line shows it)' },
  '--db': { value: '<file>', default: '.timers/timers.db', help: 'SQLite file holding timers and the delivery queue' },
  '--memory': { default: 'off', help: 'keep everything in memory instead of --db (lost on exit)' },
  '--period': { value: '<duration>', default: '60s', help: `tick period and default timer interval, whole seconds from 1s to ${MAX_PERIOD_SECONDS / 60}m (e.g. 5s, 2m)` },
  '--shards': { value: '<n>', default: '1', help: `number of shards, 1 to ${MAX_SHARDS} (fixed per database)` },
  '--callback': { value: '<module>', default: 'none', help: 'JS/TS module exporting handler(event) that takes SQS events, as a Lambda SQS consumer' },
  '--webhook': { value: '<url>', default: 'none', help: 'POST each firing to this URL; a non-2xx answer is a failed delivery' },
  '--max-receive-count': { value: '<n>', default: '5', help: 'deliveries of a firing before it moves to the dead letters' },
  '--visibility-timeout': { value: '<duration>', default: '30s', help: 'time a delivery may take before the firing is delivered again' },
  '--retry-backoff': { value: '<duration>', default: '1s', help: 'delay before the first retry of a failed delivery, doubled on each retry (e.g. 200ms)' },
  '--concurrency': { value: '<n>', default: '10', help: 'delivery batches (of up to 10 firings) in flight at once' },
  '--stop-with-parent': { default: 'off', help: 'stop, as on SIGTERM, when the process that started this one exits (npm start sets it)' },
  '--help': { default: '', help: 'show this help' },
};

export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([name, spec]) => {
    const left = `  ${name}${spec.value ? ` ${spec.value}` : ''}`;
    const dflt = spec.default ? ` (default: ${spec.default})` : '';
    return `${left.padEnd(32)}${spec.help}${dflt}`;
  });
  return [
    'Usage: cdk-serverless-timer local [flags]',
    '',
    'Runs the timer service on this machine: the HTTP API of the AWS construct, the same engine, SQLite storage and',
    'a durable delivery queue. With neither --callback nor --webhook, each firing is printed as one JSON line.',
    '',
    'Flags:',
    ...rows,
    '',
  ].join('\n');
}

const DURATION = /^(\d+)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `5s`, `2m`, `1h`; a bare number is seconds. */
export function parseDurationMs(flag: string, raw: string, allowed: string): number {
  const match = DURATION.exec(raw.trim());
  if (!match) throw new UsageError(`${flag} must be a duration like 500ms, 5s, 2m or 1h (${allowed}), got ${JSON.stringify(raw)}`);
  return Number(match[1]) * UNIT_MS[match[2] ?? 's'];
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function durationIn(flag: string, raw: string, minMs: number, maxMs: number, allowed: string): number {
  const ms = parseDurationMs(flag, raw, allowed);
  if (ms < minMs || ms > maxMs) throw new UsageError(`${flag} must be ${allowed}, got ${JSON.stringify(raw)}`);
  return ms;
}

export function parseArgs(argv: readonly string[]): Command {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const [command, ...rest] = argv;
  if (command !== 'local') {
    throw new UsageError(
      command === undefined
        ? 'missing command: run cdk-serverless-timer local [flags] (see --help)'
        : `unknown command ${JSON.stringify(command)}: the only command is local (see --help)`,
    );
  }
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS[name];
    if (!spec) throw new UsageError(`unknown flag ${JSON.stringify(name)}: the flags are ${Object.keys(FLAGS).join(', ')}`);
    if (values.has(name)) throw new UsageError(`${name} is given twice: give it once`);
    if (!spec.value) {
      if (eq > 0) throw new UsageError(`${name} takes no value, got ${JSON.stringify(arg)}`);
      values.set(name, 'true');
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) value = rest[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value: ${name} ${spec.value}`);
    values.set(name, value);
  }
  const get = (name: string): string => values.get(name) ?? FLAGS[name].default;

  if (values.has('--db') && values.has('--memory')) throw new UsageError('--db and --memory exclude each other: give one of them');
  if (values.has('--callback') && values.has('--webhook')) {
    throw new UsageError('--callback and --webhook exclude each other: give one of them, or neither to print firings');
  }
  const periodMs = durationIn('--period', get('--period'), 1000, MAX_PERIOD_SECONDS * 1000, `whole seconds from 1s to ${MAX_PERIOD_SECONDS / 60}m`);
  if (periodMs % 1000 !== 0) throw new UsageError(`--period must be whole seconds from 1s to ${MAX_PERIOD_SECONDS / 60}m, got ${JSON.stringify(get('--period'))}`);
  const host = get('--host');
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new UsageError(`--host must be a host name or IP address, got ${JSON.stringify(host)}`);
  let webhook: string | undefined;
  if (values.has('--webhook')) {
    webhook = get('--webhook');
    let protocol = '';
    try {
      protocol = new URL(webhook).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`--webhook must be an http:// or https:// URL, got ${JSON.stringify(webhook)}`);
  }
  return {
    kind: 'local',
    flags: {
      host,
      port: wholeNumber('--port', get('--port'), 0, 65535),
      ...(!values.has('--memory') && { db: get('--db') }),
      periodSeconds: periodMs / 1000,
      shards: wholeNumber('--shards', get('--shards'), 1, MAX_SHARDS),
      ...(values.has('--callback') && { callback: get('--callback') }),
      ...(webhook !== undefined && { webhook }),
      maxReceiveCount: wholeNumber('--max-receive-count', get('--max-receive-count'), 1, 1000),
      visibilityTimeoutMs: durationIn('--visibility-timeout', get('--visibility-timeout'), 100, 12 * 3_600_000, 'from 100ms to 12h'),
      retryBackoffMs: durationIn('--retry-backoff', get('--retry-backoff'), 0, 3_600_000, 'from 0ms to 1h'),
      concurrency: wholeNumber('--concurrency', get('--concurrency'), 1, 1000),
      stopWithParent: values.has('--stop-with-parent'),
    },
  };
}
