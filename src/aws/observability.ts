/**
 * Metrics and logs of the Lambda handlers: Powertools `Metrics` writing Embedded Metric Format to stdout (CloudWatch
 * turns it into metrics; no PutMetricData call, no extra permission) and Powertools `Logger`, adapted to core's
 * `MetricsSink` and `Log` ports. A handler flushes the metrics once per invocation.
 */
// Bundled into the Lambda assets by esbuild, never loaded by the published library: a devDependency on purpose.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Log, METRIC_DIMENSION_SERVICE, METRIC_NAMESPACE, MetricName, MetricsSink } from '../core';

/** The metrics measured in milliseconds; every other engine metric is a count. */
const MILLISECOND_METRICS: ReadonlySet<string> = new Set([MetricName.DISPATCH_LAG, MetricName.TICK_DURATION, MetricName.SHARD_WATERMARK_LAG]);

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

export function unitOf(name: string): Unit {
  return MILLISECOND_METRICS.has(name) ? MetricUnit.Milliseconds : MetricUnit.Count;
}

/** Core's metrics port over a Powertools `Metrics` instance. */
export class EmfMetricsSink implements MetricsSink {
  private stored = 0;

  constructor(readonly metrics: Metrics) {}

  add(name: string, value: number): void {
    this.metrics.addMetric(name, unitOf(name), value);
    this.stored++;
  }

  observe(name: string, value: number): void {
    this.metrics.addMetric(name, unitOf(name), value);
    this.stored++;
  }

  /** Writes the metrics stored since the last flush as one EMF record (nothing when there are none). */
  flush(): void {
    if (this.stored === 0) return;
    this.stored = 0;
    this.metrics.publishStoredMetrics();
  }
}

/** Core's log port over a Powertools `Logger`. */
export class PowertoolsLog implements Log {
  constructor(readonly logger: Logger) {}

  info(message: string, fields?: Record<string, unknown>): void {
    this.logger.info(message, { ...fields });
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.logger.warn(message, { ...fields });
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.logger.error(message, { ...fields });
  }
}

export interface Observability {
  readonly metrics: EmfMetricsSink;
  readonly log: PowertoolsLog;
}

/**
 * Metrics and logs for one handler. The `Service` dimension and the logs' service name come from
 * POWERTOOLS_SERVICE_NAME, which the construct sets to one value per deployment on both functions, so that its
 * metrics and alarms select exactly this deployment's records; `fallbackService` applies when it is unset.
 */
export function createObservability(fallbackService: string, env: NodeJS.ProcessEnv = process.env): Observability {
  const service = env.POWERTOOLS_SERVICE_NAME || fallbackService;
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: service });
  // Exactly one dimension, the engine's own, so the construct's metrics and alarms match these records;
  // Powertools would otherwise add its lowercase `service` dimension too.
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ [METRIC_DIMENSION_SERVICE]: service });
  return { metrics: new EmfMetricsSink(metrics), log: new PowertoolsLog(new Logger({ serviceName: service })) };
}
