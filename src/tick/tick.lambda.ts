/**
 * The tick Lambda: invoked by one EventBridge schedule per shard with `{"shardId": "shard<n>"}`, it runs core's
 * `Ticker` for that shard and returns the TickReport. Dependencies are built once per container.
 */
import { adaptersFromEnv } from '../aws/engine-from-env';
import { TickHandler, createTickHandler } from '../aws/handlers';
import { createObservability } from '../aws/observability';
import type { TickReport } from '../core';

let cached: TickHandler | undefined;

export async function handler(event: unknown): Promise<TickReport> {
  if (!cached) {
    const { metrics, log } = createObservability('ServerlessTimerTick');
    cached = createTickHandler({ ...adaptersFromEnv(), metrics, log, flush: () => metrics.flush() });
  }
  return cached(event);
}
