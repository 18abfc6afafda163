/**
 * What the local runtime delivered, minute by minute, as `GET /lateness` serves it: for each minute of the firings'
 * `ScheduledAt`, how many firings were delivered, their lateness (delivery start minus `ScheduledAt`: p50, p99 and
 * max, over each firing's first delivery) and how many deliveries repeated a firing already delivered. The load test
 * reads it as it reads CloudWatch on AWS, and applies the same rules to both.
 *
 * A report may be narrowed to the timers whose id starts with a prefix (firing ids are `{id}@{ScheduledAt}`), so that a
 * load test sees its own timers alone on a runtime that serves others too.
 *
 * It is kept in memory, for `retentionMs` of `ScheduledAt` (a restart starts it afresh), at one map entry per firing.
 */

/** One minute of `ScheduledAt`, as `GET /lateness` answers it. */
export interface LatenessMinute {
  /** The minute's start, ISO-8601. */
  readonly minute: string;
  /** Firings of this minute delivered at least once. */
  readonly count: number;
  /** Nearest-rank percentiles and maximum of their lateness, in ms; null when none was delivered. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  /** Deliveries of a firing of this minute after its first one. */
  readonly duplicates: number;
}

export interface LatenessReport {
  /** The range asked for, ISO-8601, widened to whole minutes: `from` down, `to` up. */
  readonly from: string;
  readonly to: string;
  /** Every minute of the range, earliest first, those without deliveries included. */
  readonly minutes: readonly LatenessMinute[];
  /** Firings delivered in the range, by timer kind (the `TimerKind` attribute). */
  readonly kinds: Readonly<Record<string, number>>;
  /** The earliest `ScheduledAt` still held: minutes before it read as empty because they were forgotten. */
  readonly retainedFrom: string;
}

const MINUTE_MS = 60_000;

/** The default of `retentionMs`: six hours of firings. */
export const DEFAULT_LATENESS_RETENTION_MS = 6 * 3_600_000;

/** The most minutes one report covers (a day), so that an answer stays small. */
export const MAX_LATENESS_REPORT_MINUTES = 24 * 60;

/** What one firing's deliveries were: the first one's lateness, and how many there were. */
interface FiringRecord {
  readonly latenessMs: number;
  readonly kind: string;
  deliveries: number;
}

/** The value at nearest rank `q` (0 < q <= 1) of ascending `sorted`. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

export class LatenessLog {
  /** Per minute of ScheduledAt, each firing by its id. */
  private readonly minutes = new Map<number, Map<string, FiringRecord>>();
  private retainedFromMs: number;

  constructor(private readonly now: () => number, private readonly retentionMs = DEFAULT_LATENESS_RETENTION_MS) {
    this.retainedFromMs = Math.floor((now() - retentionMs) / MINUTE_MS) * MINUTE_MS;
  }

  /** One delivery of a firing, started at `deliveredAt`. */
  record(firingId: string, kind: string, scheduledAt: number, deliveredAt: number): void {
    this.forgetOld();
    const minuteStart = Math.floor(scheduledAt / MINUTE_MS) * MINUTE_MS;
    if (minuteStart < this.retainedFromMs) return;
    let minute = this.minutes.get(minuteStart);
    if (!minute) {
      minute = new Map();
      this.minutes.set(minuteStart, minute);
    }
    const firing = minute.get(firingId);
    if (firing) firing.deliveries++;
    else minute.set(firingId, { latenessMs: Math.max(0, deliveredAt - scheduledAt), kind, deliveries: 1 });
  }

  /**
   * The minutes of `ScheduledAt` in [fromMs, toMs), widened to whole minutes; with `timerIdPrefix`, of the firings of
   * the timers whose id starts with it alone.
   */
  report(fromMs: number, toMs: number, timerIdPrefix = ''): LatenessReport {
    this.forgetOld();
    const first = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
    const end = Math.ceil(toMs / MINUTE_MS) * MINUTE_MS;
    const minutes: LatenessMinute[] = [];
    const kinds: Record<string, number> = {};
    for (let start = first; start < end; start += MINUTE_MS) {
      const lateness: number[] = [];
      let duplicates = 0;
      for (const [firingId, firing] of this.minutes.get(start) ?? []) {
        if (!firingId.startsWith(timerIdPrefix)) continue;
        lateness.push(firing.latenessMs);
        duplicates += firing.deliveries - 1;
        kinds[firing.kind] = (kinds[firing.kind] ?? 0) + 1;
      }
      const sorted = lateness.sort((a, b) => a - b);
      minutes.push({
        minute: new Date(start).toISOString(),
        count: sorted.length,
        p50Ms: sorted.length ? nearestRank(sorted, 0.5) : null,
        p99Ms: sorted.length ? nearestRank(sorted, 0.99) : null,
        maxMs: sorted.length ? sorted[sorted.length - 1] : null,
        duplicates,
      });
    }
    return {
      from: new Date(first).toISOString(),
      to: new Date(end).toISOString(),
      minutes,
      kinds,
      retainedFrom: new Date(this.retainedFromMs).toISOString(),
    };
  }

  private forgetOld(): void {
    const retainedFrom = Math.floor((this.now() - this.retentionMs) / MINUTE_MS) * MINUTE_MS;
    if (retainedFrom <= this.retainedFromMs) return;
    this.retainedFromMs = retainedFrom;
    for (const start of this.minutes.keys()) {
      if (start < retainedFrom) this.minutes.delete(start);
    }
  }
}
