/**
 * What one firing costs end to end on AWS, from what a benchmark measured of its dispatch: the tick's own requests
 * (SQS sends, DynamoDB reads and shard-state writes, counted by `AwsMeter`), plus what the rest of a firing's path is
 * billed for, at the list prices of `prices.ts`:
 *
 * - The consumer's SQS requests. The callback's event source (or any consumer) receives up to ten messages per
 *   ReceiveMessage and deletes them with one DeleteMessageBatch. Assumed: full batches of ten, received in the groups
 *   they were sent in, so the receives are billed the same 64 KB chunks as the sends, and the deletes (receipt
 *   handles only) one request per ten firings. That holds while messages arrive faster than the pollers take them
 *   (a window of 50,000 firings a minute is 833 a second); a sparse queue pays up to one receive and one delete per
 *   firing. Long polling's empty receives are a cost per queue, not per firing, and are left out: Lambda's event
 *   source keeps about five pollers, each waiting up to 20 s, about 650,000 requests ($0.26) a month on an idle queue.
 * - The tick's Lambda duration, from the CPU time the tick used in the run: Lambda gives a function CPU in
 *   proportion to its memory (one vCPU at 1,769 MB), so a CPU-bound tick at M MB runs cpu x 1,769 / M seconds below
 *   1,769 MB and cpu seconds above it (one Node.js thread uses one vCPU). Billed: duration x M / 1,024 GB-seconds, that
 *   is cpu x max(M, 1,769) / 1,024. A floor: it assumes the tick never waits with its CPU idle (its sends overlap its
 *   work; the first Query page and the last sends do not), and a vCPU as fast as this machine's core.
 * - The tick's Lambda requests (the scheduled invocation and each continuation) and the schedule's invocations.
 *
 * Not included: the callback's own invocations and duration (the user's cost, whatever the callback does), and the
 * tick's few log lines and metrics per invocation (CloudWatch Logs ingestion).
 */
import {
  LAMBDA_MB_PER_VCPU,
  LAMBDA_USD_PER_GB_SECOND,
  LAMBDA_USD_PER_REQUEST,
  SCHEDULER_USD_PER_INVOCATION,
  SQS_USD_PER_REQUEST,
} from './prices';

export interface DispatchMeasurement {
  readonly firings: number;
  /** What the tick's own requests cost (USD): SQS sends, DynamoDB reads and writes. */
  readonly dispatchUsd: number;
  /** The SQS requests the sends were billed as (64 KB chunks). */
  readonly sendBilledRequests: number;
  /** CPU time (user + system) the tick used, in seconds. */
  readonly tickCpuSeconds: number;
  /** Tick invocations: scheduled ones and continuations. */
  readonly tickInvocations: number;
  /** Of those, the scheduled ones: one schedule invocation each. */
  readonly scheduledTicks: number;
  /** The tick function's memory (MB). */
  readonly tickMemoryMb: number;
}

/** USD, in all, by part of a firing's path. */
export interface FiringCost {
  readonly dispatch: number;
  readonly receive: number;
  readonly delete: number;
  readonly tickDuration: number;
  readonly tickRequests: number;
  readonly schedule: number;
  readonly total: number;
  /** The tick's billed GB-seconds, as estimated from its CPU time. */
  readonly tickGbSeconds: number;
}

export function endToEndCost(m: DispatchMeasurement): FiringCost {
  const receive = m.sendBilledRequests * SQS_USD_PER_REQUEST;
  const deleteUsd = Math.ceil(m.firings / 10) * SQS_USD_PER_REQUEST;
  const tickGbSeconds = (m.tickCpuSeconds * Math.max(m.tickMemoryMb, LAMBDA_MB_PER_VCPU)) / 1024;
  const tickDuration = tickGbSeconds * LAMBDA_USD_PER_GB_SECOND;
  const tickRequests = m.tickInvocations * LAMBDA_USD_PER_REQUEST;
  const schedule = m.scheduledTicks * SCHEDULER_USD_PER_INVOCATION;
  return {
    dispatch: m.dispatchUsd,
    receive,
    delete: deleteUsd,
    tickDuration,
    tickRequests,
    schedule,
    total: m.dispatchUsd + receive + deleteUsd + tickDuration + tickRequests + schedule,
    tickGbSeconds,
  };
}
