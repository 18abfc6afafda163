/**
 * The API Lambda: API Gateway REST proxy events for `/periodic/{id}` and `/oneshot/{id}` -> core `TimerApi`. The
 * store, queue and configuration are built from the environment once per container, on the first request.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { adaptersFromEnv } from '../aws/engine-from-env';
import { ApiHandler, createApiHandler } from '../aws/handlers';
import { createObservability } from '../aws/observability';
import { INTERNAL_ERROR_MESSAGE } from '../core/errors';

let cached: ApiHandler | undefined;

function build(): ApiHandler {
  const { metrics, log } = createObservability('ServerlessTimerApi');
  return createApiHandler({ ...adaptersFromEnv(), metrics, log, flush: () => metrics.flush() });
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    cached ??= build();
  } catch (err) {
    // A misconfigured function: say so in the logs, but never in the answer.
    console.error(JSON.stringify({ level: 'ERROR', message: 'the API function cannot start', error: String(err) }));
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: INTERNAL_ERROR_MESSAGE }),
    };
  }
  return cached(event);
}
