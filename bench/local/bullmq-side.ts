/**
 * The BullMQ side of the local benchmark: the same 100,000 periodic timers as BullMQ job schedulers on a local
 * Redis, fired to a Worker in the benchmark's own process that measures lateness the way the runtime's recorder
 * does (receipt time minus the firing's intended time).
 *
 * Why job schedulers: they are BullMQ's documented way to repeat a job (`queue.upsertJobScheduler(id, { every })`),
 * replacing the repeatable-job API it deprecated; a scheduler is upserted by id, as a PUT /periodic/{id} is, and
 * BullMQ itself keeps exactly one delayed job per scheduler and adds the next one when a worker takes the current
 * one. Re-adding delayed jobs by hand from the worker would be the same Redis work done by our code instead of
 * BullMQ's scripts, with a duplicate or a gap whenever a worker dies between the two steps. So
 * `{ every: 60_000, offset }` is what a Node user writes for "100k setIntervals": the offset (milliseconds past an
 * epoch-aligned multiple of `every`) gives timer i the same second as the runtime's timer i. BullMQ treats offset 0
 * as "none" and then fires at once, in the phase of the moment of creation; those timers get `startDate` at the
 * next whole minute instead, which BullMQ documents for exactly that.
 */
// Benchmarks run inside the repository with its devDependencies; they are not part of the published package.
/* eslint-disable import/no-extraneous-dependencies */
import * as path from 'path';
import { Job, Queue, Worker } from 'bullmq';
import { MeasurementWindow } from './stats';

export interface BullmqWorkload {
  readonly host: string;
  readonly port: number;
  readonly timers: number;
  readonly intervalSeconds: number;
  readonly offsetOf: (i: number) => number;
  /** Calls in flight while creating, as the runtime side's keep-alive connections. */
  readonly concurrency: number;
  /** Jobs the worker runs at once. */
  readonly workerConcurrency: number;
}

export interface BullmqRun {
  /** Creates every scheduler; resolves with the creates per second. */
  create(onProgress?: (done: number) => void): Promise<{ readonly elapsedMs: number; readonly perSecond: number }>;
  close(): Promise<void>;
}

/**
 * Where BullMQ 6 finds its Redis driver, ioredis, an optional peer dependency since v6; undefined (with the
 * reason) when it cannot be loaded, so the benchmark can say so instead of failing deep inside BullMQ.
 */
export function ioredisMissing(): string | undefined {
  try {
    require.resolve('ioredis', { paths: [path.dirname(require.resolve('bullmq'))] });
    return undefined;
  } catch {
    return 'bullmq 6 loads its Redis driver, the optional peer dependency ioredis, which is not installed: add ioredis@5 to the devDependencies (or pin bullmq@^5, which bundles it)';
  }
}

/** The intended firing time of a scheduler's job: BullMQ names each one `repeat:{schedulerId}:{millis}`. */
export function intendedTime(job: Job): number {
  const millis = Number(job.id?.slice(job.id.lastIndexOf(':') + 1));
  return Number.isFinite(millis) && millis > 0 ? millis : job.timestamp + (job.delay ?? 0);
}

/** Starts a queue and its worker; the worker records every firing into `window`. */
export async function startBullmq(workload: BullmqWorkload, window: MeasurementWindow): Promise<BullmqRun> {
  const connection = { host: workload.host, port: workload.port, maxRetriesPerRequest: null };
  const name = 'bench-timers';
  const queue = new Queue(name, { connection });
  const worker = new Worker(
    name,
    async (job: Job) => {
      const receivedAt = Date.now();
      const scheduledAt = intendedTime(job);
      window.record(scheduledAt, receivedAt - scheduledAt);
    },
    { connection, concurrency: workload.workerConcurrency },
  );
  let closing = false;
  // While closing, jobs still in flight fail to schedule their next run on the closed connection: expected then.
  worker.on('error', (err) => {
    if (!closing) process.stderr.write(`bullmq worker error: ${String(err)}\n`);
  });
  await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
  const everyMs = workload.intervalSeconds * 1000;

  return {
    create: async (onProgress) => {
      let next = 0;
      let done = 0;
      const started = Date.now();
      const progress = onProgress && setInterval(() => onProgress(done), 1000);
      const caller = async (): Promise<void> => {
        while (next < workload.timers) {
          const i = next++;
          const offsetMs = workload.offsetOf(i) * 1000;
          const nextMinute = Math.floor(Date.now() / everyMs) * everyMs + everyMs;
          await queue.upsertJobScheduler(
            `timer-${i}`,
            offsetMs > 0 ? { every: everyMs, offset: offsetMs } : { every: everyMs, startDate: nextMinute },
            // Completed jobs are removed, as a high-volume queue must, or Redis grows by one hash per firing.
            { name: 'tick', data: { n: i }, opts: { removeOnComplete: true, removeOnFail: 1000 } },
          );
          done++;
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(workload.concurrency, workload.timers) }, caller));
      } finally {
        if (progress) clearInterval(progress);
      }
      const elapsedMs = Date.now() - started;
      return { elapsedMs, perSecond: done / (elapsedMs / 1000) };
    },
    close: async () => {
      closing = true;
      await worker.close();
      await queue.close();
    },
  };
}
