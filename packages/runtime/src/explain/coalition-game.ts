/**
 * Helpers for games whose players are raw columns, shared by the dense and ensemble Shapley
 * explainers: walking every coalition one player at a time, and Shapley values from a table of
 * coalition values.
 */

/**
 * Visits the 2^n − 1 non-empty coalitions of n players in Gray-code order: each step moves one
 * player (its bit) in (`sign` 1) or out (−1), then `mask` holds the coalition after the move.
 */
export function walkGrayCode(
  n: number,
  step: (bit: number, sign: 1 | -1, mask: number) => void,
): void {
  let mask = 0;
  const count = 1 << n;
  for (let t = 1; t < count; t++) {
    const bit = 31 - Math.clz32(t & -t);
    const sign = (mask >> bit) & 1 ? -1 : 1;
    mask ^= 1 << bit;
    step(bit, sign, mask);
  }
}

/**
 * Shapley values from every coalition's value: values[mask × outputs + c] for the coalitions of
 * `players` (bit i: players[i]); adds to phi[c × columns + players[i]] (phi is not cleared).
 * φ_i = Σ_{S ∌ i} |S|! (n − |S| − 1)! / n! · (v(S ∪ i) − v(S)).
 */
export function shapleyFromTable(
  values: Float64Array,
  outputs: number,
  players: readonly number[],
  columns: number,
  phi: Float64Array,
): void {
  const n = players.length;
  const count = 1 << n;
  const weights = new Float64Array(Math.max(1, n));
  for (let s = 0; s < n; s++) weights[s] = 1 / (n * binomial(n - 1, s));
  for (let s = 0; s < count; s++) {
    const w = weights[popcount(s)]!;
    for (let bit = 0; bit < n; bit++) {
      if ((s >> bit) & 1) continue;
      const p = players[bit]!;
      const joined = (s | (1 << bit)) * outputs;
      for (let c = 0; c < outputs; c++) {
        phi[c * columns + p] =
          phi[c * columns + p]! + w * (values[joined + c]! - values[s * outputs + c]!);
      }
    }
  }
}

function binomial(n: number, r: number): number {
  let result = 1;
  for (let i = 1; i <= r; i++) result = (result * (n - r + i)) / i;
  return result;
}

function popcount(v: number): number {
  let count = 0;
  for (let x = v; x; x &= x - 1) count++;
  return count;
}
