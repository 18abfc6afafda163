/**
 * The `ServerlessTimer` construct: the AWS face of the engine. It composes one part per resource group, each in the
 * folder of its component beside the handler it deploys: the timer table (`table/`), the firing queue and the
 * callback's wiring (`queue/`), the API (`api/`), the shard ticks (`tick/`), and the alarms and dashboard
 * (`monitoring/`). The parts create their resources in this construct's own scope, so every construct ID, and the
 * logical ID CloudFormation knows a resource by, is what it was before the split. This file holds the props, the
 * engine settings both handlers read (`envars.ts`), and the public surface.
 */
import { Duration, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ApiAuthorization } from './api/api-authorization';
import { ApiPart, CREATE_WITHIN } from './api/api-part';
import { indexLagToleranceFor, MAX_PERIOD_SECONDS, MAX_SHARDS } from './core/config';
import { METRIC_NAMESPACE } from './core/names';
import { Envar } from './envars';
import { HandlerSettings } from './handler-settings';
import { MonitoringPart } from './monitoring/monitoring-part';
import { TimerMetricName } from './monitoring/timer-metric-name';
import { TimerMetrics } from './monitoring/timer-metrics';
import { checkSeconds, checkWhole, numberString } from './prop-checks';
import { TimerDeadLetterQueue } from './queue/dead-letter-queue';
import { QueuePart } from './queue/queue-part';
import { TablePart } from './table/table-part';
import { TickPart } from './tick/tick-part';

/** Properties of a `ServerlessTimer`. */
export interface ServerlessTimerProps {
  /**
   * Number of shards (1 to 100). Each shard has its own schedule, tick invocation and watermark, so dispatch
   * capacity grows with the count; a timer's shard is derived from its id. Changing it re-homes timers only as
   * they are written again: choose it up front.
   *
   * @default 1
   */
  readonly shardCount?: number;

  /**
   * The tick period, and the interval of a periodic timer created without one. Whole minutes from 1 to 14:
   * schedules have minute granularity, and a tick sends each firing up to a period plus a margin ahead with
   * SQS `DelaySeconds`, which stops at 900 seconds.
   *
   * @default - 1 minute
   */
  readonly period?: Duration;

  /**
   * SendMessageBatch calls a tick keeps in flight (1 to 1,000). Each call carries up to ten firings.
   *
   * @default 10
   */
  readonly batchConcurrency?: number;

  /**
   * Memory of the tick function, in MB (128 to 10,240). Lambda gives a function CPU in proportion to its memory and
   * one full vCPU at 1,769 MB. A busy tick is CPU-bound: on one Node.js thread it turns query pages into messages
   * and signs SendMessageBatch requests. Below 1,769 MB it dispatches proportionally slower at the same cost per
   * firing (half the CPU, twice the time), so a shard's window takes more continuations; above it, a second vCPU that
   * one event loop hardly uses costs more without dispatching faster. A tick-second at 1,769 MB costs about
   * $0.0000295 (x86, $0.0000166667 per GB-second in us-east-1); an idle shard's tick, a few DynamoDB round trips of
   * a few hundred milliseconds in all, once a minute, comes to roughly $0.40 a month per shard.
   *
   * @default 1769
   */
  readonly tickMemorySize?: number;

  /**
   * Concurrent executions reserved for the tick function, so that a busy callback (or anything else in the account)
   * cannot take the concurrency the ticks need; it is also the most the ticks may use. Continuations count too, and
   * a scheduled tick may start while a continuation runs. The reservation comes out of the account's
   * concurrency quota (1,000 by default, of which Lambda keeps 100 unreserved). A continuation is a tick that
   * stops before its deadline and invokes itself for the rest of its window, so at least twice the shard count is
   * required.
   *
   * @default - no reservation: the ticks share the account's unreserved concurrency
   */
  readonly tickReservedConcurrency?: number;

  /**
   * The function that receives the firings, through an SQS event source that reports batch item failures: it must
   * answer which records of a batch failed (the `batchItemFailures` field of an SQS batch response; Powertools'
   * batch processing utility writes it). Without it, consume the construct's queue yourself.
   *
   * @default - no consumer is wired; read the construct's queue
   */
  readonly callback?: lambda.IFunction;

  /**
   * Firings per callback invocation (1 to 10; up to 10,000 with a maximum batching window).
   *
   * @default 10
   */
  readonly callbackBatchSize?: number;

  /**
   * How long the event source may wait to fill a batch (0 to 5 minutes). Every second here delays a firing.
   *
   * @default - no batching window: firings are handed over as soon as they are visible
   */
  readonly callbackMaxBatchingWindow?: Duration;

  /**
   * Concurrent callback invocations the event source may start (2 to 1,000).
   *
   * @default - no limit beyond the function's own concurrency
   */
  readonly callbackMaxConcurrency?: number;

  /**
   * How long a received firing stays invisible before another delivery (0 seconds to 12 hours). It must be at
   * least the callback's timeout; AWS recommends six times.
   *
   * @default - six times the callback's timeout (the Lambda default of 3 seconds when not set; 15 minutes for an
   * imported function whose timeout is unknown), at least 30 seconds
   */
  readonly visibilityTimeout?: Duration;

  /**
   * Where firings go after the callback failed them as many times as the dead-letter queue's receive count allows.
   *
   * @default - a new queue, which a firing reaches after 5 receives
   */
  readonly deadLetterQueue?: TimerDeadLetterQueue;

  /**
   * Authorization of every API method.
   *
   * @default - IAM authorization: callers sign their requests with SigV4
   */
  readonly apiAuthorization?: ApiAuthorization;

  /**
   * Access logs of the API stage, in a log group of this construct (JSON with the standard fields).
   *
   * API Gateway writes a REST API's logs to CloudWatch only through the CloudWatch Logs role set in its account
   * settings, one per account and region; where none is set, a stage with access logs fails to deploy ("CloudWatch
   * Logs role ARN must be set in account settings to enable logging"). Turn this on where your account has that role,
   * or let this construct set it (the CloudWatch role property).
   *
   * @default - on when this construct sets the account's CloudWatch role, off otherwise
   */
  readonly apiAccessLogs?: boolean;

  /**
   * Create an IAM role API Gateway may push logs to CloudWatch with, and set it as the account's API Gateway
   * CloudWatch Logs role in this region (`AWS::ApiGateway::Account`). Turns on the API's access logs unless those are
   * set.
   *
   * That setting is one per account and region, shared by every REST API there: the stack that last created or updated
   * such a resource sets it. Enable this in one stack per account and region, and not where the account already has a role
   * (one set by your landing zone, for example). The role is kept when the stack is deleted, so that the APIs
   * still logging through it keep doing so.
   *
   * @default false
   */
  readonly apiCloudWatchRole?: boolean;

  /**
   * A customer managed key that encrypts the table and the queues (a created dead-letter queue too). The
   * handlers are granted `kms:GenerateDataKey` and `kms:Decrypt` on it.
   *
   * @default - SQS-managed encryption for the queues and a DynamoDB-owned key for the table
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table, the queues and the log groups when they leave the stack.
   *
   * @default - retained
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Point-in-time recovery of the timer table.
   *
   * @default true
   */
  readonly pointInTimeRecovery?: boolean;

  /**
   * Retention of the handlers' and the API's access logs.
   *
   * @default - one month
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * X-Ray active tracing of the handlers and the API stage.
   *
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * How long a fired one-shot timer still reads as `"state": "fired"`, and a periodic timer past its `endAt` as
   * `"state": "ended"`, before DynamoDB's TTL drops it (1 minute to 365 days).
   *
   * @default - 1 day
   */
  readonly oneShotRetention?: Duration;

  /**
   * The value of the metrics' `Service` dimension (Powertools' service name): tells apart the metrics of two
   * timers in one account and region.
   *
   * @default - a name unique to this construct in the app
   */
  readonly serviceName?: string;

  /**
   * Create a CloudWatch dashboard of the firings, the ticks and the queues.
   *
   * @default false
   */
  readonly dashboard?: boolean;
}

const DEFAULT_PERIOD = Duration.minutes(1);

/**
 * A serverless periodic, one-shot and cron timer service: an IAM-authorized REST API to create timers, a DynamoDB table
 * holding them, one tick per shard and period that sends each firing to an SQS queue with the delay that makes it
 * visible on its second, and your callback reading that queue.
 */
export class ServerlessTimer extends Construct {
  /** The timer table (one item per timer, index `schedule` read by the ticks). */
  public readonly table: dynamodb.ITableV2;
  /** The queue every firing is sent to: one message per firing, body = the timer's `timerCallbackData`. */
  public readonly queue: sqs.IQueue;
  /** The SQS dead-letter queue of the firing queue; undefined when the dead-letter queue property chose none. */
  public readonly deadLetterSqsQueue?: sqs.IQueue;
  /** The REST API with `/periodic/{id}`, `/oneshot/{id}` and `/cron/{id}`. */
  public readonly api: apigw.IRestApi;
  /** The API's stage URL. */
  public readonly apiUrl: string;
  /** The function behind the API. */
  public readonly apiHandler: lambda.IFunction;
  /**
   * The function each shard's schedule invokes with `{ "shardId": "shard<n>" }`, and that invokes itself to continue
   * a window it could not finish before its deadline.
   */
  public readonly tickHandler: lambda.IFunction;
  /** The schedule group holding the shards' tick schedules (its metrics are in the `AWS/Scheduler` namespace). */
  public readonly scheduleGroup: scheduler.IScheduleGroup;
  /** The number of shards. */
  public readonly shardCount: number;
  /** The tick period and default timer interval. */
  public readonly period: Duration;
  /** The `Service` dimension value of the engine's metrics. */
  public readonly serviceName: string;
  /** Alarms when ticks fail (errors or timeouts) in two of the last three periods. */
  public readonly tickErrorsAlarm: cloudwatch.Alarm;
  /**
   * Alarms when the ticks stop running: fewer tick invocations than the shard count in two of the last three periods,
   * no data counting as breaching. It catches what the tick errors alarm cannot see, ticks that never start: a schedule
   * deleted or disabled, a scheduler whose target fails, throttled ticks. Continuations count as invocations, so
   * while other shards continue busy windows, one shard left unticked may not lower the count below the shard count.
   */
  public readonly tickHeartbeatAlarm: cloudwatch.Alarm;
  /**
   * Alarms when the scheduler fails to invoke the tick: the schedule group's target errors plus dropped invocations
   * (retries exhausted) of at least one in two of the last three periods.
   */
  public readonly schedulerErrorsAlarm: cloudwatch.Alarm;
  /**
   * Alarms when a shard stops progressing: a shard's watermark lags more than one period behind now in two of the
   * last three periods.
   *
   * Each tick reports how far the next shard's watermark (the end of the last window it fully dispatched) lags behind
   * now, as `ShardWatermarkLag`; the alarm reads its maximum. Missing data is not breaching: no data means no tick ran,
   * which the tick heartbeat alarm covers. It catches one shard left behind among healthy ones, whatever the cause: its
   * schedule not invoking it, its tick failing or killed every time, SQS refusing its sends on every attempt, or
   * windows that outgrow its ticks. An operator reads the tick's logs for the shard that lags (the one after the
   * shard reporting), and its errors, `SendFailures` and `TickContinuations`.
   */
  public readonly shardLagAlarm: cloudwatch.Alarm;
  /**
   * Alarms when firings were sent late: later than the engine's tolerance after the moment they could first be sent
   * (a tick failed, ran late or was throttled). A one-shot created with `at` in the allowed past is not late.
   */
  public readonly lateFiringsAlarm: cloudwatch.Alarm;
  /**
   * Alarms when the queue refused a firing for good (e.g. SQS `InvalidMessageContents`): it was set aside, not
   * delivered, so that it holds no shard back. An operator must read the handlers' logs, which name the timer, the
   * firing and the queue's error code.
   */
  public readonly firingsRejectedAlarm: cloudwatch.Alarm;
  /** Alarms when the dead-letter queue holds a firing; undefined without a dead-letter queue. */
  public readonly deadLetterAlarm?: cloudwatch.Alarm;
  /** The CloudWatch dashboard; undefined unless the dashboard property is true. */
  public readonly cloudWatchDashboard?: cloudwatch.Dashboard;

  private readonly apiPart: ApiPart;
  private readonly metrics: TimerMetrics;

  /**
   * @param scope the construct this timer service belongs to
   * @param id its construct id, unique within the scope
   * @param props its configuration; every property has a default
   */
  constructor(scope: Construct, id: string, props: ServerlessTimerProps = {}) {
    super(scope, id);

    const shardCount = props.shardCount ?? 1;
    if (Token.isUnresolved(shardCount)) {
      throw new Error('shardCount must be a number known at synthesis, got a token: the construct creates one schedule per shard');
    }
    checkWhole('shardCount', shardCount, 1, MAX_SHARDS, 'raise it for more dispatch capacity, each shard has its own tick');
    const period = props.period ?? DEFAULT_PERIOD;
    if (period.isUnresolved()) {
      throw new Error('period must be a duration known at synthesis, got a token: the tick timeout and schedules derive from it');
    }
    const periodSeconds = period.toSeconds();
    const maxMinutes = Math.floor(MAX_PERIOD_SECONDS / 60);
    if (periodSeconds % 60 !== 0 || periodSeconds < 60 || periodSeconds > maxMinutes * 60) {
      throw new Error(
        `period must be whole minutes from 1 to ${maxMinutes} minutes (60 to ${maxMinutes * 60} seconds), got ${periodSeconds} seconds: `
        + 'schedules run at minute granularity and a tick looks ahead up to a period plus a margin within SQS\'s 900-second delay',
      );
    }
    const batchConcurrency = props.batchConcurrency ?? 10;
    checkWhole('batchConcurrency', batchConcurrency, 1, 1000, 'SendMessageBatch calls in flight per tick');
    checkSeconds('oneShotRetention', props.oneShotRetention, 60, 365 * 24 * 3600, 'how long a fired one-shot timer still reads as fired');

    this.shardCount = shardCount;
    this.period = period;
    this.serviceName = props.serviceName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryptionKey = props.encryptionKey;

    const table = new TablePart(this, { encryptionKey, removalPolicy, pointInTimeRecovery: props.pointInTimeRecovery ?? true });
    const queue = new QueuePart(this, { ...props, encryptionKey, removalPolicy });

    // The lag tolerance is derived from the same bound, so that the two fit SQS's 900 s together.
    const createWithinMs = CREATE_WITHIN.toMilliseconds();
    const settings: HandlerSettings = {
      environment: {
        [Envar.TABLE_NAME]: table.table.tableName,
        [Envar.QUEUE_URL]: queue.queue.queueUrl,
        [Envar.SHARD_COUNT]: String(shardCount),
        [Envar.PERIOD_SECONDS]: String(periodSeconds),
        [Envar.BATCH_CONCURRENCY]: numberString(batchConcurrency),
        [Envar.ONESHOT_RETENTION_SECONDS]: numberString((props.oneShotRetention ?? Duration.days(1)).toSeconds()),
        // Both handlers derive who sends a new timer's firings from these two: they must agree.
        [Envar.INDEX_LAG_TOLERANCE_MS]: String(indexLagToleranceFor(periodSeconds, createWithinMs)),
        [Envar.CREATE_WITHIN_MS]: String(createWithinMs),
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        // The bundles ship their source maps: a stack trace in the logs names the TypeScript file and line.
        NODE_OPTIONS: '--enable-source-maps',
      },
      tracing: props.tracing ?? false,
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
      encryptionKey,
    };
    const tick = new TickPart(this, { ...props, settings, shardCount, period, table, queue });
    const apiCloudWatchRole = props.apiCloudWatchRole ?? false;
    this.apiPart = new ApiPart(this, {
      settings,
      authorization: props.apiAuthorization ?? ApiAuthorization.iam(),
      table,
      queue,
      accessLogs: props.apiAccessLogs ?? apiCloudWatchRole,
      cloudWatchRole: apiCloudWatchRole,
    });

    this.table = table.table;
    this.queue = queue.queue;
    this.deadLetterSqsQueue = queue.deadLetterQueue;
    this.api = this.apiPart.restApi;
    this.apiUrl = this.apiPart.restApi.url;
    this.apiHandler = this.apiPart.handler;
    this.tickHandler = tick.handler;
    this.scheduleGroup = tick.scheduleGroup;

    this.metrics = new TimerMetrics({ serviceName: this.serviceName, period, deadLetterQueue: this.deadLetterSqsQueue, path: this.node.path });
    const monitoring = new MonitoringPart(this, {
      metrics: this.metrics,
      shardCount,
      period,
      tickHandler: tick.handler,
      scheduleGroup: tick.scheduleGroup,
      queue: queue.queue,
      dashboard: props.dashboard ?? false,
    });
    this.tickErrorsAlarm = monitoring.tickErrorsAlarm;
    this.tickHeartbeatAlarm = monitoring.tickHeartbeatAlarm;
    this.schedulerErrorsAlarm = monitoring.schedulerErrorsAlarm;
    this.shardLagAlarm = monitoring.shardLagAlarm;
    this.lateFiringsAlarm = monitoring.lateFiringsAlarm;
    this.firingsRejectedAlarm = monitoring.firingsRejectedAlarm;
    this.deadLetterAlarm = monitoring.deadLetterAlarm;
    this.cloudWatchDashboard = monitoring.dashboard;
  }

  /**
   * Grants `execute-api:Invoke` on every method of `/periodic/{id}`, `/oneshot/{id}` and `/cron/{id}`, and on
   * `POST .../{id}/pause` and `.../{id}/resume` (with IAM authorization).
   *
   * @param grantee the principal that may then create, read, pause, resume and delete timers
   */
  public grantManageTimers(grantee: iam.IGrantable): iam.Grant {
    return this.apiPart.grantManageTimers(grantee);
  }

  /**
   * Grants `execute-api:Invoke` on the `GET` methods of `/periodic/{id}`, `/oneshot/{id}` and `/cron/{id}` alone (with
   * IAM authorization): a dashboard or an auditor reads timers and changes none.
   *
   * @param grantee the principal that may then read timers
   */
  public grantReadTimers(grantee: iam.IGrantable): iam.Grant {
    return this.apiPart.grantReadTimers(grantee);
  }

  /**
   * An engine metric by name, with this timer's `Service` dimension.
   *
   * @param metricName which of the engine's metrics
   * @param props options of the metric (statistic, period, label, ...)
   * @default - average over the tick period
   */
  public metric(metricName: TimerMetricName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.metric(metricName, props);
  }

  /**
   * Firings the ticks and the API sent to the queue.
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default sum over the period
   */
  public metricFiringsDispatched(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.firingsDispatched(props);
  }

  /**
   * Firings sent later than the engine's tolerance after they could first be sent (a tick missed or ran late).
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default sum over the period
   */
  public metricLateFirings(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.lateFirings(props);
  }

  /**
   * How late the latest firing of a window was sent, in milliseconds.
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default maximum over the period
   */
  public metricDispatchLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.dispatchLag(props);
  }

  /**
   * Firings the queue refused for good (e.g. SQS `InvalidMessageContents`), set aside and logged instead of
   * delivered.
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default sum over the period
   */
  public metricFiringsRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.firingsRejected(props);
  }

  /**
   * Ticks that stopped before their deadline with work left and handed the rest of their window to a continuation.
   * Steadily above zero, a shard's window outgrows one invocation: add shards or tick memory.
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default sum over the period
   */
  public metricTickContinuations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.tickContinuations(props);
  }

  /**
   * How far a shard's watermark (the end of the last window it fully dispatched) lags behind now, in milliseconds, as
   * each tick reports it for the next shard (shard n for shard n+1, the last for shard0). Negative while the shards
   * dispatch ahead, as they do when they tick on time; above one period, a shard has stopped progressing.
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default maximum over the period
   */
  public metricShardWatermarkLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.shardWatermarkLag(props);
  }

  /**
   * Firings waiting in the dead-letter queue. Throws when the timer has no dead-letter queue.
   *
   * @param props options of the metric (statistic, period, label, ...)
   * @default maximum over the period
   */
  public metricDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.deadLetters(props);
  }
}
