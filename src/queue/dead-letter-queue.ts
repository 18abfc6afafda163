/**
 * Where firings go when the callback keeps failing them: the dead-letter queue choice of a `ServerlessTimer`.
 * The construct binds the choice to its callback queue's redrive policy.
 *
 * Named `TimerDeadLetterQueue`, not `DeadLetterQueue`: the SQS module has a `DeadLetterQueue` type, and a user who
 * imports both namespaces (as the README's examples do) would have two types of one name in C# and Java.
 */
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SQS accepts a maxReceiveCount from 1 to 1,000. */
const MAX_RECEIVE_COUNT = { min: 1, max: 1000 };
const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** Options of a dead-letter queue created by the construct. */
export interface TimerDeadLetterQueueOptions {
  /**
   * How many times the callback may receive a firing before SQS moves it to the dead-letter queue (1 to 1,000).
   * Lambda's SQS event source counts every failed batch item as one receive: keep this at 5 or more so that a
   * throttled callback does not send healthy firings away.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long the dead-letter queue keeps a firing (60 seconds to 14 days).
   *
   * @default - 14 days
   */
  readonly retentionPeriod?: Duration;
}

/** What the construct binds a choice with: the callback queue's encryption key and removal policy. */
type BindOptions = Parameters<TimerDeadLetterQueue['_bind']>[1];

type Choice =
  | { readonly kind: 'none' }
  | { readonly kind: 'create'; readonly options: TimerDeadLetterQueueOptions }
  | { readonly kind: 'existing'; readonly queue: sqs.IQueue; readonly maxReceiveCount: number };

/**
 * The dead-letter queue of the callback queue: none, one the construct creates, or an existing queue.
 */
export class TimerDeadLetterQueue {
  /** No dead-letter queue: a firing the callback never accepts stays in the queue until its retention ends. */
  public static none(): TimerDeadLetterQueue {
    return new TimerDeadLetterQueue({ kind: 'none' });
  }

  /**
   * A dead-letter queue created with the callback queue, encrypted like it.
   *
   * @param options how many receives move a firing there, and how long it is kept
   */
  public static create(options: TimerDeadLetterQueueOptions = {}): TimerDeadLetterQueue {
    return new TimerDeadLetterQueue({ kind: 'create', options });
  }

  /**
   * An existing queue. It must be a standard (not FIFO) queue in the same account and region.
   *
   * @param queue the dead-letter queue
   * @param maxReceiveCount receives before a firing moves there (1 to 1,000)
   */
  public static fromQueue(queue: sqs.IQueue, maxReceiveCount: number): TimerDeadLetterQueue {
    return new TimerDeadLetterQueue({ kind: 'existing', queue, maxReceiveCount });
  }

  private constructor(private readonly choice: Choice) {}

  /**
   * Creates or returns the queue and its receive count, or nothing for `none()`. Called once by the construct that
   * owns the callback queue.
   *
   * @internal
   */
  public _bind(
    scope: Construct,
    options: { readonly encryptionKey?: kms.IKey; readonly removalPolicy: RemovalPolicy },
  ): sqs.DeadLetterQueue | undefined {
    switch (this.choice.kind) {
      case 'none':
        return undefined;
      case 'existing':
        if (this.choice.queue.fifo) {
          throw new Error(
            `deadLetterQueue ${this.choice.queue.node.path} is a FIFO queue, but the callback queue is a standard queue (SQS per-message delays need one): `
            + 'pass a standard queue',
          );
        }
        return { queue: this.choice.queue, maxReceiveCount: checkMaxReceiveCount(this.choice.maxReceiveCount) };
      case 'create':
        return createQueue(scope, this.choice.options, options);
    }
  }
}

function createQueue(scope: Construct, choice: TimerDeadLetterQueueOptions, options: BindOptions): sqs.DeadLetterQueue {
  const maxReceiveCount = checkMaxReceiveCount(choice.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT);
  const retentionPeriod = choice.retentionPeriod ?? Duration.days(14);
  if (!retentionPeriod.isUnresolved()) {
    const seconds = retentionPeriod.toSeconds();
    if (seconds < 60 || seconds > 14 * 24 * 3600) {
      throw new Error(
        `deadLetterQueue retentionPeriod must be from 60 seconds to 14 days, got ${seconds} seconds: SQS keeps messages no longer than that`,
      );
    }
  }
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    retentionPeriod,
    enforceSSL: true,
    encryption: options.encryptionKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
    encryptionMasterKey: options.encryptionKey,
    removalPolicy: options.removalPolicy,
  });
  return { queue, maxReceiveCount };
}

function checkMaxReceiveCount(value: number): number {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < MAX_RECEIVE_COUNT.min || value > MAX_RECEIVE_COUNT.max)) {
    throw new Error(
      `deadLetterQueue maxReceiveCount must be a whole number from ${MAX_RECEIVE_COUNT.min} to ${MAX_RECEIVE_COUNT.max}, got ${value}: `
      + 'pick how many failed deliveries a firing may have before it is set aside',
    );
  }
  return value;
}
