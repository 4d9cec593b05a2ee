import { mulberry32 } from '@tandem/runtime';

/**
 * Seeded pseudo-random numbers (mulberry32): the same seed gives the same sequence on every
 * machine, which Math.random cannot promise.
 */
export type Random = () => number;

export { mulberry32 };

/**
 * A seed for one purpose derived from a run's seed, so that purposes (test split, validation
 * split, weight initialisation, shuffling) do not share one random sequence.
 * @example deriveSeed(42, 'validation') // always the same 32-bit integer
 */
export function deriveSeed(seed: number, purpose: string): number {
  // FNV-1a over the purpose, mixed with the seed.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) {
    hash ^= purpose.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (mulberry32(hash >>> 0)() * 4294967296) >>> 0;
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = items[i] as T;
    items[i] = items[j] as T;
    items[j] = held;
  }
  return items;
}
