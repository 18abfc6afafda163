/**
 * The figures the local benchmark reports for firing lateness, and the bookkeeping of which firings count: a
 * measurement window of whole seconds, the number of firings that must fall in it (from the timers' offsets), and
 * the lateness of each one received. Both sides (the local runtime and BullMQ) are fed into the same window type, so
 * they are measured and summarised the same way.
 */

export interface LatenessSummary {
  /** Firings received whose scheduled time lies in the window. */
  readonly received: number;
  /** Firings that had to fall in the window. */
  readonly expected: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The value below which `q` (0..1) of the sorted samples lie (nearest rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** A growable list of lateness samples, kept as doubles so 200,000 of them stay small and sort fast. */
export class Samples {
  private values = new Float64Array(1024);
  private size = 0;

  add(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
  }

  get count(): number {
    return this.size;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }

  clear(): void {
    this.size = 0;
  }
}

/**
 * How many firings of `timers` timers, timer i firing at every epoch second t with t mod interval = offsetOf(i),
 * fall in [fromMs, toMs) (both whole seconds).
 */
export function expectedFirings(timers: number, intervalSeconds: number, offsetOf: (i: number) => number, fromMs: number, toMs: number): number {
  const perOffset = new Map<number, number>();
  for (let i = 0; i < timers; i++) {
    const offset = offsetOf(i);
    perOffset.set(offset, (perOffset.get(offset) ?? 0) + 1);
  }
  let total = 0;
  for (let s = fromMs / 1000; s < toMs / 1000; s++) total += perOffset.get(s % intervalSeconds) ?? 0;
  return total;
}

/**
 * The firings one run measures: those scheduled in [fromMs, toMs), set by `open` once every timer exists. Firings
 * scheduled earlier are the warm-up (timers were still being created) and are only shown in the running figures;
 * later ones are after the measurement.
 */
export class MeasurementWindow {
  private readonly inWindow = new Samples();
  private readonly recent = new Samples();
  private recentOutside = 0;
  private from = Infinity;
  private to = Infinity;
  private expectedCount = Infinity;

  /** Sets the span of scheduled times that counts, and how many firings fall in it. */
  open(fromMs: number, toMs: number, expected: number): void {
    this.from = fromMs;
    this.to = toMs;
    this.expectedCount = expected;
  }

  get fromMs(): number {
    return this.from;
  }

  get toMs(): number {
    return this.to;
  }

  get expected(): number {
    return this.expectedCount;
  }

  /** Records one firing received `latenessMs` after its scheduled time. */
  record(scheduledAt: number, latenessMs: number): void {
    this.recent.add(latenessMs);
    if (scheduledAt >= this.from && scheduledAt < this.to) this.inWindow.add(latenessMs);
    else this.recentOutside++;
  }

  get received(): number {
    return this.inWindow.count;
  }

  /** Every expected firing has arrived. */
  get complete(): boolean {
    return this.inWindow.count >= this.expected;
  }

  summary(): LatenessSummary {
    const sorted = this.inWindow.sorted();
    return {
      received: sorted.length,
      expected: this.expected,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    };
  }

  /** The figures of the firings received since the last call (warm-up ones included), then forgets them. */
  takeRecent(): { readonly count: number; readonly outsideWindow: number; readonly p50: number; readonly p99: number; readonly max: number } {
    const sorted = this.recent.sorted();
    const out = {
      count: sorted.length,
      outsideWindow: this.recentOutside,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    };
    this.recent.clear();
    this.recentOutside = 0;
    return out;
  }
}
