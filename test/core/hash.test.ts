/**
 * Sharding and default offsets (src/core/hash.ts): the same id always lands in the same place, and many ids
 * spread evenly, measured with a chi-square statistic against a bound several standard deviations wide.
 */
import fc from 'fast-check';
import { defaultOffsetOf, shardIndexOf, shardName, shardOf } from '../../src/core/hash';

const IDS = 100_000;
/** Sequential ids (the worst case for a weak hash) and random-looking ones, deterministically. */
const sequentialIds = Array.from({ length: IDS }, (_, i) => `timer-${i}`);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:@';
const randomIds = (() => {
  // Park-Miller minimal standard generator: reproducible, and exact in double arithmetic.
  let x = 20_240_601;
  const next = (): number => {
    x = (x * 48_271) % 2_147_483_647;
    return x;
  };
  return Array.from({ length: IDS }, () => Array.from({ length: 12 }, () => ALPHABET[next() % ALPHABET.length]).join(''));
})();

/** Pearson's chi-square of observed counts against a uniform expectation. */
function chiSquare(counts: number[], total: number): number {
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** Mean of chi-square with k-1 degrees of freedom plus six standard deviations (and a little for small k). */
function bound(bins: number): number {
  const df = bins - 1;
  return df + 6 * Math.sqrt(2 * df) + 10;
}

describe('shardIndexOf', () => {
  test('is stable and in range for any id and shard count', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.integer({ min: 1, max: 100 }), (id, shardCount) => {
        const index = shardIndexOf(id, shardCount);
        expect(Number.isInteger(index)).toBe(true);
        expect(index).toBeGreaterThanOrEqual(0);
        expect(index).toBeLessThan(shardCount);
        expect(shardIndexOf(String(id), shardCount)).toBe(index);
        expect(shardOf(id, shardCount)).toBe(`shard${index}`);
      }),
    );
  });

  test.each([
    ['timer-0', 7, 1],
    ['a', 100, 27],
    ['my:timer@host', 16, 4],
    ['timer-0', 4_294_967_295, 273_633_578],
  ])('known answer: %s among %d shards is shard index %d', (id, shardCount, expected) => {
    // Golden values of FNV-1a with the murmur3 finalizer: a change here would move every deployed timer to another
    // shard, and an implementation in another language must give the same answers.
    expect(shardIndexOf(id, shardCount)).toBe(expected);
  });

  test.each([
    // Every shard count with 20k ids (at least 200 expected per shard), and a selection with all 100k.
    ['20k sequential ids over every shard count from 1 to 100', sequentialIds.slice(0, 20_000), Array.from({ length: 100 }, (_, i) => i + 1)],
    ['100k sequential ids', sequentialIds, [2, 3, 10, 64, 100]],
    ['100k random ids', randomIds, [1, 2, 3, 7, 10, 16, 31, 50, 64, 97, 100]],
  ])('spreads %s evenly', (_name, ids, shardCounts) => {
    const failures: string[] = [];
    for (const shardCount of shardCounts) {
      const counts = new Array<number>(shardCount).fill(0);
      for (const id of ids) counts[shardIndexOf(id, shardCount)]++;
      const chi = chiSquare(counts, ids.length);
      if (shardCount > 1 && chi > bound(shardCount)) failures.push(`${shardCount} shards: chi-square ${chi.toFixed(1)} > ${bound(shardCount).toFixed(1)}`);
      if (shardCount === 1 && counts[0] !== ids.length) failures.push('1 shard: not every id in shard0');
    }
    expect(failures).toEqual([]);
  });
});

describe('shardName', () => {
  test.each([
    [0, 'shard0'],
    [3, 'shard3'],
    [99, 'shard99'],
  ])('%d is %s', (index, name) => expect(shardName(index)).toBe(name));
});

describe('defaultOffsetOf', () => {
  test('is stable and within [0, interval) for any id and interval', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 128 }), fc.integer({ min: 1, max: 604_800 }), (id, interval) => {
        const offset = defaultOffsetOf(id, interval);
        expect(Number.isInteger(offset)).toBe(true);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThan(interval);
        expect(defaultOffsetOf(id, interval)).toBe(offset);
      }),
    );
  });

  test.each([
    ['timer-0', 60, 46],
    ['a', 3600, 760],
  ])('known answer: the default offset of %s for %d s is %d', (id, interval, expected) => {
    expect(defaultOffsetOf(id, interval)).toBe(expected);
  });

  test.each([2, 7, 10, 60, 300, 3600])('spreads 100k ids evenly over an interval of %d s', (interval) => {
    // Long intervals are grouped into 100 equal buckets of offsets so that each bucket expects many ids.
    const bins = Math.min(interval, 100);
    for (const ids of [sequentialIds, randomIds]) {
      const counts = new Array<number>(bins).fill(0);
      for (const id of ids) counts[Math.floor((defaultOffsetOf(id, interval) * bins) / interval)]++;
      expect(chiSquare(counts, ids.length)).toBeLessThan(bound(bins));
    }
  });

  test.each([
    [10, 60],
    [7, 10],
    [100, 3600],
  ])('is independent of the shard among %d shards (interval %d s)', (shardCount, interval) => {
    // Contingency table shard x offset bucket: independence means each cell holds about row share x column share.
    const buckets = 10;
    for (const ids of [sequentialIds, randomIds]) {
      const table = Array.from({ length: shardCount }, () => new Array<number>(buckets).fill(0));
      for (const id of ids) table[shardIndexOf(id, shardCount)][Math.floor((defaultOffsetOf(id, interval) * buckets) / interval)]++;
      const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
      const cols = Array.from({ length: buckets }, (_, j) => table.reduce((a, r) => a + r[j], 0));
      let chi = 0;
      for (let i = 0; i < shardCount; i++) {
        for (let j = 0; j < buckets; j++) {
          const expected = (rows[i] * cols[j]) / ids.length;
          chi += (table[i][j] - expected) ** 2 / expected;
        }
      }
      const df = (shardCount - 1) * (buckets - 1);
      expect(chi).toBeLessThan(df + 6 * Math.sqrt(2 * df) + 10);
    }
  });
});
