import type { TreeEnsemble } from '../trees/ensemble.ts';
import type { TreeRouting } from '../trees/routing.ts';

/** Unique features on one root-to-leaf path at most: a leaf's table has 2^bits entries. */
export const MAX_PATTERN_BITS = 16;

/**
 * Path-dependent TreeSHAP from per-leaf tables, the idea of Fast TreeSHAP v2 (Yang 2021,
 * arXiv:2109.09847): what a leaf adds to each feature's SHAP value depends on the row only
 * through which of the path's n unique features the row "follows" (every split of that feature
 * on the path sends the row the path's way), a bit pattern P of n bits. So the row-independent
 * part is computed once per leaf and pattern at load, and a row costs one pass over the tree's
 * nodes (to find each leaf's pattern) plus O(n) per leaf: O(leaves × depth) instead of
 * O(leaves × depth²).
 *
 * The algebra, for a leaf of value v whose unique features i have zero fractions z_i (the
 * product of the cover shares of the path's splits on i) and the Shapley weights
 * w(s) = s! (n − s − 1)! / n!:
 *
 *   A(P) = v · Π_{j ∉ P} z_j · Σ_{S ⊆ P} w(|S|) · Π_{j ∈ P \ S} z_j   (stored, 2^n per leaf)
 *   φ_i += (1 − z_i) / z_i · A(P \ {i})   for i ∈ P
 *   φ_i −= A(P)                           for i ∉ P
 *
 * (the Shapley value of the leaf's game v · Π_{j ∈ S} o_j · Π_{j ∉ S} z_j, whose one fractions
 * o_j are 1 on P and 0 off it). A tree with a zero cover share has no tables (the division).
 * The tables are the memory cost: TreeShap builds them for the trees that fit its bound.
 */
export class LeafPatterns {
  readonly #routing: TreeRouting;
  readonly #treeStart: Uint32Array;
  /** Per inner node: the bit of its feature in the patterns of the leaves below it. */
  readonly #bit: Uint8Array;
  /** Leaf records of tree t: [leafStart[t], leafStart[t + 1]); empty for a tree without tables. */
  readonly #leafStart: Int32Array;
  readonly #leafNode: Int32Array;
  readonly #leafBits: Uint8Array;
  /** Where a leaf's unique features start in #feature and #ratio. */
  readonly #leafSlot: Int32Array;
  readonly #leafTable: Int32Array;
  readonly #feature: Int32Array;
  /** Per unique feature of a leaf: (1 − z) / z. */
  readonly #ratio: Float64Array;
  readonly #tables: Float64Array;
  /** Per-row scratch: each node's pattern (bit k clear: the row left the path at feature k). */
  readonly #mask: Int32Array;
  readonly #maskB: Int32Array;
  /** Float64 entries over all tables. */
  readonly entries: number;

  /** Builds the tables of the trees `chosen` marks (see patternEntries for their size). */
  constructor(e: TreeEnsemble, routing: TreeRouting, share: Float64Array, chosen: Uint8Array) {
    this.#routing = routing;
    this.#treeStart = e.treeStart;
    const right = routing.right;
    const nodes = e.feature.length;
    const trees = e.treeOutput.length;
    this.#bit = new Uint8Array(nodes);
    this.#mask = new Int32Array(nodes);
    this.#maskB = new Int32Array(nodes);
    const leaves: Array<{ node: number; features: number[]; zeros: number[] }> = [];
    this.#leafStart = new Int32Array(trees + 1);
    for (let t = 0; t < trees; t++) {
      this.#leafStart[t] = leaves.length;
      if (chosen[t] !== 1) continue;
      // Unique features in order of first appearance from the root: a feature's bit is the same
      // for every leaf under the node where it first appears.
      const visit = (node: number, features: number[], zeros: number[]) => {
        const f = e.feature[node]!;
        if (f < 0) {
          leaves.push({ node, features, zeros });
          return;
        }
        const at = features.indexOf(f);
        this.#bit[node] = at < 0 ? features.length : at;
        for (const child of [node + 1, right[node]!]) {
          if (at < 0) {
            visit(child, [...features, f], [...zeros, share[child]!]);
          } else {
            const next = [...zeros];
            next[at] = next[at]! * share[child]!;
            visit(child, features, next);
          }
        }
      };
      visit(e.treeStart[t]!, [], []);
    }
    this.#leafStart[trees] = leaves.length;
    this.#leafNode = new Int32Array(leaves.length);
    this.#leafBits = new Uint8Array(leaves.length);
    this.#leafSlot = new Int32Array(leaves.length);
    this.#leafTable = new Int32Array(leaves.length);
    let slots = 0;
    let entries = 0;
    leaves.forEach((leaf, j) => {
      this.#leafNode[j] = leaf.node;
      this.#leafBits[j] = leaf.features.length;
      this.#leafSlot[j] = slots;
      this.#leafTable[j] = entries;
      slots += leaf.features.length;
      entries += 2 ** leaf.features.length;
    });
    this.entries = entries;
    this.#feature = new Int32Array(slots);
    this.#ratio = new Float64Array(slots);
    this.#tables = new Float64Array(entries);
    leaves.forEach((leaf, j) => {
      const slot = this.#leafSlot[j]!;
      leaf.features.forEach((f, k) => {
        this.#feature[slot + k] = f;
        this.#ratio[slot + k] = (1 - leaf.zeros[k]!) / leaf.zeros[k]!;
      });
      fillLeafTable(this.#tables, this.#leafTable[j]!, leaf.zeros, e.value[leaf.node]!);
    });
  }

  /** Adds the SHAP values of tree t (one with tables) to phi[phiOffset + feature]. */
  explainTree(t: number, x: Float32Array, base: number, phi: Float64Array, phiOffset: number) {
    this.#patterns(t, x, base, this.#mask);
    this.#leafPass(t, this.#mask, phi, phiOffset, this.#mask, phi, phiOffset, 1);
  }

  /**
   * explainTree for two rows at once: the leaf pass reads each leaf's features and ratios once
   * for both, and the two rows' sums are independent chains the CPU overlaps.
   */
  explainTreePair(
    t: number,
    x: Float32Array,
    baseA: number,
    phiA: Float64Array,
    offsetA: number,
    baseB: number,
    phiB: Float64Array,
    offsetB: number,
  ) {
    this.#patterns(t, x, baseA, this.#mask);
    this.#patterns(t, x, baseB, this.#maskB);
    this.#leafPass(t, this.#mask, phiA, offsetA, this.#maskB, phiB, offsetB, 2);
  }

  /**
   * Each node's pattern for the row at x[base]. Preorder: a node's pattern is set by its parent
   * before the loop reaches it; the child the row does not take loses the bit of the split's
   * feature (no branch on the direction).
   */
  #patterns(t: number, x: Float32Array, base: number, mask: Int32Array): void {
    const routing = this.#routing;
    const feature = routing.feature;
    const right = routing.right;
    const bit = this.#bit;
    const start = this.#treeStart[t]!;
    const end = this.#treeStart[t + 1]!;
    mask[start] = -1;
    for (let node = start; node < end; node++) {
      if (feature[node]! < 0) continue;
      const left = routing.goesLeft(node, x, base) ? 1 : 0;
      const m = mask[node]!;
      const b = bit[node]!;
      mask[node + 1] = m & ~((1 - left) << b);
      mask[right[node]!] = m & ~(left << b);
    }
  }

  /** The leaves' additions for one row (rows = 1) or two. */
  #leafPass(
    t: number,
    maskA: Int32Array,
    phiA: Float64Array,
    offsetA: number,
    maskB: Int32Array,
    phiB: Float64Array,
    offsetB: number,
    rows: 1 | 2,
  ): void {
    const leafNode = this.#leafNode;
    const leafBits = this.#leafBits;
    const leafSlot = this.#leafSlot;
    const leafTable = this.#leafTable;
    const features = this.#feature;
    const ratio = this.#ratio;
    const tables = this.#tables;
    const last = this.#leafStart[t + 1]!;
    for (let j = this.#leafStart[t]!; j < last; j++) {
      const n = leafBits[j]!;
      const all = (1 << n) - 1;
      const slot = leafSlot[j]!;
      const table = leafTable[j]!;
      const pa = maskA[leafNode[j]!]! & all;
      const pb = rows === 2 ? maskB[leafNode[j]!]! & all : 0;
      const offA = tables[table + pa]!;
      const offB = tables[table + pb]!;
      for (let k = 0; k < n; k++) {
        const f = features[slot + k]!;
        const r = ratio[slot + k]!;
        // Branch-free: bit k set adds ratio · A(P \ {k}); clear subtracts A(P).
        const onA = (pa >>> k) & 1;
        phiA[offsetA + f] =
          phiA[offsetA + f]! + onA * r * tables[table + (pa ^ (1 << k))]! - (1 - onA) * offA;
        if (rows === 2) {
          const onB = (pb >>> k) & 1;
          phiB[offsetB + f] =
            phiB[offsetB + f]! + onB * r * tables[table + (pb ^ (1 << k))]! - (1 - onB) * offB;
        }
      }
    }
  }
}

/**
 * Table entries tree t would need (Σ over its leaves of 2^unique features), or -1 when one of
 * its paths has more than MAX_PATTERN_BITS unique features or a node has a zero cover share.
 */
export function patternEntries(
  e: TreeEnsemble,
  right: Int32Array,
  share: Float64Array,
  t: number,
): number {
  let entries = 0;
  let tooWide = false;
  const visit = (node: number, features: readonly number[]) => {
    if (share[node] === 0) tooWide = true;
    const f = e.feature[node]!;
    if (f < 0) {
      if (features.length > MAX_PATTERN_BITS) tooWide = true;
      else entries += 2 ** features.length;
      return;
    }
    const next = features.includes(f) ? features : [...features, f];
    visit(node + 1, next);
    visit(right[node]!, next);
  };
  visit(e.treeStart[t]!, []);
  return tooWide ? -1 : entries;
}

/**
 * A(P) for every pattern P of a leaf with zero fractions `zeros` and value `value`, at
 * tables[at + P]. Σ_{S ⊆ P} w(|S|) Π_{j ∈ P \ S} z_j = Σ_s w(s) e_{|P| − s}(z_P), with e_k the
 * elementary symmetric polynomials of P's zero fractions, built bit by bit with the product of
 * the others' (O(2^n · n)). A(all bits) is 0: it only ever meets a factor 0 in explainTree.
 */
function fillLeafTable(tables: Float64Array, at: number, zeros: readonly number[], value: number) {
  const n = zeros.length;
  const weight = new Float64Array(n + 1);
  for (let s = 0; s < n; s++) weight[s] = 1 / (n * binomial(n - 1, s));
  // Row k: e_0 … e_size of the bits chosen among the first k.
  const width = n + 1;
  const poly = new Float64Array(width * (n + 1));
  poly[0] = 1;
  const visit = (k: number, pattern: number, size: number, outside: number) => {
    const row = k * width;
    if (k === n) {
      if (size === n) return;
      let total = 0;
      for (let s = 0; s <= size; s++) total += weight[s]! * poly[row + size - s]!;
      tables[at + pattern] = value * outside * total;
      return;
    }
    const next = row + width;
    for (let j = 0; j <= size; j++) poly[next + j] = poly[row + j]!;
    visit(k + 1, pattern, size, outside * zeros[k]!);
    // Multiply by (z_k + y): e_j gains z_k · e_(j−1).
    const z = zeros[k]!;
    poly[next] = poly[row]!;
    for (let j = 1; j <= size; j++) poly[next + j] = poly[row + j]! + z * poly[row + j - 1]!;
    poly[next + size + 1] = z * poly[row + size]!;
    visit(k + 1, pattern | (1 << k), size + 1, outside);
  };
  visit(0, 0, 0, 1);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}
