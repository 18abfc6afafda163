/**
 * The local runtime's metrics, served by `GET /metrics` in the Prometheus text format. It is the `MetricsSink` the
 * engine writes to (counts become `_total` counters, observations the last value seen) and holds what the delivery
 * loop measures itself: firings delivered, deliveries failed, dead letters and the lateness histogram.
 */
import { MetricsSink } from '../core';

/** Upper bounds (seconds) of the lateness histogram: on time is well under 0.05 s, a restart catch-up is seconds. */
const LATENESS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const PREFIX = 'timer_';

/** `FiringsDispatched` -> `firings_dispatched`. */
function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A gauge whose value is read when the metrics are scraped. */
export interface GaugeSample {
  readonly name: string;
  readonly help: string;
  readonly samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number }>;
}

export class PrometheusMetrics implements MetricsSink {
  private readonly engineCounts = new Map<string, number>();
  private readonly engineLevels = new Map<string, number>();
  private readonly bucketCounts = LATENESS_BUCKETS.map(() => 0);
  private latenessSum = 0;
  private latenessCount = 0;
  firingsDelivered = 0;
  deliveriesFailed = 0;
  deadLettered = 0;

  add(name: string, value: number): void {
    this.engineCounts.set(name, (this.engineCounts.get(name) ?? 0) + value);
  }

  observe(name: string, value: number): void {
    this.engineLevels.set(name, value);
  }

  /** Records one delivered firing and how long after its ScheduledAt it was handed to the callback. */
  delivered(latenessMs: number): void {
    this.firingsDelivered++;
    const seconds = Math.max(0, latenessMs) / 1000;
    this.latenessSum += seconds;
    this.latenessCount++;
    for (let i = 0; i < LATENESS_BUCKETS.length; i++) {
      if (seconds <= LATENESS_BUCKETS[i]) this.bucketCounts[i]++;
    }
  }

  /** The exposition text, with the scrape-time gauges appended. */
  render(gauges: readonly GaugeSample[]): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>): void => {
      lines.push(`# HELP ${PREFIX}${name} ${help}`, `# TYPE ${PREFIX}${name} ${type}`);
      for (const [suffix, value] of samples) lines.push(`${PREFIX}${name}${suffix} ${value}`);
    };
    metric('firings_delivered_total', 'counter', 'Firings the callback accepted.', [['', this.firingsDelivered]]);
    metric('deliveries_failed_total', 'counter', 'Delivery attempts that failed (each is retried or dead-lettered).', [['', this.deliveriesFailed]]);
    metric('dead_lettered_total', 'counter', 'Firings moved to the dead-letter table since start.', [['', this.deadLettered]]);
    const buckets: Array<[string, number]> = LATENESS_BUCKETS.map((le, i) => [`_bucket{le="${le}"}`, this.bucketCounts[i]]);
    buckets.push(['_bucket{le="+Inf"}', this.latenessCount], ['_sum', this.latenessSum], ['_count', this.latenessCount]);
    metric('firing_lateness_seconds', 'histogram', 'Delivery time minus ScheduledAt of each delivered firing.', buckets);
    for (const [name, value] of [...this.engineCounts].sort()) {
      metric(`${snakeCase(name)}_total`, 'counter', `Engine count ${name}.`, [['', value]]);
    }
    for (const [name, value] of [...this.engineLevels].sort()) {
      metric(`${snakeCase(name)}_last`, 'gauge', `Engine observation ${name}, last value (ms).`, [['', value]]);
    }
    for (const gauge of gauges) {
      metric(gauge.name, 'gauge', gauge.help, gauge.samples.map((s) => [labelText(s.labels), s.value]));
    }
    return lines.join('\n') + '\n';
  }
}

function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels || Object.keys(labels).length === 0) return '';
  return `{${Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}
