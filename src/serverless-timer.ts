/**
 * The `ServerlessTimer` construct: the AWS face of the engine. It deploys the timer table, the API (REST API ->
 * api handler), one schedule per shard invoking the tick handler, the callback queue (and its dead-letter queue),
 * the user's callback wiring, metrics, alarms and an optional dashboard. The handlers it deploys are thin shells
 * around `src/core`; this file only wires resources and sets the environment the handlers read (`src/envars.ts`).
 */
import { CfnResource, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ApiFunction } from './api/api-function';
import { ApiAuthorization } from './api-authorization';
import { INDEX_PROJECTED_ATTRIBUTES, TableSchema } from './aws/table-schema';
import { MAX_PERIOD_SECONDS, MAX_SHARDS } from './core/config';
import { METRIC_DIMENSION_SERVICE, METRIC_NAMESPACE, MetricName } from './core/names';
import { DeadLetterQueue } from './dead-letter-queue';
import { Envar } from './envars';
import { TickFunction } from './tick/tick-function';

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
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * SendMessageBatch calls a tick keeps in flight (1 to 1,000). Each call carries up to ten firings.
   *
   * @default 10
   */
  readonly batchConcurrency?: number;

  /**
   * The function that receives the firings, through an SQS event source with `reportBatchItemFailures`: it must
   * answer `{ batchItemFailures }` (e.g. with Powertools' `processPartialResponse`). Without it, consume `queue`
   * yourself.
   *
   * @default - no consumer is wired; read `queue`
   */
  readonly callback?: lambda.IFunction;

  /**
   * Firings per callback invocation (1 to 10; up to 10,000 with `callbackMaxBatchingWindow`).
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
   * Where firings go after the callback failed them `maxReceiveCount` times.
   *
   * @default DeadLetterQueue.create() - a new queue, maxReceiveCount 5
   */
  readonly deadLetterQueue?: DeadLetterQueue;

  /**
   * Authorization of every API method.
   *
   * @default ApiAuthorization.iam()
   */
  readonly apiAuthorization?: ApiAuthorization;

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
   * @default RemovalPolicy.RETAIN
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
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * X-Ray active tracing of the handlers and the API stage.
   *
   * @default false
   */
  readonly tracing?: boolean;

  /**
   * How long a fired one-shot timer still reads as `"state": "fired"` before DynamoDB's TTL drops it
   * (1 minute to 365 days).
   *
   * @default Duration.days(1)
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
/** SQS allows a visibility timeout up to 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
/** Lambda's longest timeout, assumed for a callback whose timeout the construct cannot see. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** Lambda's default timeout, for a callback created without one. */
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;
/** On AWS the global secondary index lags writes by a fraction of a second: a tick waits this long before reading. */
const TICK_SETTLE_MS = 1000;
const ROUTES = ['periodic', 'oneshot'] as const;
const METHODS = ['PUT', 'GET', 'DELETE'] as const;

function checkWhole(name: string, value: number | undefined, min: number, max: number, hint: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}: ${hint}`);
  }
}

function checkSeconds(name: string, value: Duration | undefined, min: number, max: number, hint: string): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds();
  if (seconds < min || seconds > max) {
    throw new Error(`${name} must be from ${min} to ${max} seconds, got ${seconds} seconds: ${hint}`);
  }
}

/**
 * A serverless periodic and one-shot timer service: an IAM-authorized REST API to create timers, a DynamoDB table
 * holding them, one tick per shard and period that sends each firing to an SQS queue with the delay that makes it
 * visible on its second, and your callback reading that queue.
 */
export class ServerlessTimer extends Construct {
  /** The timer table (one item per timer, index `schedule` read by the ticks). */
  public readonly table: dynamodb.ITableV2;
  /** The queue every firing is sent to: one message per firing, body = the timer's `timerCallbackData`. */
  public readonly queue: sqs.IQueue;
  /** Conditional: the dead-letter queue of `queue`, unless `DeadLetterQueue.none()`. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The REST API with `/periodic/{id}` and `/oneshot/{id}`. */
  public readonly api: apigw.IRestApi;
  /** The API's stage URL. */
  public readonly apiUrl: string;
  /** The function behind the API. */
  public readonly apiHandler: lambda.IFunction;
  /** The function each shard's schedule invokes with `{ "shardId": "shard<n>" }`. */
  public readonly tickHandler: lambda.IFunction;
  /** The number of shards. */
  public readonly shardCount: number;
  /** The tick period and default timer interval. */
  public readonly period: Duration;
  /** The `Service` dimension value of the engine's metrics. */
  public readonly serviceName: string;
  /** Alarms when ticks fail in two of three periods. */
  public readonly tickErrorsAlarm: cloudwatch.Alarm;
  /** Alarms when firings were sent after their second (a tick missed or ran late). */
  public readonly lateFiringsAlarm: cloudwatch.Alarm;
  /** Conditional: alarms when the dead-letter queue holds a firing, if there is a dead-letter queue. */
  public readonly deadLetterAlarm?: cloudwatch.Alarm;
  /** Conditional: the dashboard, when `dashboard` is true. */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly restApi: apigw.RestApi;

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
    checkWhole('callbackMaxConcurrency', props.callbackMaxConcurrency, 2, 1000, 'the SQS event source allows 2 to 1,000 concurrent invocations');
    const maxBatch = props.callbackMaxBatchingWindow ? 10_000 : 10;
    checkWhole('callbackBatchSize', props.callbackBatchSize, 1, maxBatch,
      'above 10, SQS event sources need a callbackMaxBatchingWindow');
    checkSeconds('callbackMaxBatchingWindow', props.callbackMaxBatchingWindow, 0, 300, 'the SQS event source waits at most 5 minutes');
    checkSeconds('oneShotRetention', props.oneShotRetention, 60, 365 * 24 * 3600, 'how long a fired one-shot timer still reads as fired');
    checkSeconds('visibilityTimeout', props.visibilityTimeout, 0, MAX_VISIBILITY_SECONDS, 'SQS allows 0 seconds to 12 hours');
    if (!props.callback && (props.callbackBatchSize !== undefined || props.callbackMaxConcurrency !== undefined
      || props.callbackMaxBatchingWindow !== undefined)) {
      throw new Error('callbackBatchSize, callbackMaxBatchingWindow and callbackMaxConcurrency tune the callback\'s event source, '
        + 'got them without a callback: pass callback too, or drop them');
    }

    this.shardCount = shardCount;
    this.period = period;
    this.serviceName = props.serviceName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const key = props.encryptionKey;
    const tracing = props.tracing ?? false;

    // --- Storage ---------------------------------------------------------------------------------------------------
    const table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: TableSchema.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: TableSchema.TTL_ATTRIBUTE,
      encryption: key ? dynamodb.TableEncryptionV2.customerManagedKey(key) : dynamodb.TableEncryptionV2.dynamoOwnedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      removalPolicy,
      globalSecondaryIndexes: [{
        indexName: TableSchema.INDEX_NAME,
        partitionKey: { name: TableSchema.INDEX_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        sortKey: { name: TableSchema.INDEX_SORT_KEY, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...INDEX_PROJECTED_ATTRIBUTES],
      }],
    });
    this.table = table;
    const indexArn = `${table.tableArn}/index/${TableSchema.INDEX_NAME}`;

    // --- Callback queue --------------------------------------------------------------------------------------------
    const deadLetter = (props.deadLetterQueue ?? DeadLetterQueue.create()).bind(this, { encryptionKey: key, removalPolicy });
    const queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: props.visibilityTimeout ?? this.deriveVisibilityTimeout(props.callback),
      deadLetterQueue: deadLetter,
      enforceSSL: true,
      encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: key,
      removalPolicy,
    });
    this.queue = queue;
    this.deadLetterQueue = deadLetter?.queue;
    if (props.callback) {
      this.checkVisibilityAgainstCallback(props.visibilityTimeout, props.callback);
      props.callback.addEventSource(new lambdaEventSources.SqsEventSource(queue, {
        reportBatchItemFailures: true,
        batchSize: props.callbackBatchSize,
        maxBatchingWindow: props.callbackMaxBatchingWindow,
        maxConcurrency: props.callbackMaxConcurrency,
      }));
    }

    // --- Handlers --------------------------------------------------------------------------------------------------
    const environment: Record<string, string> = {
      [Envar.TABLE_NAME]: table.tableName,
      [Envar.QUEUE_URL]: queue.queueUrl,
      [Envar.SHARD_COUNT]: String(shardCount),
      [Envar.PERIOD_SECONDS]: String(periodSeconds),
      [Envar.BATCH_CONCURRENCY]: numberString(batchConcurrency),
      [Envar.ONESHOT_RETENTION_SECONDS]: numberString((props.oneShotRetention ?? Duration.days(1)).toSeconds()),
      POWERTOOLS_SERVICE_NAME: this.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
    };
    const lambdaTracing = tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED;

    const apiLogs = new logs.LogGroup(this, 'ApiHandlerLogs', { retention: logRetention, removalPolicy });
    const tickLogs = new logs.LogGroup(this, 'TickHandlerLogs', { retention: logRetention, removalPolicy });
    const apiHandler = new ApiFunction(this, 'ApiHandler', {
      role: handlerRole(this, 'ApiHandlerRole', apiLogs),
      description: 'Timer API: creates, reads and deletes timers',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment,
      tracing: lambdaTracing,
      logGroup: apiLogs,
    });
    // A tick may run for a whole period: the next one starts then anyway, and the shard lease keeps them apart.
    const tickTimeout = period;
    const tickHandler = new TickFunction(this, 'TickHandler', {
      role: handlerRole(this, 'TickHandlerRole', tickLogs),
      description: 'Timer tick: sends the firings of its shard\'s next window to the queue',
      memorySize: 512,
      timeout: tickTimeout,
      // A failed tick is caught up by the next one (the watermark): an asynchronous retry would only add load.
      retryAttempts: 0,
      environment: {
        ...environment,
        [Envar.SETTLE_MS]: String(TICK_SETTLE_MS),
        // Stop starting windows with a quarter of the timeout left, so the last window finishes in time.
        [Envar.TICK_BUDGET_MS]: String(Math.floor(tickTimeout.toMilliseconds() * 0.75)),
      },
      tracing: lambdaTracing,
      logGroup: tickLogs,
    });
    this.apiHandler = apiHandler;
    this.tickHandler = tickHandler;

    // Least privilege: exactly the calls each handler makes, on exactly the resources it makes them on.
    apiHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [table.tableArn],
    }));
    tickHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [table.tableArn],
    }));
    tickHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [indexArn] }));
    for (const handler of [apiHandler, tickHandler]) {
      // SendMessageBatch is authorized by sqs:SendMessage.
      handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      if (key) {
        handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }));
      }
    }

    // --- Ticks -----------------------------------------------------------------------------------------------------
    // EventBridge Scheduler rather than EventBridge rules: a rule invokes Lambda through the function's resource
    // policy, one statement per rule, and 100 shards' statements overflow its 20 KB limit; Scheduler assumes one
    // role for every shard instead, and its schedules do not count against the 300 rules of an event bus.
    const schedulerRole = new iam.Role(this, 'TickSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    for (let shard = 0; shard < shardCount; shard++) {
      new scheduler.Schedule(this, `TickSchedule${shard}`, {
        description: `Tick of shard${shard}`,
        schedule: scheduler.ScheduleExpression.rate(period),
        target: new schedulerTargets.LambdaInvoke(tickHandler, {
          input: scheduler.ScheduleTargetInput.fromObject({ shardId: `shard${shard}` }),
          role: schedulerRole,
          // A tick older than a period is superseded by the next one, which catches its windows up.
          maxEventAge: period,
          retryAttempts: 2,
        }),
      });
    }

    // --- API -------------------------------------------------------------------------------------------------------
    const authorization = props.apiAuthorization ?? ApiAuthorization.iam();
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    const restApi = new apigw.RestApi(this, 'Api', {
      description: 'Serverless timer API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: tracing,
      },
      defaultMethodOptions: {
        authorizationType: authorization.authorizationType,
        authorizer: authorization.authorizer,
      },
    });
    // The id path parameter is required; bodies are checked by the engine (its messages say what is allowed), so no
    // request model is attached and body validation, though enabled, has nothing to enforce.
    const validator = restApi.addRequestValidator('RequestValidator', { validateRequestParameters: true, validateRequestBody: true });
    const integration = new apigw.LambdaIntegration(apiHandler, { proxy: true });
    for (const route of ROUTES) {
      const resource = restApi.root.addResource(route).addResource('{id}');
      for (const method of METHODS) {
        resource.addMethod(method, integration, {
          requestValidator: validator,
          requestParameters: { 'method.request.path.id': true },
        });
      }
    }
    this.restApi = restApi;
    this.api = restApi;
    this.apiUrl = restApi.url;

    // --- Alarms and dashboard --------------------------------------------------------------------------------------
    this.tickErrorsAlarm = tickHandler.metricErrors({ period, statistic: cloudwatch.Stats.SUM }).createAlarm(this, 'TickErrorsAlarm', {
      alarmDescription: 'Ticks failed in two of the last three periods: firings are late until a tick succeeds',
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.lateFiringsAlarm = this.metricLateFirings().createAlarm(this, 'LateFiringsAlarm', {
      alarmDescription: 'Firings were sent after their scheduled second: a tick failed, ran late or was throttled',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.deadLetterQueue) {
      this.deadLetterAlarm = this.metricDeadLetters().createAlarm(this, 'DeadLetterAlarm', {
        alarmDescription: 'The dead-letter queue holds firings the callback failed repeatedly',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    if (props.dashboard) {
      this.dashboard = this.createDashboard();
    }

    this.acknowledgeAcceptedFindings(schedulerRole, tracing);
  }

  /**
   * Grants `execute-api:Invoke` on every method of `/periodic/{id}` and `/oneshot/{id}` (with IAM authorization).
   */
  public grantManageTimers(grantee: iam.IGrantable): iam.Grant {
    const stage = this.restApi.deploymentStage.stageName;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: ROUTES.flatMap((route) => METHODS.map((method) => this.restApi.arnForExecuteApi(method, `/${route}/*`, stage))),
    });
  }

  /** An engine metric by name (one of `MetricName`), with this timer's `Service` dimension. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [METRIC_DIMENSION_SERVICE]: this.serviceName },
      period: this.period,
      ...props,
    });
  }

  /** Firings the ticks and the API sent to the queue. @default sum over the period */
  public metricFiringsDispatched(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.FIRINGS_DISPATCHED, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Firings sent after their scheduled second. @default sum over the period */
  public metricLateFirings(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.LATE_FIRINGS, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** How late the latest firing of a window was sent, in milliseconds. @default maximum over the period */
  public metricDispatchLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(MetricName.DISPATCH_LAG, { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Firings waiting in the dead-letter queue. Throws when the timer has no dead-letter queue.
   * @default maximum over the period
   */
  public metricDeadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.deadLetterQueue) {
      throw new Error(`${this.node.path} has no dead-letter queue (DeadLetterQueue.none()): `
        + 'use DeadLetterQueue.create() or DeadLetterQueue.fromQueue() to measure dead letters');
    }
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: this.period,
      statistic: cloudwatch.Stats.MAXIMUM,
      ...props,
    });
  }

  private deriveVisibilityTimeout(callback: lambda.IFunction | undefined): Duration {
    // Without a callback the consumer is the user's: keep SQS's own default.
    if (!callback) return Duration.seconds(30);
    const timeout = callbackTimeoutSeconds(callback) ?? MAX_LAMBDA_TIMEOUT_SECONDS;
    return Duration.seconds(Math.min(MAX_VISIBILITY_SECONDS, Math.max(30, 6 * timeout)));
  }

  private checkVisibilityAgainstCallback(visibility: Duration | undefined, callback: lambda.IFunction): void {
    const timeout = callbackTimeoutSeconds(callback);
    if (visibility === undefined || visibility.isUnresolved() || timeout === undefined) return;
    if (visibility.toSeconds() < timeout) {
      throw new Error(
        `visibilityTimeout must be at least the callback's timeout (${timeout} seconds), got ${visibility.toSeconds()} seconds: `
        + `raise it (six times, ${6 * timeout} seconds, is recommended) or leave it unset to derive it`,
      );
    }
  }

  private createDashboard(): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Firings', left: [this.metricFiringsDispatched(), this.metricLateFirings()], width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Dispatch lag and tick duration (ms)',
        left: [this.metricDispatchLag(), this.metric(MetricName.TICK_DURATION, { statistic: cloudwatch.Stats.MAXIMUM })],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Ticks',
        left: [this.tickHandler.metricInvocations({ period: this.period }), this.tickHandler.metricErrors({ period: this.period })],
        right: [this.metric(MetricName.WINDOWS_CAUGHT_UP, { statistic: cloudwatch.Stats.SUM }),
          this.metric(MetricName.SEND_FAILURES, { statistic: cloudwatch.Stats.SUM })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Callback queue',
        left: [this.queue.metricApproximateNumberOfMessagesVisible(), this.queue.metricApproximateAgeOfOldestMessage()],
        right: this.deadLetterQueue ? [this.metricDeadLetters()] : [],
        width: 12,
      }),
    );
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
      title: 'Alarms',
      alarms: [this.tickErrorsAlarm, this.lateFiringsAlarm, ...(this.deadLetterAlarm ? [this.deadLetterAlarm] : [])],
      width: 24,
    }));
    return dashboard;
  }

  /**
   * Acknowledges the cdk-nag AwsSolutions findings this design accepts, each on the resource it concerns and with
   * its reason, through the CDK's own `Validations` API (so the library does not depend on cdk-nag).
   */
  private acknowledgeAcceptedFindings(schedulerRole: iam.Role, tracing: boolean): void {
    for (const handler of [this.apiHandler, this.tickHandler]) {
      Validations.of(handler).acknowledge({ id: 'AwsSolutions-L1', reason: 'The handlers are built and tested for Node.js 22, a supported runtime' });
      if (tracing && handler.role) {
        Validations.of(handler.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions',
        });
      }
    }
    const tickLogicalId = Stack.of(this).resolve((this.tickHandler.node.defaultChild as CfnResource).logicalId);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tickLogicalId}.Arn>:*]`,
      reason: 'Scheduler may invoke the tick function and its versions: `:*` is the version qualifier',
    });
    Validations.of(this.restApi).acknowledge(
      { id: 'AwsSolutions-APIG3', reason: 'Every method requires authorization; a WAF web ACL can be associated with the stage by the user' },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logging needs the account-wide API Gateway CloudWatch role, which a library must not take over; access logging is on',
      },
      { id: 'AwsSolutions-COG4', reason: 'The API uses IAM (SigV4) authorization by default, or the authorizer the user chose' },
    );
  }
}

/**
 * A handler's role, allowed to write to its own log group only: narrower than the managed basic execution role,
 * which may write to any log group.
 */
function handlerRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return role;
}

/** An environment value from a number that may be a token. */
function numberString(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}

/** The callback's timeout in seconds when the construct can see it; undefined for an imported function. */
function callbackTimeoutSeconds(callback: lambda.IFunction | undefined): number | undefined {
  if (!(callback instanceof lambda.Function)) return undefined;
  const timeout = callback.timeout;
  if (timeout === undefined) return DEFAULT_LAMBDA_TIMEOUT_SECONDS;
  return timeout.isUnresolved() ? undefined : timeout.toSeconds();
}
