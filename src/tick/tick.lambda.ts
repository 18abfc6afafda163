/**
 * The tick Lambda: invoked by one EventBridge schedule per shard with `{"shardId": "shard<n>"}`, or by itself with
 * `{"shardId", "continueAs", "hop"}` to continue a tick that stopped before its deadline. It runs core's `Ticker` for
 * that shard within the invocation's remaining time and returns the TickReport. Dependencies are built once per
 * container.
 */
import type { Context } from 'aws-lambda';
import { adaptersFromEnv, continueTickFromEnv } from '../aws/engine-from-env';
import { TickHandler, createTickHandler } from '../aws/handlers';
import { createObservability } from '../aws/observability';
import type { TickReport } from '../core';

let cached: TickHandler | undefined;

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<TickReport> {
  if (!cached) {
    const { metrics, log } = createObservability('ServerlessTimerTick');
    const continueTick = continueTickFromEnv();
    cached = createTickHandler({ ...adaptersFromEnv(), metrics, log, flush: () => metrics.flush(), ...(continueTick && { continueTick }) });
  }
  return cached(event, context);
}
