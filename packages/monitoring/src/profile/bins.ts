/**
 * Quantile cut points, computed once from sorted training values: NannyML and Evidently both fix
 * the bins at fit time so that every later window is counted into the same cells.
 */

/** Linear-interpolation quantile (numpy's default) of ascending values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, n - 1);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

/** Edges b0 = min < … < bm = max at the quantiles i / bins; duplicates (ties) merged. */
export function quantileEdges(sorted: ArrayLike<number>, bins: number): number[] {
  const n = sorted.length;
  if (n === 0) return [];
  const min = sorted[0] as number;
  const max = sorted[n - 1] as number;
  const edges = [min];
  for (let i = 1; i < bins; i++) {
    const cut = quantileSorted(sorted, i / bins);
    if (cut > (edges[edges.length - 1] as number) && cut < max) edges.push(cut);
  }
  if (max > min) edges.push(max);
  return edges;
}

/**
 * The cell of a value among the edges' cells: 0 underflow, 1…m the bins, m + 1 overflow, where m
 * = edges.length - 1 (and 1 bin when min = max). Binary search: O(log m) per value.
 */
export function binOf(edges: readonly number[], value: number): number {
  const last = edges.length - 1;
  const min = edges[0] as number;
  const max = edges[last] as number;
  if (value < min) return 0;
  if (value > max) return last === 0 ? 2 : last + 1;
  if (last === 0) return 1;
  // The largest j with edges[j] <= value, capped at last - 1 so max falls in the last bin.
  let lo = 0;
  let hi = last - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((edges[mid] as number) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Number of cells (underflow + bins + overflow) for the edges. */
export function cellCount(edges: readonly number[]): number {
  return Math.max(edges.length - 1, 1) + 2;
}

/** A readable name for a cell: "< 18", "[18, 25)", "[60, 70]", "> 70". */
export function cellName(edges: readonly number[], cell: number): string {
  const last = edges.length - 1;
  const bins = Math.max(last, 1);
  const fmt = (v: number) => String(Number(v.toPrecision(6)));
  if (cell === 0) return `< ${fmt(edges[0] as number)}`;
  if (cell === bins + 1) return `> ${fmt(edges[last] as number)}`;
  if (last === 0) return `[${fmt(edges[0] as number)}]`;
  const lo = edges[cell - 1] as number;
  const hi = edges[cell] as number;
  return cell === bins ? `[${fmt(lo)}, ${fmt(hi)}]` : `[${fmt(lo)}, ${fmt(hi)})`;
}
