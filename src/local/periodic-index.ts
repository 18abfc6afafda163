/**
 * Where each periodic timer sits in its shard's schedule, (shard, interval, offset) → ids, held in memory instead of
 * in an SQLite index. An index keyed by offset takes its insert on a different page for nearly every new timer (one
 * per offset in use), so each create added a page to the write-ahead log; in memory it costs nothing to write. It is
 * rebuilt from the timers table when the runtime starts (about half a second per million stored timers), and
 * changed only after the write it mirrors committed. It holds each periodic timer's id: about 80 bytes of heap per
 * periodic timer, 80 MB for a million.
 */

/** The schedule key of one periodic timer. */
export interface PeriodicKey {
  readonly shardId: string;
  readonly interval: number;
  readonly offset: number;
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

export class PeriodicIndex {
  /** `{shard}/{interval}` → offset → ids. */
  private readonly slots = new Map<string, Map<number, Set<string>>>();
  private count = 0;

  /** Periodic timers indexed. */
  get size(): number {
    return this.count;
  }

  add(key: PeriodicKey, id: string): void {
    const name = `${key.shardId}/${key.interval}`;
    let offsets = this.slots.get(name);
    if (!offsets) {
      offsets = new Map();
      this.slots.set(name, offsets);
    }
    let ids = offsets.get(key.offset);
    if (!ids) {
      ids = new Set();
      offsets.set(key.offset, ids);
    }
    if (!ids.has(id)) {
      ids.add(id);
      this.count++;
    }
  }

  remove(key: PeriodicKey, id: string): void {
    const name = `${key.shardId}/${key.interval}`;
    const offsets = this.slots.get(name);
    const ids = offsets?.get(key.offset);
    if (!offsets || !ids?.delete(id)) return;
    this.count--;
    if (ids.size > 0) return;
    offsets.delete(key.offset);
    if (offsets.size === 0) this.slots.delete(name);
  }

  /**
   * The ids of a shard's timers of one interval whose offset lies in [offsetFrom, offsetTo), ordered by (offset, id),
   * in pages of at most `pageSize`. Each offset's ids are copied when the read reaches it: a timer added later to an
   * offset already read is not returned (the API sends the firings of timers created during a claimed span).
   */
  *range(shardId: string, interval: number, offsetFrom: number, offsetTo: number, pageSize: number): Generator<string[]> {
    const offsets = this.slots.get(`${shardId}/${interval}`);
    if (!offsets) return;
    let page: string[] = [];
    for (const offset of offsetsIn(offsets, offsetFrom, offsetTo)) {
      const ids = offsets.get(offset)!;
      for (const id of [...ids].sort()) {
        page.push(id);
        if (page.length === pageSize) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }
}
