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

/** Σ term(r, c) over cells, r and c the two sides' proportions; NaN when a side is empty. */
function sumOverShares(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  term: (r: number, c: number) => number,
): number {
  const rt = total(reference);
  const ct = total(current);
  if (rt === 0 || ct === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    sum += term((reference[i] as number) / rt, (current[i] as number) / ct);
  }
  return sum;
}

/**
 * Population stability index: Σ (c − r) · ln(c / r) over cells, with proportions r and c, an
 * empty cell's proportion replaced by PSI_EPSILON. 0 for equal distributions; ~0.1 is a small
 * shift, > 0.2 a large one (the usual reading).
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return sumOverShares(reference, current, (share, now) => {
    const r = share || PSI_EPSILON;
    const c = now || PSI_EPSILON;
    return (c - r) * Math.log(c / r);
  });
}

/**
 * Jensen-Shannon distance: √(½ KL(r‖m) + ½ KL(c‖m)), m = (r + c) / 2, natural logarithm (as
 * scipy.spatial.distance.jensenshannon, which Evidently calls): 0 to √ln 2 ≈ 0.8326.
 */
export function jensenShannon(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const divergence = sumOverShares(reference, current, (r, c) => {
    const m = (r + c) / 2;
    return (r > 0 ? 0.5 * r * Math.log(r / m) : 0) + (c > 0 ? 0.5 * c * Math.log(c / m) : 0);
  });
  // Rounding can leave a tiny negative for identical inputs (an empty side's NaN stays NaN).
  return Math.sqrt(Math.max(divergence, 0));
}

/**
 * Wasserstein-1 distance in units of the training standard deviation (Evidently's normed
 * Wasserstein), over binned numbers: each cell's mass sits at the mean of the values counted in
 * it (the profile records the training means; a window sums its values per cell). Both sides are
 * then discrete distributions on at most one point per cell, and W1 = ∫ |F_ref − F_cur| is exact
 * for them. Values outside the training range land in the underflow / overflow cells at their
 * own mean, so they weigh as far out as they are; the training rows against their own profile
 * give 0.
 */
export function wassersteinOverStd(
  referenceCounts: ArrayLike<number>,
  referenceMeans: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  currentSums: ArrayLike<number>,
  std: number,
): number {
  const rt = total(referenceCounts);
  const ct = total(currentCounts);
  if (rt === 0 || ct === 0) return Number.NaN;
  // Signed point masses: + reference, − current, at their locations.
  const points: { at: number; mass: number }[] = [];
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = referenceCounts[i] as number;
    const c = currentCounts[i] as number;
    if (r > 0) points.push({ at: referenceMeans[i] as number, mass: r / rt });
    if (c > 0) points.push({ at: (currentSums[i] as number) / c, mass: -c / ct });
  }
  points.sort((a, b) => a.at - b.at);
  let area = 0;
  let difference = 0;
  for (let k = 0; k < points.length - 1; k++) {
    difference += (points[k] as { mass: number }).mass;
    area +=
      Math.abs(difference) *
      ((points[k + 1] as { at: number }).at - (points[k] as { at: number }).at);
  }
  return area / (std > 0 ? std : 1);
}
