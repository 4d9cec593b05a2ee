/** Draws, rows and a bit-exact comparison shared by the tree traversal tests. */
import { expect } from 'vitest';
import type { RandomTreeDraws } from './fixtures/trees.ts';

/**
 * Draws for randomTree whose categorical splits use codes up to 255, so that every bitset word
 * is exercised, whose leaves include -0 and values of every magnitude, and whose thresholds
 * include ±Infinity.
 */
export const WIDE_DRAWS: RandomTreeDraws = {
  stop: 0.15,
  leaf: (next) => {
    const r = next();
    return r < 0.05 ? -0 : r < 0.1 ? 1e-300 * (next() - 0.5) : (next() - 0.5) * 10 ** (r * 6);
  },
  categories: (next) => {
    const span = [8, 40, 256][Math.floor(next() * 3)]!;
    return Array.from({ length: span }, (_, c) => c).filter(() => next() < 0.4);
  },
  threshold: (next) => {
    const r = next();
    const t =
      r < 0.03 ? Number.POSITIVE_INFINITY : r < 0.06 ? Number.NEGATIVE_INFINITY : next() - 0.5;
    return Math.fround(t * 4);
  },
};

/**
 * Rows with NaN, codes seen and unseen (beyond 255, negative, infinite) and raw floats. With
 * `fractional`, categorical features also get non-integer values, which the tree encoding never
 * writes (the loop reads them as code v | 0; the reference does not define them).
 */
export function randomRows(
  next: () => number,
  rows: number,
  width: number,
  categorical: number,
  fractional = false,
) {
  const x = new Float32Array(rows * width);
  const odd = [-1, 256, 300, 1e9, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  if (fractional) odd.push(2.5, 31.5, 63.75, -0.5, 255.5);
  for (let i = 0; i < x.length; i++) {
    const f = i % width;
    const r = next();
    if (r < 0.1) x[i] = Number.NaN;
    else if (f < categorical)
      x[i] = r < 0.15 ? odd[Math.floor(next() * odd.length)]! : Math.floor(next() * 256);
    else x[i] = r < 0.2 ? Math.fround((next() - 0.5) * 4) : (next() - 0.5) * 5;
  }
  return x;
}

export function expectSameBits(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) expect({ at: i, value: a[i] }).toEqual({ at: i, value: b[i] });
  }
}
