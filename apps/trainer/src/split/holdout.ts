import { mulberry32, shuffleInPlace } from './prng.ts';
import { groupsByStratum } from './strata.ts';

/**
 * Holds out `fraction` of `indices`, the same fraction of every stratum. Per-stratum counts are
 * allocated by largest remainder, so the total is round(fraction × n) whatever the strata.
 * Both parts come back sorted ascending; at least one row lands on each side when n ≥ 2.
 */
export function holdOut(
  indices: readonly number[],
  strata: readonly string[],
  fraction: number,
  seed: number,
): { kept: number[]; heldOut: number[] } {
  const n = indices.length;
  const total = n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const groups = groupsByStratum(indices, strata);
  const quotas = groups.map((group) => group.length * (total / Math.max(1, n)));
  const counts = quotas.map(Math.floor);
  let remaining = total - counts.reduce((sum, count) => sum + count, 0);
  const order = groups
    .map((_, position) => position)
    .sort(
      (a, b) =>
        (quotas[b] ?? 0) - (counts[b] ?? 0) - ((quotas[a] ?? 0) - (counts[a] ?? 0)) || a - b,
    );
  for (const position of order) {
    if (remaining <= 0) break;
    counts[position] = (counts[position] ?? 0) + 1;
    remaining--;
  }
  const random = mulberry32(seed);
  const kept: number[] = [];
  const heldOut: number[] = [];
  groups.forEach((members, position) => {
    const group = shuffleInPlace([...members], random);
    const count = counts[position] ?? 0;
    heldOut.push(...group.slice(0, count));
    kept.push(...group.slice(count));
  });
  return { kept: kept.sort((a, b) => a - b), heldOut: heldOut.sort((a, b) => a - b) };
}
