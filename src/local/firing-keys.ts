/**
 * The local queue's firings by (timer, instant), held in memory instead of in a unique SQLite index: the key that
 * makes a firing sent twice (again after a failed send or a restart, or by a tick and a PUT retried after a fault)
 * one message, and the way a DELETE finds its timer's firings. With random timer ids that index took a page of the
 * write-ahead log for nearly every firing queued. The queue rebuilds it from its table at start and changes it only
 * after commits; it holds as many entries as messages are queued, about a period of firings.
 */
export class FiringKeys {
  /** timer id → instant → row id. */
  private readonly byTimer = new Map<string, Map<number, number>>();

  /** The row of the firing of `timerId` at `scheduledAt`, if one is queued. */
  get(timerId: string, scheduledAt: number): number | undefined {
    return this.byTimer.get(timerId)?.get(scheduledAt);
  }

  set(timerId: string, scheduledAt: number, seq: number): void {
    let instants = this.byTimer.get(timerId);
    if (!instants) {
      instants = new Map();
      this.byTimer.set(timerId, instants);
    }
    instants.set(scheduledAt, seq);
  }

  delete(timerId: string, scheduledAt: number): void {
    const instants = this.byTimer.get(timerId);
    if (!instants?.delete(scheduledAt)) return;
    if (instants.size === 0) this.byTimer.delete(timerId);
  }

  /** The rows of every firing of `timerId` that is queued. */
  rowsOf(timerId: string): number[] {
    return [...(this.byTimer.get(timerId)?.values() ?? [])];
  }
}
