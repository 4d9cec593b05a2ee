/**
 * Distances between a reference and a current distribution over the same fixed cells. Inputs
 * are counts; each function normalises them. Formulas follow Evidently's definitions so figures
 * can be compared with it.
 */

/** Proportions that stand in for an empty cell in PSI (Evidently's choice): ln(0) is undefined. */
export const PSI_EPSILON = 1e-4;

function total(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i] as number;
  return s;
}

/**
 * Population stability index: Σ (c − r) · ln(c / r) over cells, with proportions r and c, an
 * empty cell's proportion replaced by PSI_EPSILON. 0 for equal distributions; ~0.1 is a small
 * shift, > 0.2 a large one (the usual reading).
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const rt = total(reference);
  const ct = total(current);
  if (rt === 0 || ct === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = (reference[i] as number) / rt || PSI_EPSILON;
    const c = (current[i] as number) / ct || PSI_EPSILON;
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * Jensen-Shannon distance: √(½ KL(r‖m) + ½ KL(c‖m)), m = (r + c) / 2, natural logarithm (as
 * scipy.spatial.distance.jensenshannon, which Evidently calls): 0 to √ln 2 ≈ 0.8326.
 */
export function jensenShannon(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const rt = total(reference);
  const ct = total(current);
  if (rt === 0 || ct === 0) return Number.NaN;
  let divergence = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = (reference[i] as number) / rt;
    const c = (current[i] as number) / ct;
    const m = (r + c) / 2;
    if (r > 0) divergence += 0.5 * r * Math.log(r / m);
    if (c > 0) divergence += 0.5 * c * Math.log(c / m);
  }
  // Rounding can leave a tiny negative for identical inputs.
  return Math.sqrt(Math.max(divergence, 0));
}

/**
 * Wasserstein-1 distance over binned numbers, in units of the training standard deviation
 * (Evidently's normed Wasserstein). Inside the training range each bin's mass is spread
 * uniformly, so the area between the two piecewise-linear CDFs is exact bin by bin; outside it
 * the reference has no mass and the current window's exact excess (Σ (min − v) below, Σ (v − max)
 * above) is known, so values far out of range weigh as far as they are.
 *
 * `counts` are the cells of profile bins: [underflow, bins…, overflow].
 */
export function wassersteinOverStd(
  edges: readonly number[],
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  excess: { below: number; above: number },
  std: number,
): number {
  const rt = total(reference);
  const ct = total(current);
  if (rt === 0 || ct === 0) return Number.NaN;
  const cells = reference.length;
  let area = excess.below / ct + excess.above / ct;
  let fr = (reference[0] as number) / rt;
  let fc = (current[0] as number) / ct;
  const bins = cells - 2;
  for (let j = 1; j <= bins; j++) {
    const width = edges.length > 1 ? (edges[j] as number) - (edges[j - 1] as number) : 0;
    const r = (reference[j] as number) / rt;
    const c = (current[j] as number) / ct;
    area += width * meanAbsLinear(fc - fr, c - r);
    fr += r;
    fc += c;
  }
  return area / (std > 0 ? std : 1);
}

/** ∫₀¹ |a + b·t| dt. */
function meanAbsLinear(a: number, b: number): number {
  const end = a + b;
  if (a * end >= 0) return Math.abs(a + b / 2);
  const root = -a / b;
  return (Math.abs(a) * root + Math.abs(end) * (1 - root)) / 2;
}
