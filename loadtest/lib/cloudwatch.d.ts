import type { CloudWatchClient, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { ObservedMinute } from './rules';

export interface MetricRef {
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, string>>;
}
export interface ReadOptions {
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
export declare function buildQueries(options: Pick<ReadOptions, 'namespace' | 'latency' | 'duplicates' | 'percentiles'>): MetricDataQuery[];
export declare function parseResults(results: readonly MetricDataResult[], fromMs: number, toMs: number): ObservedMinute[];
export declare function readMinutes(client: CloudWatchClient, options: ReadOptions): Promise<{ minutes: ObservedMinute[]; settled: boolean; reads: number }>;
