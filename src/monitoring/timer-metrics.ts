/**
 * The metrics of one `ServerlessTimer`: the engine's own (written by the handlers in Embedded Metric Format, names in
 * `core/names.ts`, with this timer's `Service` dimension) and the dead-letter queue's depth. The construct's public
 * `metricXxx()` methods and the alarms and dashboard of `monitoring-part.ts` all read them from here.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { METRIC_DIMENSION_SERVICE, METRIC_NAMESPACE, MetricName } from '../core/names';

export interface TimerMetricsProps {
  readonly serviceName: string;
  /** Every metric's default period: the tick period. */
  readonly period: Duration;
  readonly deadLetterQueue?: sqs.IQueue;
  /** The construct's path, for the error of a dead-letter metric without a dead-letter queue. */
  readonly path: string;
}

export class TimerMetrics {
  constructor(private readonly props: TimerMetricsProps) {}

  /** An engine metric by name, with this timer's `Service` dimension. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [METRIC_DIMENSION_SERVICE]: this.props.serviceName },
      period: this.props.period,
      ...props,
    });
  }

  sum(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic: cloudwatch.Stats.SUM, ...props });
  }

  maximum(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(metricName, { statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  firingsDispatched(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum(MetricName.FIRINGS_DISPATCHED, props);
  }

  lateFirings(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum(MetricName.LATE_FIRINGS, props);
  }

  dispatchLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.maximum(MetricName.DISPATCH_LAG, props);
  }

  firingsRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum(MetricName.FIRINGS_REJECTED, props);
  }

  tickContinuations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.sum(MetricName.TICK_CONTINUATIONS, props);
  }

  shardWatermarkLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.maximum(MetricName.SHARD_WATERMARK_LAG, props);
  }

  get hasDeadLetterQueue(): boolean {
    return this.props.deadLetterQueue !== undefined;
  }

  deadLetters(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.props.deadLetterQueue) {
      throw new Error(`${this.props.path} has no dead-letter queue (TimerDeadLetterQueue.none()): `
        + 'use TimerDeadLetterQueue.create() or TimerDeadLetterQueue.fromQueue() to measure dead letters');
    }
    return this.props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: this.props.period,
      statistic: cloudwatch.Stats.MAXIMUM,
      ...props,
    });
  }
}
