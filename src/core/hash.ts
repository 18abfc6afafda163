/**
 * Stable, well-spread hashes of timer ids: which shard dispatches a timer, and the default offset that spreads
 * timers of one interval evenly over it. FNV-1a (32 bit) with a murmur3 finalizer; the same id always gives the
 * same answer, in every process and language.
 */
/* eslint-disable no-bitwise */ // a hash function is bit arithmetic

/** murmur3's 32-bit finalizer: a bijection on 32-bit words with full avalanche. */
export function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * FNV-1a of a text with a seed, finished with fmix32 (FNV alone leaves the low bits poorly mixed for short, similar
 * ids): hashes with different seeds are independent of each other.
 */
export function seededHash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

const SHARD_SEED = 0x5bd1e995;
const OFFSET_SEED = 0x27d4eb2f;

/** The shard index (0-based) of an id among `shardCount` shards. */
export function shardIndexOf(id: string, shardCount: number): number {
  return seededHash(id, SHARD_SEED) % shardCount;
}

/** The name a shard is stored and reported under, as the seed named it: `shard{n}`. */
export function shardName(index: number): string {
  return `shard${index}`;
}

/** The shard name of an id. */
export function shardOf(id: string, shardCount: number): string {
  return shardName(shardIndexOf(id, shardCount));
}

/** The default offset of a periodic timer: derived from the id with a hash independent of the shard's. */
export function defaultOffsetOf(id: string, intervalSeconds: number): number {
  return seededHash(id, OFFSET_SEED) % intervalSeconds;
}
