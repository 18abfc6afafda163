/**
 * The in-memory index of periodic timers (src/local/periodic-index.ts), checked against a plain model: whatever
 * sequence of adds and removes, a range read returns exactly the ids whose key lies in the range, ordered by
 * (offset, id), in full pages but the last, and the size counts each indexed id once.
 */
import fc from 'fast-check';
import { PeriodicIndex, PeriodicKey } from '../../src/local/periodic-index';

const key: fc.Arbitrary<PeriodicKey> = fc.record({
  shardId: fc.constantFrom('shard-0', 'shard-1'),
  interval: fc.constantFrom(60, 300),
  offset: fc.integer({ min: 0, max: 20 }),
});
const id = fc.constantFrom(...Array.from({ length: 15 }, (_, i) => `t-${i}`));

type Op = { readonly kind: 'add' | 'remove'; readonly key: PeriodicKey; readonly id: string };
const op: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), key, id });

const read = fc.record({
  shardId: fc.constantFrom('shard-0', 'shard-1', 'shard-2'),
  interval: fc.constantFrom(60, 300, 900),
  from: fc.integer({ min: 0, max: 22 }),
  span: fc.integer({ min: 0, max: 40 }),
  pageSize: fc.integer({ min: 1, max: 6 }),
});

const nameOf = (k: PeriodicKey, i: string): string => `${k.shardId}/${k.interval}/${k.offset}/${i}`;

describe('PeriodicIndex', () => {
  test('range reads return the ids in range, ordered by (offset, id), in pages, as a plain model does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), fc.array(read, { minLength: 1, maxLength: 5 }), (ops, reads) => {
        const index = new PeriodicIndex();
        const model = new Map<string, { readonly key: PeriodicKey; readonly id: string }>();
        for (const o of ops) {
          if (o.kind === 'add') {
            index.add(o.key, o.id);
            model.set(nameOf(o.key, o.id), { key: o.key, id: o.id });
          } else {
            index.remove(o.key, o.id);
            model.delete(nameOf(o.key, o.id));
          }
        }
        expect(index.size).toBe(model.size);
        for (const r of reads) {
          const to = r.from + r.span;
          const expected = [...model.values()]
            .filter(({ key: k }) => k.shardId === r.shardId && k.interval === r.interval && k.offset >= r.from && k.offset < to)
            .sort((a, b) => a.key.offset - b.key.offset || (a.id < b.id ? -1 : 1))
            .map((e) => e.id);
          const pages = [...index.range(r.shardId, r.interval, r.from, to, r.pageSize)];
          expect(pages.flat()).toEqual(expected);
          expect(pages.slice(0, -1).every((p) => p.length === r.pageSize)).toBe(true);
          expect(pages.every((p) => p.length > 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
