/**
 * Where each periodic timer sits in its shard's schedule, (shard, interval, offset) → ids, held in memory instead of
 * in an SQLite index. An index keyed by offset takes its insert on a different page for nearly every new timer (one
 * per offset in use), so each create added a page to the write-ahead log; in memory it costs nothing to write. It is
 * rebuilt from the timers table when the runtime starts (about half a second per million stored timers), and
 * changed only after the write it mirrors committed. It also answers which intervals a shard has timers of, exactly.
 *
 * It holds each periodic timer's id, in a set per offset and, once a tick has read the offset, in a sorted copy that
 * later reads share until the offset changes: about 90 bytes of heap per periodic timer, 90 MB for a million.
 */

/** The schedule key of one periodic timer. */
export interface PeriodicKey {
  readonly shardId: string;
  readonly interval: number;
  readonly offset: number;
}

/** Where a read resumes: right after this (offset, id). */
export interface IndexPosition {
  readonly offset: number;
  readonly id: string;
}

/** One page of a range read: `ids[i]` sits at `offsets[i]`. */
export interface IndexPage {
  readonly ids: readonly string[];
  readonly offsets: readonly number[];
}

/** The ids of one offset. */
interface Slot {
  readonly ids: Set<string>;
  /** The ids in order, built by the first read after a change and never changed: a read in progress keeps its copy. */
  sorted?: readonly string[];
}

/** The offsets in use within [from, to), ascending: by counting when the range is the smaller, else by sorting. */
function offsetsIn(offsets: ReadonlyMap<number, unknown>, from: number, to: number): number[] {
  if (to - from > offsets.size) {
    return [...offsets.keys()].filter((offset) => offset >= from && offset < to).sort((a, b) => a - b);
  }
  const inUse: number[] = [];
  for (let offset = from; offset < to; offset++) if (offsets.has(offset)) inUse.push(offset);
  return inUse;
}

/** The index of the first id after `id` in sorted `ids`. */
function firstAfter(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ids[mid] <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PeriodicIndex {
  /** shard → interval → offset → ids. */
  private readonly shards = new Map<string, Map<number, Map<number, Slot>>>();
  private count = 0;

  /** Periodic timers indexed. */
  get size(): number {
    return this.count;
  }

  add(key: PeriodicKey, id: string): void {
    let intervals = this.shards.get(key.shardId);
    if (!intervals) {
      intervals = new Map();
      this.shards.set(key.shardId, intervals);
    }
    let offsets = intervals.get(key.interval);
    if (!offsets) {
      offsets = new Map();
      intervals.set(key.interval, offsets);
    }
    let slot = offsets.get(key.offset);
    if (!slot) {
      slot = { ids: new Set() };
      offsets.set(key.offset, slot);
    }
    if (!slot.ids.has(id)) {
      slot.ids.add(id);
      slot.sorted = undefined;
      this.count++;
    }
  }

  remove(key: PeriodicKey, id: string): void {
    const intervals = this.shards.get(key.shardId);
    const offsets = intervals?.get(key.interval);
    const slot = offsets?.get(key.offset);
    if (!intervals || !offsets || !slot?.ids.delete(id)) return;
    slot.sorted = undefined;
    this.count--;
    if (slot.ids.size > 0) return;
    offsets.delete(key.offset);
    if (offsets.size > 0) return;
    intervals.delete(key.interval);
    if (intervals.size === 0) this.shards.delete(key.shardId);
  }

  /** The intervals (seconds) the shard has timers of, ascending. */
  intervalsOf(shardId: string): number[] {
    return [...(this.shards.get(shardId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /**
   * The ids of a shard's timers of one interval whose offset lies in [offsetFrom, offsetTo), ordered by (offset, id),
   * in pages of at most `pageSize`; with `after`, only those after it. Each offset's ids are taken when the read
   * reaches it: a timer added later to an offset already read is not returned (the API sends the firings of a timer
   * that a tick already reading cannot owe, see `TimerApi`).
   */
  *range(shardId: string, interval: number, offsetFrom: number, offsetTo: number, pageSize: number, after?: IndexPosition): Generator<IndexPage> {
    const offsets = this.shards.get(shardId)?.get(interval);
    if (!offsets) return;
    let ids: string[] = [];
    let at: number[] = [];
    for (const offset of offsetsIn(offsets, after ? Math.max(offsetFrom, after.offset) : offsetFrom, offsetTo)) {
      const slot = offsets.get(offset)!;
      slot.sorted ??= [...slot.ids].sort();
      const sorted = slot.sorted;
      for (let i = after?.offset === offset ? firstAfter(sorted, after.id) : 0; i < sorted.length;) {
        const end = Math.min(sorted.length, i + pageSize - ids.length);
        for (; i < end; i++) {
          ids.push(sorted[i]);
          at.push(offset);
        }
        if (ids.length === pageSize) {
          yield { ids, offsets: at };
          ids = [];
          at = [];
        }
      }
    }
    if (ids.length > 0) yield { ids, offsets: at };
  }
}
