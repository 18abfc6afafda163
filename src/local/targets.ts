/**
 * Where the local runtime delivers firings: a user's SQS handler module (called with SQS-shaped events, exactly as
 * a Lambda event source with `reportBatchItemFailures` would), a webhook, or stdout. Each target takes a claimed
 * batch from the delivery loop (`delivery.ts`) and answers which messages failed; it never touches the queue.
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MessageAttribute } from '../core';
import { StartupError } from './database';
import { QueueMessage } from './queue';

/** Failed deliveries of a batch: message id to the reason. */
export type DeliveryFailures = Map<string, string>;

export interface DeliveryTarget {
  /** How the start line names the target. */
  readonly description: string;
  /** Delivers a batch; `deadline` (epoch ms) is when the messages' visibility timeout lapses. */
  deliver(messages: readonly QueueMessage[], deadline: number): Promise<DeliveryFailures>;
}

/** The handler signature of a Lambda SQS consumer; a void result means the whole batch succeeded. */
export type SqsHandler = (event: SQSEvent, context: Context) => unknown;

const EVENT_SOURCE_ARN = 'arn:aws:sqs:local:000000000000:cdk-serverless-timer-callbacks';

/** One queue message in the shape an SQS event source hands to Lambda. */
export function sqsRecordOf(message: QueueMessage): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    messageAttributes[name] = { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' };
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'cdk-serverless-timer-local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    },
    messageAttributes,
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: EVENT_SOURCE_ARN,
    awsRegion: 'local',
  };
}

function lambdaContext(deadline: number): Context {
  const functionName = 'cdk-serverless-timer-local-callback';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Makes `.ts` modules loadable when the runtime itself runs as compiled JavaScript. */
function ensureTypeScriptLoader(modulePath: string): void {
  // tsx (as `npm start` uses) has already registered a loader for .ts.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (require.extensions['.ts']) return;
  try {
    // Optional: only a .ts callback under compiled JavaScript needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    (require('tsx/cjs/api') as { register: () => unknown }).register();
  } catch {
    throw new StartupError(
      `--callback ${modulePath} is TypeScript and tsx is not installed: run npm install tsx, or pass the compiled .js module`,
    );
  }
}

/** Loads a handler module: its `handler` export, or a default export that is (or holds) one. */
export async function loadHandler(modulePath: string): Promise<SqsHandler> {
  const file = path.resolve(modulePath);
  if (!fs.existsSync(file)) {
    throw new StartupError(`--callback ${modulePath}: no such file (resolved to ${file}); pass the path of a module exporting handler(event)`);
  }
  if (/\.[cm]?tsx?$/.test(file)) ensureTypeScriptLoader(modulePath);
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') {
      throw new StartupError(`--callback ${modulePath} failed to load: ${(err as Error).message.split('\n')[0]}`);
    }
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  const fallback = mod.default as Record<string, unknown> | ((...args: unknown[]) => unknown) | undefined;
  const handler = mod.handler ?? (typeof fallback === 'function' ? fallback : fallback?.handler);
  if (typeof handler !== 'function') {
    throw new StartupError(
      `--callback ${modulePath} exports no handler function (exports: ${Object.keys(mod).join(', ') || 'none'}): export handler(event) as for a Lambda SQS consumer`,
    );
  }
  return handler as SqsHandler;
}

/** Calls a Lambda-style SQS handler with one event per batch and reads its partial batch response. */
export class HandlerTarget implements DeliveryTarget {
  readonly description: string;

  constructor(private readonly handler: SqsHandler, modulePath: string) {
    this.description = `handler ${modulePath}`;
  }

  async deliver(messages: readonly QueueMessage[], deadline: number): Promise<DeliveryFailures> {
    const event: SQSEvent = { Records: messages.map(sqsRecordOf) };
    const everyMessage = (reason: string): DeliveryFailures => new Map(messages.map((m) => [m.messageId, reason]));
    let timeout: NodeJS.Timeout | undefined;
    let result: unknown;
    try {
      result = await Promise.race([
        Promise.resolve().then(() => this.handler(event, lambdaContext(deadline))),
        new Promise((_, reject) => {
          timeout = setTimeout(() => reject(new Error('the handler did not finish within the visibility timeout')), Math.max(0, deadline - Date.now()));
        }),
      ]);
    } catch (err) {
      return everyMessage(`handler threw: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timeout);
    }
    const failures: DeliveryFailures = new Map();
    const items = (result as SQSBatchResponse | undefined)?.batchItemFailures;
    if (items === undefined || items === null) return failures;
    if (!Array.isArray(items)) return everyMessage('the handler returned batchItemFailures that is not an array');
    const known = new Set(messages.map((m) => m.messageId));
    for (const item of items) {
      const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      // As on Lambda: an identifier that names no message of the batch fails the whole batch.
      if (typeof id !== 'string' || !known.has(id)) {
        return everyMessage(`the handler returned an unknown itemIdentifier ${JSON.stringify(id)}`);
      }
      failures.set(id, 'reported in batchItemFailures');
    }
    return failures;
  }
}

/** POSTs each firing to a URL; any answer outside 2xx, or no answer, is a failed delivery. */
export class WebhookTarget implements DeliveryTarget {
  readonly description: string;

  constructor(private readonly url: string) {
    this.description = `webhook ${url}`;
  }

  async deliver(messages: readonly QueueMessage[], deadline: number): Promise<DeliveryFailures> {
    const failures: DeliveryFailures = new Map();
    await Promise.all(
      messages.map(async (message) => {
        try {
          const response = await fetch(this.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-timer-id': message.attributes[MessageAttribute.TIMER_ID],
              'x-timer-kind': message.attributes[MessageAttribute.TIMER_KIND],
              'x-timer-scheduled-at': message.attributes[MessageAttribute.SCHEDULED_AT],
              'x-timer-firing-id': message.attributes[MessageAttribute.FIRING_ID],
              'x-timer-receive-count': String(message.receiveCount),
            },
            body: message.body,
            signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
          });
          await response.arrayBuffer().catch(() => undefined);
          if (response.status < 200 || response.status > 299) failures.set(message.messageId, `the webhook answered ${response.status}`);
        } catch (err) {
          const cause = (err as { cause?: Error }).cause;
          failures.set(message.messageId, `the webhook request failed: ${cause?.message ?? (err as Error).message}`);
        }
      }),
    );
    return failures;
  }
}

/** Prints each firing as one JSON line: the default when no handler or webhook is given. */
export class StdoutTarget implements DeliveryTarget {
  readonly description = 'stdout (one JSON line per firing)';

  async deliver(messages: readonly QueueMessage[]): Promise<DeliveryFailures> {
    const now = Date.now();
    const lines = messages.map((message) => {
      let data: unknown = message.body;
      try {
        data = JSON.parse(message.body);
      } catch {
        // The body is always JSON when the engine wrote it; print it raw otherwise.
      }
      return JSON.stringify({
        firingId: message.firingId,
        timerId: message.attributes[MessageAttribute.TIMER_ID],
        kind: message.attributes[MessageAttribute.TIMER_KIND],
        scheduledAt: new Date(message.scheduledAt).toISOString(),
        lateMs: now - message.scheduledAt,
        receiveCount: message.receiveCount,
        timerCallbackData: data,
      });
    });
    process.stdout.write(lines.join('\n') + '\n');
    return new Map();
  }
}
