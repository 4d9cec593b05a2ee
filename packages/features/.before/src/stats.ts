/**
 * Training statistics. Every function is deterministic for a given input order, so the same fit
 * gives byte-identical JSON state.
 */

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? 0 : sum / values.length;
}

/** Population standard deviation (divides by n, as scikit-learn's StandardScaler). */
export function populationStd(values: ArrayLike<number>, center: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - center;
    sum += d * d;
  }
  return values.length === 0 ? 0 : Math.sqrt(sum / values.length);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  // Float64Array sorts numerically, unlike Array.prototype.sort.
  return Float64Array.from(values).sort();
}

/** Quantile q of sorted values with linear interpolation (numpy's default method). */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below]!;
  const high = sorted[above]!;
  return low + (high - low) * (position - below);
}

export function medianOfSorted(sorted: Float64Array): number {
  return quantileOfSorted(sorted, 0.5);
}

/** The most frequent value; ties go to the smallest value (as scikit-learn's SimpleImputer). */
export function mostFrequentNumber(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/** Lexicographic by UTF-16 code units: the same order on every machine and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Levels ordered by count (descending), then lexicographically: the encoding order. */
export function orderLevels(counts: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
}
