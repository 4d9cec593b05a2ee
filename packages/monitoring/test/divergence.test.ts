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
  it('is 0 for equal shares at equal means', () => {
    // Current sums = counts × the reference means.
    expect(
      wassersteinOverStd([0, 5, 5, 0], [0, 0.5, 1.5, 0], [0, 1, 1, 0], [0, 0.5, 1.5, 0], 1),
    ).toBe(0);
  });

  it('equals the hand-computed area between the step CDFs', () => {
    // Reference: ½ at 0.5, ½ at 1.5. Current: ¼ at 0.6, ¾ at 1.2 (sums = count × mean).
    const w = wassersteinOverStd([0, 2, 2, 0], [0, 0.5, 1.5, 0], [0, 1, 3, 0], [0, 0.6, 3.6, 0], 2);
    // F_ref − F_cur: [0.5, 0.6): ½; [0.6, 1.2): ½ − ¼; [1.2, 1.5): ½ − 1 → 0.05 + 0.15 + 0.15.
    expect(Math.abs(w - 0.35 / 2)).toBeLessThan(1e-12);
  });

  it('places values outside the training range at their own mean', () => {
    // Reference: all at 1. Current: half at 1, half overflowing at 10 → W = ½ · 9.
    const w = wassersteinOverStd([0, 4, 0, 0], [0, 1, 0, 0], [0, 2, 0, 2], [0, 2, 0, 20], 3);
    expect(Math.abs(w - 4.5 / 3)).toBeLessThan(1e-12);
  });
});
