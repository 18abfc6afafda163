/**
 * The firing queue of a `ServerlessTimer`: the standard SQS queue every firing is sent to (by the ticks and, for
 * a new timer's near-term firings, by the API), its dead-letter queue, and the user's callback reading it through
 * an SQS event source. The handlers send with `aws/sqs-queue.ts`.
 *
 * A part, not a construct: it creates its resources in the `ServerlessTimer`'s own scope, so their construct IDs,
 * and the logical IDs that follow from them, stay those of the single-class construct it was split from.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TimerDeadLetterQueue } from './dead-letter-queue';
import { checkSeconds, checkWhole } from '../prop-checks';
import type { ServerlessTimerProps } from '../serverless-timer';

/** SQS allows a visibility timeout up to 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
/** Lambda's longest timeout, assumed for a callback whose timeout the construct cannot see. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** Lambda's default timeout, for a callback created without one. */
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;

export type QueuePartProps = Pick<ServerlessTimerProps,
'callback' | 'callbackBatchSize' | 'callbackMaxBatchingWindow' | 'callbackMaxConcurrency' | 'visibilityTimeout' | 'deadLetterQueue'>
& {
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
};

export class QueuePart {
  readonly queue: sqs.Queue;
  /** Unless `TimerDeadLetterQueue.none()`. */
  readonly deadLetterQueue?: sqs.IQueue;

  constructor(scope: Construct, props: QueuePartProps) {
    checkProps(props);
    const key = props.encryptionKey;
    const choice = props.deadLetterQueue ?? TimerDeadLetterQueue.create();
    const deadLetter = choice._bind(scope, { encryptionKey: key, removalPolicy: props.removalPolicy });
    this.queue = new sqs.Queue(scope, 'Queue', {
      visibilityTimeout: props.visibilityTimeout ?? deriveVisibilityTimeout(props.callback),
      deadLetterQueue: deadLetter,
      enforceSSL: true,
      encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: key,
      removalPolicy: props.removalPolicy,
    });
    this.deadLetterQueue = deadLetter?.queue;
    if (props.callback) {
      props.callback.addEventSource(new lambdaEventSources.SqsEventSource(this.queue, {
        reportBatchItemFailures: true,
        batchSize: props.callbackBatchSize,
        maxBatchingWindow: props.callbackMaxBatchingWindow,
        maxConcurrency: props.callbackMaxConcurrency,
      }));
    }
  }

  /** What a handler that sends firings needs: SendMessageBatch is authorized by `sqs:SendMessage`. */
  grantSendFirings(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
  }
}

function checkProps(props: QueuePartProps): void {
  checkWhole('callbackMaxConcurrency', props.callbackMaxConcurrency, 2, 1000, 'the SQS event source allows 2 to 1,000 concurrent invocations');
  const maxBatch = props.callbackMaxBatchingWindow ? 10_000 : 10;
  checkWhole('callbackBatchSize', props.callbackBatchSize, 1, maxBatch, 'above 10, SQS event sources need a callbackMaxBatchingWindow');
  checkSeconds('callbackMaxBatchingWindow', props.callbackMaxBatchingWindow, 0, 300, 'the SQS event source waits at most 5 minutes');
  checkSeconds('visibilityTimeout', props.visibilityTimeout, 0, MAX_VISIBILITY_SECONDS, 'SQS allows 0 seconds to 12 hours');
  if (!props.callback && (props.callbackBatchSize !== undefined || props.callbackMaxConcurrency !== undefined
    || props.callbackMaxBatchingWindow !== undefined)) {
    throw new Error('callbackBatchSize, callbackMaxBatchingWindow and callbackMaxConcurrency tune the callback\'s event source, '
      + 'got them without a callback: pass callback too, or drop them');
  }
  if (props.callback) checkVisibilityAgainstCallback(props.visibilityTimeout, props.callback);
}

function deriveVisibilityTimeout(callback: lambda.IFunction | undefined): Duration {
  // Without a callback the consumer is the user's: keep SQS's own default.
  if (!callback) return Duration.seconds(30);
  const timeout = callbackTimeoutSeconds(callback) ?? MAX_LAMBDA_TIMEOUT_SECONDS;
  return Duration.seconds(Math.min(MAX_VISIBILITY_SECONDS, Math.max(30, 6 * timeout)));
}

function checkVisibilityAgainstCallback(visibility: Duration | undefined, callback: lambda.IFunction): void {
  const timeout = callbackTimeoutSeconds(callback);
  if (visibility === undefined || visibility.isUnresolved() || timeout === undefined) return;
  if (visibility.toSeconds() < timeout) {
    throw new Error(
      `visibilityTimeout must be at least the callback's timeout (${timeout} seconds), got ${visibility.toSeconds()} seconds: `
      + `raise it (six times, ${6 * timeout} seconds, is recommended) or leave it unset to derive it`,
    );
  }
}

/** The callback's timeout in seconds when the construct can see it; undefined for an imported function. */
function callbackTimeoutSeconds(callback: lambda.IFunction): number | undefined {
  if (!(callback instanceof lambda.Function)) return undefined;
  const timeout = callback.timeout;
  if (timeout === undefined) return DEFAULT_LAMBDA_TIMEOUT_SECONDS;
  return timeout.isUnresolved() ? undefined : timeout.toSeconds();
}
