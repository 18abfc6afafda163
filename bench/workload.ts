/**
 * The timers the benchmarks create: who they are (ids) and what they carry (`timerCallbackData`). Two workloads
 * behind one interface, so a benchmark switches between them with a flag and reports which it ran:
 *
 * - `realisticWorkload`: what users send. Random UUID v4 ids, and JSON payloads of about 300 bytes, 10 % of them
 *   about 8 KB (sizes and share settable). `bench:tick-scale` runs it; the other benchmarks offer it.
 * - `sequentialWorkload`: `bench-00000000`, `bench-00000001`, ... with a payload of about 50 bytes, the workload
 *   `bench:dispatch` has always measured, kept so that its figures stay comparable across changes.
 *
 * Determinism: every value of timer i is a function of (seed, i) alone, never of what was generated before it. A
 * process that seeds the table, one that counts what the queue received and a later run with the same seed all agree
 * on timer i's id and payload without passing them around, and a run can be repeated exactly. The ids are random to
 * every store and hash that sees them (their bits come from a 32-bit mixing function), and distinct by construction:
 * their first 32 bits are a bijection of i, so two indexes below 2^32 never share an id.
 */
/* eslint-disable no-bitwise */ // id and payload generation is bit arithmetic
import { fmix32 } from '../src/core/hash';

export interface Workload {
  /** One line for the benchmark's output, e.g. `realistic (seed 1): UUID v4 ids, ...`. */
  readonly description: string;
  /** The id of timer `index` (0-based). */
  id(index: number): string;
  /** The `timerCallbackData` of timer `index`, as the JSON text the service stores and delivers. */
  data(index: number): string;
}

export interface RealisticWorkloadOptions {
  /** Any whole number; the same seed gives the same ids and payloads. @default 1 */
  readonly seed?: number;
  /** Size of a typical payload, in bytes of JSON. @default 300 */
  readonly payloadBytes?: number;
  /** Size of a large payload, in bytes of JSON. @default 8192 */
  readonly largePayloadBytes?: number;
  /** Share of the timers whose payload is large, from 0 to 1. @default 0.1 */
  readonly largeFraction?: number;
  /** Each payload's size varies uniformly by up to this share either way (0.1: 270 to 330 bytes). @default 0.1 */
  readonly sizeJitter?: number;
}


/** Four well-mixed words for (seed, index, stream): `stream` separates the id's bits from the payload's. */
function words(seed: number, index: number, stream: number): [number, number, number, number] {
  // The first word is fmix32(index ^ key): a bijection of the index for a given seed and stream.
  const key = fmix32(seed ^ Math.imul(stream + 1, 0x9e3779b9));
  const w0 = fmix32((index >>> 0) ^ key);
  const w1 = fmix32(w0 ^ Math.imul(key, 0x7feb352d) ^ 0x68e31da4);
  const w2 = fmix32(w1 ^ Math.imul(w0, 0x846ca68b) ^ 0xb5297a4d);
  const w3 = fmix32(w2 ^ Math.imul(w1, 0x1b873593) ^ 0x1b56c4e9);
  return [w0, w1, w2, w3];
}

/** sfc32: a small, fast generator of uniform numbers in [0, 1) from a 128-bit state. */
function sfc32([a0, b0, c0, d0]: readonly number[]): () => number {
  let a = a0;
  let b = b0;
  let c = c0;
  let d = d0;
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** A UUID in the v4 layout (version nibble 4, variant 10xx) from four 32-bit words. */
function uuidOf([w0, w1, w2, w3]: readonly number[]): string {
  const b = (word: number, shift: number): string => HEX[(word >>> shift) & 0xff];
  const w1v = (w1 & 0xffff0fff) | 0x00004000;
  const w2v = (w2 & 0x3fffffff) | 0x80000000;
  return (
    `${b(w0, 24)}${b(w0, 16)}${b(w0, 8)}${b(w0, 0)}-${b(w1v, 24)}${b(w1v, 16)}-${b(w1v, 8)}${b(w1v, 0)}-` +
    `${b(w2v, 24)}${b(w2v, 16)}-${b(w2v, 8)}${b(w2v, 0)}${b(w3, 24)}${b(w3, 16)}${b(w3, 8)}${b(w3, 0)}`
  );
}

/** Characters of the filler text: printable ASCII, so every payload is a valid SQS body and one byte per character. */
const FILLER_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     .,-';
/** The text fillers are cut from: at least this long, and twice the largest filler, so cuts at random starts differ. */
const MIN_FILLER_POOL_CHARS = 1 << 16;
const EVENTS = ['reminder.due', 'invoice.overdue', 'session.expire', 'report.schedule', 'retry.job', 'heartbeat.check'];
const EPOCH_2025 = Date.UTC(2025, 0, 1);

function requireRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be from ${min} to ${max}, got ${value}`);
  }
}

/** The realistic workload: see the module's comment. */
export function realisticWorkload(options: RealisticWorkloadOptions = {}): Workload {
  const seed = options.seed ?? 1;
  const small = options.payloadBytes ?? 300;
  const large = options.largePayloadBytes ?? 8192;
  const largeFraction = options.largeFraction ?? 0.1;
  const jitter = options.sizeJitter ?? 0.1;
  if (!Number.isInteger(seed)) throw new Error(`seed must be a whole number, got ${seed}`);
  requireRange('payloadBytes', small, 2, 256 * 1024);
  requireRange('largePayloadBytes', large, 2, 256 * 1024);
  requireRange('largeFraction', largeFraction, 0, 1);
  requireRange('sizeJitter', jitter, 0, 0.9);

  const poolRandom = sfc32(words(seed, 0, 2));
  const poolChars = Math.max(MIN_FILLER_POOL_CHARS, 2 * Math.ceil(Math.max(small, large) * (1 + jitter)));
  const pool = Array.from({ length: poolChars }, () => FILLER_ALPHABET[Math.floor(poolRandom() * FILLER_ALPHABET.length)]).join('');

  const data = (index: number): string => {
    const random = sfc32(words(seed, index, 1));
    const isLarge = random() < largeFraction;
    const target = Math.max(2, Math.round((isLarge ? large : small) * (1 + jitter * (2 * random() - 1))));
    // Fields of a typical callback: what happened, to whom, and when it was asked for. Written as JSON text directly
    // (none of the values needs escaping): this runs once per timer in loops that time the service, not the client.
    const event = EVENTS[Math.floor(random() * EVENTS.length)];
    const tenantId = uuidOf(words(seed, Math.floor(random() * 1000), 3));
    const userId = Math.floor(random() * 1e7);
    const orderId = HEX[Math.floor(random() * 256)] + HEX[Math.floor(random() * 256)] + HEX[Math.floor(random() * 256)];
    const attempt = Math.floor(random() * 3);
    const requestedAt = new Date(EPOCH_2025 + Math.floor(random() * 365 * 86_400_000)).toISOString();
    const head =
      `{"event":"${event}","tenantId":"${tenantId}","userId":"user-${userId}","resource":{"type":"order","id":"ord-${orderId}"},` +
      `"attempt":${attempt},"requestedAt":"${requestedAt}","note":"`;
    // Every character is one byte, so the filler makes the JSON exactly `target` bytes long (or the bare fields, if longer).
    const fill = Math.max(0, target - head.length - 2);
    const start = Math.floor(random() * (pool.length - fill));
    return `${head}${pool.slice(start, start + fill)}"}`;
  };

  return {
    description:
      `realistic (seed ${seed}): UUID v4 ids, JSON payloads of about ${small} bytes, ${Math.round(largeFraction * 1000) / 10} % of about ` +
      `${large} bytes (sizes +-${Math.round(jitter * 100)} %)`,
    id: (index) => uuidOf(words(seed, index, 0)),
    data,
  };
}

/** The workload `bench:dispatch` has always measured: sequential ids and a small JSON payload. */
export function sequentialWorkload(): Workload {
  return {
    description: 'sequential: ids bench-00000000, bench-00000001, ...; JSON payloads of about 50 bytes',
    id: (index) => `bench-${String(index).padStart(8, '0')}`,
    data: (index) => JSON.stringify({ job: 'bench', tenant: `tenant-${index % 97}`, seq: index }),
  };
}

/** Payload bytes over the first `count` timers of a workload, for the benchmarks' summaries. */
export function payloadStats(workload: Workload, count: number): { meanBytes: number; largest: number; overKiB: number } {
  let total = 0;
  let largest = 0;
  let overKiB = 0;
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.byteLength(workload.data(i));
    total += bytes;
    largest = Math.max(largest, bytes);
    if (bytes > 1024) overKiB++;
  }
  return { meanBytes: count === 0 ? 0 : total / count, largest, overKiB };
}
