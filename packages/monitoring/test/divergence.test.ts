import { describe, expect, it } from 'vitest';
import { jensenShannon, PSI_EPSILON, psi, wassersteinOverStd } from '../src/index.ts';

describe('psi', () => {
  it('equals the hand-computed sum over cells', () => {
    // Proportions r = [0.5, 0.3, 0.2], c = [0.25, 0.25, 0.5].
    const expected =
      (0.25 - 0.5) * Math.log(0.25 / 0.5) +
      (0.25 - 0.3) * Math.log(0.25 / 0.3) +
      (0.5 - 0.2) * Math.log(0.5 / 0.2);
    expect(Math.abs(psi([50, 30, 20], [1, 1, 2]) - expected)).toBeLessThan(1e-9);
    // 0.173287 + 0.009116 + 0.274887, by hand.
    expect(expected).toBeCloseTo(0.45729, 5);
  });

  it('replaces an empty cell by epsilon and is 0 for equal shares', () => {
    const e = PSI_EPSILON;
    const expected = (e - 0.5) * Math.log(e / 0.5) + (1 - 0.5) * Math.log(1 / 0.5);
    expect(Math.abs(psi([1, 1], [0, 4]) - expected)).toBeLessThan(1e-9);
    expect(psi([2, 4, 0], [1, 2, 0])).toBe(0);
  });
});

describe('jensenShannon', () => {
  it('equals the hand-computed distance (natural log)', () => {
    const r = [0.5, 0.5, 0];
    const c = [0, 0.5, 0.5];
    const m = [0.25, 0.5, 0.25];
    const kl = (p: number[]) =>
      p.reduce((s, pi, i) => (pi > 0 ? s + pi * Math.log(pi / (m[i] as number)) : s), 0);
    const expected = Math.sqrt(0.5 * kl(r) + 0.5 * kl(c));
    expect(Math.abs(jensenShannon([1, 1, 0], [0, 3, 3]) - expected)).toBeLessThan(1e-9);
    // √(½ ln 2): half the mass moved to a cell the other side never had.
    expect(Math.abs(expected - Math.sqrt(0.5 * Math.log(2)))).toBeLessThan(1e-12);
  });

  it('is 0 for equal shares and √ln2 for disjoint ones', () => {
    expect(jensenShannon([3, 1], [6, 2])).toBe(0);
    expect(Math.abs(jensenShannon([1, 0], [0, 1]) - Math.sqrt(Math.LN2))).toBeLessThan(1e-12);
  });
});

describe('wassersteinOverStd', () => {
  const edges = [0, 1, 2];

  it('is 0 for equal shares', () => {
    expect(wassersteinOverStd(edges, [0, 5, 5, 0], [0, 1, 1, 0], { below: 0, above: 0 }, 1)).toBe(
      0,
    );
  });

  it('equals the area between the piecewise-linear CDFs', () => {
    // All reference mass in [0,1), all current mass in [1,2]: uniform densities one unit apart.
    const w = wassersteinOverStd(edges, [0, 4, 0, 0], [0, 0, 4, 0], { below: 0, above: 0 }, 2);
    expect(Math.abs(w - 1 / 2)).toBeLessThan(1e-12);
    // A CDF difference that changes sign inside a bin: r = [0.5, 0.5], c = [0, 1] → area 0.5·½ + ¼.
    const crossing = wassersteinOverStd(
      edges,
      [0, 1, 1, 0],
      [0, 0, 2, 0],
      { below: 0, above: 0 },
      1,
    );
    expect(Math.abs(crossing - 0.5)).toBeLessThan(1e-12);
  });

  it('counts the exact distance of values outside the training range', () => {
    // Reference uniform on [0, 2]; current: half in [1, 2], half at 5 (3 above max each).
    const w = wassersteinOverStd(edges, [0, 1, 1, 0], [0, 0, 1, 1], { below: 0, above: 3 }, 1);
    // In range: bin 1 difference a=0→b=-0.5 gives 0.25; bin 2 from -0.5 to -0.5: 0.5; above: 3/2.
    expect(Math.abs(w - (0.25 + 0.5 + 1.5))).toBeLessThan(1e-12);
  });
});
