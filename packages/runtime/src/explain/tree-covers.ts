import type { TreeEnsemble } from '../trees/ensemble.ts';

/**
 * Per node, the share of its parent's training rows that reached it (1 at a root): the weight
 * path-dependent TreeSHAP gives a child when the split's feature is outside the coalition. The
 * parent's own cover is the denominator; an uncovered split (cover 0, and children 0) splits
 * evenly, so every expectation stays defined.
 */
export function coverShares(e: TreeEnsemble, right: Int32Array): Float64Array {
  const share = new Float64Array(e.feature.length);
  for (let t = 0; t < e.treeOutput.length; t++) share[e.treeStart[t]!] = 1;
  for (let node = 0; node < e.feature.length; node++) {
    if (e.feature[node]! < 0) continue;
    const left = node + 1;
    const r = right[node]!;
    const parent = e.cover[node]!;
    const total = parent > 0 ? parent : e.cover[left]! + e.cover[r]!;
    share[left] = total > 0 ? e.cover[left]! / total : 0.5;
    share[r] = total > 0 ? e.cover[r]! / total : 0.5;
  }
  return share;
}

/** Per output: baseline + Σ over its trees of the cover-weighted mean leaf value (E[f(x)]). */
export function expectedValues(e: TreeEnsemble, share: Float64Array): Float64Array {
  const expected = Float64Array.from(e.baseline);
  for (let t = 0; t < e.treeOutput.length; t++) {
    const start = e.treeStart[t]!;
    let mean = 0;
    // Preorder: a node's weight is its parent's times its share, the parent seen before it.
    const weight = new Float64Array(e.treeStart[t + 1]! - start);
    weight[0] = 1;
    for (let node = start; node < e.treeStart[t + 1]!; node++) {
      const w = weight[node - start]!;
      if (e.feature[node]! < 0) {
        mean += w * e.value[node]!;
        continue;
      }
      weight[node + 1 - start] = w * share[node + 1]!;
      const r = start + e.right[node]!;
      weight[r - start] = w * share[r]!;
    }
    const output = e.treeOutput[t]!;
    expected[output] = expected[output]! + mean;
  }
  return expected;
}
