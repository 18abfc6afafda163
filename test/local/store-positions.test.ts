/**
 * The positions of the SQLite store's schedule reads (`TimerPage.positions`), against a plain model, over random
 * timers read in pages of a few: a read resumed from the position of any timer it returned returns exactly the
 * timers after that one, in order, also on a store restarted on the same file and after that timer was deleted. This
 * is what lets a tick that stopped inside a window continue it with no timer skipped or read twice.
 */
import fc from 'fast-check';
import { OneShotTimer, PeriodicTimer, Timer, TimerPages } from '../../src/core';
import { openDatabase } from '../../src/local/database';
import { SqliteTimerStore } from '../../src/local/store';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const SHARDS = ['shard0', 'shard1'];
const INTERVALS = [5, 60];

/** Ids with the characters a position must not be confused by (`:` separates its key from the id). */
const timerId = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '0', ':', '@', '-', '.'), minLength: 1, maxLength: 5 });

const periodic: fc.Arbitrary<PeriodicTimer> = fc
  .record({ id: timerId, shardId: fc.constantFrom(...SHARDS), interval: fc.constantFrom(...INTERVALS), offset: fc.nat({ max: 59 }) })
  .map(({ id, shardId, interval, offset }) => ({
    id: `p${id}`, kind: 'periodic', shardId, data: '1', createdAt: NOW, tickFrom: NOW, interval, offset: offset % interval,
  }));
// Few instants, so that many one-shots share one and paging must go by id within it.
const oneShot: fc.Arbitrary<OneShotTimer> = fc
  .record({ id: timerId, shardId: fc.constantFrom(...SHARDS), second: fc.nat({ max: 5 }) })
  .map(({ id, shardId, second }) => ({
    id: `o${id}`, kind: 'oneshot', shardId, data: '2', createdAt: NOW, tickFrom: NOW, fireAt: NOW + second * 1000, expiresAt: NOW + 86_400_000,
  }));

const periodicRead = fc.record({
  kind: fc.constant('periodic' as const),
  shardId: fc.constantFrom(...SHARDS),
  interval: fc.constantFrom(...INTERVALS),
  lo: fc.nat({ max: 59 }),
  span: fc.integer({ min: 1, max: 60 }),
});
const oneShotRead = fc.record({
  kind: fc.constant('oneshot' as const),
  shardId: fc.constantFrom(...SHARDS),
  from: fc.nat({ max: 5 }),
  span: fc.integer({ min: 1, max: 6 }),
});
type Read = ({ readonly kind: 'periodic'; readonly interval: number; readonly lo: number } | { readonly kind: 'oneshot'; readonly from: number }) & {
  readonly shardId: string;
  readonly span: number;
};

function byId(a: Timer, b: Timer): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** What a read must return, in its order: periodic by (offset, id), one-shots by (fireAt, id). */
function expected(timers: readonly Timer[], read: Read): string[] {
  if (read.kind === 'periodic') {
    const lo = read.lo % read.interval;
    const hi = Math.min(read.interval, lo + read.span);
    return timers
      .filter((t): t is PeriodicTimer => t.kind === 'periodic' && t.shardId === read.shardId && t.interval === read.interval && t.offset >= lo && t.offset < hi)
      .sort((a, b) => a.offset - b.offset || byId(a, b))
      .map((t) => t.id);
  }
  const from = NOW + read.from * 1000;
  const to = from + read.span * 1000;
  return timers
    .filter((t): t is OneShotTimer => t.kind === 'oneshot' && t.shardId === read.shardId && t.fireAt >= from && t.fireAt < to)
    .sort((a, b) => a.fireAt - b.fireAt || byId(a, b))
    .map((t) => t.id);
}

function pagesOf(store: SqliteTimerStore, read: Read, after?: string): TimerPages {
  if (read.kind === 'periodic') {
    const lo = read.lo % read.interval;
    return store.queryPeriodic(read.shardId, read.interval, lo, Math.min(read.interval, lo + read.span), after);
  }
  const from = NOW + read.from * 1000;
  return store.queryOneShots(read.shardId, from, from + read.span * 1000, after);
}

async function readAll(pages: TimerPages, pageSize: number): Promise<{ ids: string[]; positions: string[] }> {
  const ids: string[] = [];
  const positions: string[] = [];
  for await (const page of pages) {
    expect(page.timers.length).toBeGreaterThan(0);
    expect(page.timers.length).toBeLessThanOrEqual(pageSize);
    expect(page.positions).toHaveLength(page.timers.length);
    ids.push(...page.timers.map((t) => t.id));
    positions.push(...page.positions);
  }
  return { ids, positions };
}

describe('SqliteTimerStore positions', () => {
  test('a read resumed from the position of any timer returns exactly the timers after it, on a restarted store, and once that timer is deleted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(periodic, oneShot), { selector: (t) => t.id, maxLength: 40 }),
        fc.array(fc.oneof(periodicRead, oneShotRead), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (timers, reads, pageSize) => {
          const db = openDatabase({ memory: true });
          try {
            const store = new SqliteTimerStore(db, undefined, { pageSize });
            for (const timer of timers) await store.putTimer(timer);
            await store.sync();
            const restarted = new SqliteTimerStore(db, undefined, { pageSize });
            for (const read of reads) {
              const all = expected(timers, read);
              const { ids, positions } = await readAll(pagesOf(store, read), pageSize);
              expect(ids).toEqual(all);
              for (let i = 0; i < ids.length; i++) {
                expect((await readAll(pagesOf(store, read, positions[i]), pageSize)).ids).toEqual(all.slice(i + 1));
                expect((await readAll(pagesOf(restarted, read, positions[i]), pageSize)).ids).toEqual(all.slice(i + 1));
              }
            }
            // A position still holds once its timer is gone: the read resumes after where it was.
            const [read] = reads;
            const { ids, positions } = await readAll(pagesOf(store, read), pageSize);
            if (ids.length > 0) {
              const i = Math.floor(ids.length / 2);
              await store.deleteTimer(ids[i]);
              expect((await readAll(pagesOf(store, read, positions[i]), pageSize)).ids).toEqual(ids.slice(i + 1));
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
