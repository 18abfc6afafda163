import type { LatenessMinute } from '../../src/local/lateness';

/** One minute of what was delivered: the local runtime's `GET /lateness` shape, which the CloudWatch reader gives too. */
export type ObservedMinute = LatenessMinute;
export interface Thresholds {
  readonly p99Ms: number;
  readonly duplicateRate: number;
}
export interface Row extends ObservedMinute {
  readonly expected: number;
  readonly missing: number;
  readonly verdict: string;
}
export declare const DEFAULT_THRESHOLDS: { readonly local: Thresholds; readonly aws: Thresholds };
export declare function evaluate(input: {
  readonly expected: Readonly<Record<string, number>>;
  readonly observed: readonly ObservedMinute[];
  readonly thresholds: Thresholds;
}): { ok: boolean; rows: Row[]; failures: string[] };
export declare function formatTable(rows: readonly Row[]): string;
