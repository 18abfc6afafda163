import type { CloudWatchClient, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { ObservedMinute } from './rules';

export interface MetricRef {
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, string>>;
}
/** A context metric read beside the minutes, e.g. the construct's dispatch lag or the queue's oldest message's age. */
export interface ExtraMetric extends MetricRef {
  readonly id: string;
  readonly namespace: string;
  readonly stat: string;
}
export interface ReadOptions {
  readonly extras?: readonly ExtraMetric[];
  readonly namespace: string;
  readonly latency: MetricRef;
  readonly duplicates?: MetricRef;
  /** Ask for p50 and p99 (moto cannot answer them). @default true */
  readonly percentiles?: boolean;
  readonly fromMs: number;
  readonly toMs: number;
  readonly pollMs?: number;
  readonly maxWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}
export declare function buildQueries(options: Pick<ReadOptions, 'namespace' | 'latency' | 'duplicates' | 'percentiles' | 'extras'>): MetricDataQuery[];
export declare function parseResults(results: readonly MetricDataResult[], fromMs: number, toMs: number): ObservedMinute[];
export declare function parseExtras(results: readonly MetricDataResult[], extras: readonly ExtraMetric[], fromMs: number, toMs: number): Array<Record<string, number | null>>;
export declare function readMinutes(client: CloudWatchClient, options: ReadOptions): Promise<{
  minutes: ObservedMinute[];
  extras: Array<Record<string, number | null>>;
  settled: boolean;
  reads: number;
}>;
