/**
 * The in-memory index of periodic timers (src/local/periodic-index.ts), checked against a plain model: whatever
 * sequence of adds and removes, a range read returns exactly the ids whose key lies in the range, ordered by
 * (offset, id), in full pages but the last, each with its offset; a read resumed after any (offset, id) returns exactly
 * what follows it; the size counts each indexed id once, and a shard's intervals are those it has ids of.
 */
import fc from 'fast-check';
import { IndexPage, PeriodicIndex, PeriodicKey } from '../../src/local/periodic-index';

const key: fc.Arbitrary<PeriodicKey> = fc.record({
  shardId: fc.constantFrom('shard-0', 'shard-1'),
  interval: fc.constantFrom(60, 300),
  // Few offsets, so that offsets hold several ids and change between reads.
  offset: fc.integer({ min: 0, max: 3 }),
});
const id = fc.constantFrom(...Array.from({ length: 10 }, (_, i) => `t-${i}`));

type Op = { readonly kind: 'add' | 'remove'; readonly key: PeriodicKey; readonly id: string };
const op: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), key, id });

const read = fc.record({
  shardId: fc.constantFrom('shard-0', 'shard-1', 'shard-2'),
  interval: fc.constantFrom(60, 300, 900),
  from: fc.integer({ min: 0, max: 4 }),
  span: fc.integer({ min: 0, max: 6 }),
  pageSize: fc.integer({ min: 1, max: 6 }),
  // Where a resumed read starts: after one of the ids the read returns, or after any offset and id.
  after: fc.option(
    fc.oneof(
      fc.record({ nth: fc.nat() }),
      fc.record({ offset: fc.integer({ min: 0, max: 4 }), id: fc.oneof(id, fc.constantFrom('', 't-1a', 'u')) }),
    ),
  ),
});

const nameOf = (k: PeriodicKey, i: string): string => `${k.shardId}/${k.interval}/${k.offset}/${i}`;
/** The (offset, id) of every id the pages hold, in order. */
function entries(pages: readonly IndexPage[]): Array<[number, string]> {
  return pages.flatMap((p) => p.ids.map((i, n): [number, string] => [p.offsets[n], i]));
}

type Model = ReadonlyMap<string, { readonly key: PeriodicKey; readonly id: string }>;

function checkRead(index: PeriodicIndex, model: Model, r: typeof read extends fc.Arbitrary<infer R> ? R : never): void {
  const to = r.from + r.span;
  const all = [...model.values()]
    .filter(({ key: k }) => k.shardId === r.shardId && k.interval === r.interval && k.offset >= r.from && k.offset < to)
    .sort((a, b) => a.key.offset - b.key.offset || (a.id < b.id ? -1 : 1))
    .map((e): [number, string] => [e.key.offset, e.id]);
  const picked = r.after && 'nth' in r.after ? all[r.after.nth % Math.max(1, all.length)] : undefined;
  const after = picked ? { offset: picked[0], id: picked[1] } : r.after && 'offset' in r.after ? r.after : undefined;
  const expected = all.filter(([offset, i]) => !after || offset > after.offset || (offset === after.offset && i > after.id));
  const pages = [...index.range(r.shardId, r.interval, r.from, to, r.pageSize, after)];
  expect(entries(pages)).toEqual(expected);
  expect(pages.every((p) => p.ids.length === p.offsets.length)).toBe(true);
  expect(pages.slice(0, -1).every((p) => p.ids.length === r.pageSize)).toBe(true);
  expect(pages.every((p) => p.ids.length > 0)).toBe(true);
}

describe('PeriodicIndex', () => {
  test('range reads return the ids in range with their offsets, ordered by (offset, id), in pages, and resume after any position, as a plain model does', () => {
    // Rounds of changes, each followed by reads: a read after a change must see it.
    const round = fc.tuple(fc.array(op, { maxLength: 50 }), fc.array(read, { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(round, { minLength: 1, maxLength: 4 }), (rounds) => {
        const index = new PeriodicIndex();
        const model = new Map<string, { readonly key: PeriodicKey; readonly id: string }>();
        for (const [ops, reads] of rounds) {
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
          for (const shardId of ['shard-0', 'shard-1', 'shard-2']) {
            const intervals = new Set([...model.values()].filter((e) => e.key.shardId === shardId).map((e) => e.key.interval));
            expect(index.intervalsOf(shardId)).toEqual([...intervals].sort((a, b) => a - b));
          }
          for (const r of reads) checkRead(index, model, r);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a read in progress keeps the ids of an offset as they were when it reached it; a later read sees every change', () => {
    // Prepare
    const index = new PeriodicIndex();
    const at = (offset: number): PeriodicKey => ({ shardId: 's', interval: 60, offset });
    for (const i of ['a', 'b', 'c']) index.add(at(1), i);
    index.add(at(2), 'x');

    // Act: offset 1 is changed while its first page is being read, offset 2 before the read reaches it.
    const pages = index.range('s', 60, 0, 60, 2);
    const first = pages.next().value as IndexPage;
    index.remove(at(1), 'c');
    index.add(at(1), 'bb');
    index.add(at(2), 'y');
    const rest = [...pages];

    // Assess
    expect(first.ids).toEqual(['a', 'b']);
    expect(entries(rest)).toEqual([[1, 'c'], [2, 'x'], [2, 'y']]);
    expect(entries([...index.range('s', 60, 0, 60, 10)])).toEqual([[1, 'a'], [1, 'b'], [1, 'bb'], [2, 'x'], [2, 'y']]);
    // A read after a change sees it, though the offset's ids were read (and sorted) before.
    index.add(at(2), 'w');
    expect(entries([...index.range('s', 60, 2, 3, 10)])).toEqual([[2, 'w'], [2, 'x'], [2, 'y']]);
  });
});
