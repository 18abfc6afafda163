/**
 * The alarms and the optional dashboard of a `ServerlessTimer`: a tick that fails, ticks that stop running, a
 * scheduler that cannot reach the tick, a shard whose watermark stops moving, late firings, firings the queue refused
 * for good, and dead letters.
 *
 * A part, not a construct: it creates its resources in the `ServerlessTimer`'s own scope, so their construct IDs,
 * and the logical IDs that follow from them, stay those of the single-class construct it was split from.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TimerMetrics } from './timer-metrics';
import { MetricName } from '../core/names';

export interface MonitoringPartProps {
  readonly metrics: TimerMetrics;
  readonly shardCount: number;
  readonly period: Duration;
  readonly tickHandler: lambda.IFunction;
  readonly scheduleGroup: scheduler.IScheduleGroup;
  readonly queue: sqs.IQueue;
  readonly dashboard: boolean;
}

export class MonitoringPart {
  readonly tickErrorsAlarm: cloudwatch.Alarm;
  readonly tickHeartbeatAlarm: cloudwatch.Alarm;
  readonly schedulerErrorsAlarm: cloudwatch.Alarm;
  readonly shardLagAlarm: cloudwatch.Alarm;
  readonly lateFiringsAlarm: cloudwatch.Alarm;
  readonly firingsRejectedAlarm: cloudwatch.Alarm;
  readonly deadLetterAlarm?: cloudwatch.Alarm;
  readonly dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, private readonly props: MonitoringPartProps) {
    const { metrics, period, tickHandler, scheduleGroup, shardCount } = props;
    const atLeastOne = {
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    this.tickErrorsAlarm = tickHandler.metricErrors({ period, statistic: cloudwatch.Stats.SUM }).createAlarm(scope, 'TickErrorsAlarm', {
      alarmDescription: 'Ticks failed in two of the last three periods: firings are late until a tick succeeds',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      ...atLeastOne,
    });
    // Errors only count ticks that ran. Every shard's schedule invokes the tick once a period, so fewer invocations
    // than shards means ticks that never ran: a schedule deleted or disabled, a failing target, throttling. No data
    // at all is the same signal.
    this.tickHeartbeatAlarm = this.tickInvocations().createAlarm(scope, 'TickHeartbeatAlarm', {
      alarmDescription: `Fewer tick invocations than shards (${shardCount}) in two of the last three periods: `
        + 'shards are not ticked (a schedule deleted or disabled, the scheduler failing to invoke the tick, or throttling)',
      threshold: shardCount,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.schedulerErrorsAlarm = this.schedulerFailures().createAlarm(scope, 'SchedulerErrorsAlarm', {
      alarmDescription: 'The scheduler failed to invoke the tick (target errors or dropped invocations) in two of the last three periods: '
        + 'check the scheduler role and the tick function\'s concurrency',
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      ...atLeastOne,
    });
    // A shard that ticks on time has its watermark ahead of now (a negative lag). One that has completed no window for
    // a couple of periods is behind by more than a period, whatever the cause: no invocation of that shard, a tick
    // failing or killed every time, sends refused on every attempt, windows that outgrow its ticks. Its neighbour's
    // ticks report it, so no data means no tick ran at all, which the heartbeat alarm covers.
    this.shardLagAlarm = metrics.shardWatermarkLag().createAlarm(scope, 'ShardLagAlarm', {
      alarmDescription: `A shard's watermark lagged more than a period (${period.toSeconds()} s) behind now in two of the last three periods: `
        + 'that shard\'s firings are not being sent; read the tick\'s logs for that shard (errors, send failures, continuations)',
      threshold: period.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.lateFiringsAlarm = metrics.lateFirings().createAlarm(scope, 'LateFiringsAlarm', {
      alarmDescription: 'Firings were sent later than the tolerance after they could first be sent: a tick failed, ran late or was throttled',
      evaluationPeriods: 1,
      ...atLeastOne,
    });
    this.firingsRejectedAlarm = metrics.firingsRejected().createAlarm(scope, 'FiringsRejectedAlarm', {
      alarmDescription: 'The queue refused firings for good (e.g. SQS InvalidMessageContents) and they were set aside, not delivered: '
        + 'the handlers\' logs name each timer, firing and the queue\'s error',
      evaluationPeriods: 1,
      ...atLeastOne,
    });
    if (metrics.hasDeadLetterQueue) {
      this.deadLetterAlarm = metrics.deadLetters().createAlarm(scope, 'DeadLetterAlarm', {
        alarmDescription: 'The dead-letter queue holds firings the callback failed repeatedly',
        evaluationPeriods: 1,
        ...atLeastOne,
      });
    }
    if (props.dashboard) {
      this.dashboard = this.createDashboard(scope, scheduleGroup);
    }
  }

  /** Every alarm, for the dashboard's status widget. */
  get alarms(): cloudwatch.Alarm[] {
    return [this.tickErrorsAlarm, this.tickHeartbeatAlarm, this.schedulerErrorsAlarm, this.shardLagAlarm, this.lateFiringsAlarm,
      this.firingsRejectedAlarm, ...(this.deadLetterAlarm ? [this.deadLetterAlarm] : [])];
  }

  /** Tick invocations, scheduled and continuations alike, summed over a period. */
  private tickInvocations(): cloudwatch.Metric {
    return this.props.tickHandler.metricInvocations({ period: this.props.period, statistic: cloudwatch.Stats.SUM });
  }

  /** Invocations of the tick that the scheduler saw fail (each retry counts) or gave up on. */
  private schedulerFailures(): cloudwatch.MathExpression {
    const { period, scheduleGroup } = this.props;
    return new cloudwatch.MathExpression({
      expression: 'FILL(targetErrors, 0) + FILL(dropped, 0)',
      usingMetrics: {
        targetErrors: scheduleGroup.metricTargetErrors({ period }),
        dropped: scheduleGroup.metricDropped({ period }),
      },
      label: 'Scheduler target errors and dropped ticks',
      period,
    });
  }

  private createDashboard(scope: Construct, scheduleGroup: scheduler.IScheduleGroup): cloudwatch.Dashboard {
    const { metrics, period, tickHandler, queue } = this.props;
    const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Firings',
        left: [metrics.firingsDispatched(), metrics.lateFirings()],
        right: [metrics.firingsRejected()],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dispatch lag, tick duration and shard watermark lag (ms)',
        left: [metrics.dispatchLag(), metrics.maximum(MetricName.TICK_DURATION)],
        right: [metrics.shardWatermarkLag()],
        rightAnnotations: [{ value: period.toMilliseconds(), label: 'shard lag alarm' }],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Ticks',
        left: [this.tickInvocations(), tickHandler.metricErrors({ period })],
        right: [metrics.sum(MetricName.WINDOWS_CAUGHT_UP), metrics.tickContinuations(), metrics.sum(MetricName.SEND_FAILURES)],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Callback queue',
        left: [queue.metricApproximateNumberOfMessagesVisible(), queue.metricApproximateAgeOfOldestMessage()],
        right: metrics.hasDeadLetterQueue ? [metrics.deadLetters()] : [],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Scheduler',
        left: [scheduleGroup.metricAttempts({ period }), scheduleGroup.metricTargetErrors({ period }),
          scheduleGroup.metricTargetThrottled({ period }), scheduleGroup.metricDropped({ period })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Timers',
        left: [metrics.sum(MetricName.TIMERS_CREATED), metrics.sum(MetricName.TIMERS_DELETED), metrics.sum(MetricName.TIMERS_RETIRED)],
        width: 12,
      }),
    );
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    return dashboard;
  }
}
