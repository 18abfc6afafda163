/**
 * When each message of the local delivery queue becomes visible, kept in memory rather than in an index of the
 * queue table. Every firing is written to the queue once (by a tick, or by the API for a new timer), and an index on
 * the visible-at time took a write to a page of its own for nearly every one of them: its keys fall on the seconds of
 * the next minute, spread over the whole index. The table stays the durable record, and this schedule is rebuilt from
 * it when the runtime starts; the queue changes the schedule only after its write to the table committed.
 */
export class VisibilitySchedule {
  /** Each queued message's visible-at time, by its row id: the truth the heap is checked against. */
  private readonly visibleAt = new Map<number, number>();
  /**
   * A binary min-heap of (visible-at, row id), in two parallel arrays. A message whose time changes gets a new entry;
   * the old one stays until it reaches the top and is dropped there, as is the entry of a message that was removed.
   */
  private times: number[] = [];
  private seqs: number[] = [];

  /** Queued messages. */
  get size(): number {
    return this.visibleAt.size;
  }

  /** Records that message `seq` becomes visible at `at` (a new message, or a new time for one already queued). */
  set(seq: number, at: number): void {
    this.visibleAt.set(seq, at);
    this.push(at, seq);
    // Old entries pile up only until they reach the top; rebuild if they ever outnumber the live ones well.
    if (this.times.length > 2 * this.visibleAt.size + 1024) this.rebuild();
  }

  /** Forgets message `seq` (it was delivered, dead-lettered or dropped). */
  delete(seq: number): void {
    this.visibleAt.delete(seq);
  }

  /** The earliest visible-at time of any queued message, in-flight ones included. */
  earliest(): number | undefined {
    this.dropStaleTop();
    return this.times.length > 0 ? this.times[0] : undefined;
  }

  /**
   * Up to `max` messages visible at `nowMs`, earliest first (ties by row id, the order they were queued). They are
   * taken off the heap but keep their time: the caller gives each a new one with `set`, or hands them back with
   * `restore` if it could not claim them.
   */
  takeDue(nowMs: number, max: number): number[] {
    const due: number[] = [];
    const taken = new Set<number>();
    while (due.length < max) {
      this.dropStaleTop();
      if (this.times.length === 0 || this.times[0] > nowMs) break;
      const seq = this.seqs[0];
      this.pop();
      // The same time set twice leaves two live entries; the message is taken once.
      if (taken.has(seq)) continue;
      taken.add(seq);
      due.push(seq);
    }
    return due;
  }

  /** Puts messages taken by `takeDue` back on the heap at their unchanged times. */
  restore(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const at = this.visibleAt.get(seq);
      if (at !== undefined) this.push(at, seq);
    }
  }

  private dropStaleTop(): void {
    while (this.times.length > 0 && this.visibleAt.get(this.seqs[0]) !== this.times[0]) this.pop();
  }

  private rebuild(): void {
    const entries = [...this.visibleAt].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    // An array sorted by (time, id) is already a valid min-heap.
    this.seqs = entries.map(([seq]) => seq);
    this.times = entries.map(([, at]) => at);
  }

  private before(i: number, j: number): boolean {
    return this.times[i] < this.times[j] || (this.times[i] === this.times[j] && this.seqs[i] < this.seqs[j]);
  }

  private swap(i: number, j: number): void {
    [this.times[i], this.times[j]] = [this.times[j], this.times[i]];
    [this.seqs[i], this.seqs[j]] = [this.seqs[j], this.seqs[i]];
  }

  private push(at: number, seq: number): void {
    this.times.push(at);
    this.seqs.push(seq);
    let i = this.times.length - 1;
    while (i > 0) {
      const parent = Math.floor((i - 1) / 2);
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): void {
    const last = this.times.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.seqs.pop();
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < last && this.before(left, smallest)) smallest = left;
      if (right < last && this.before(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
