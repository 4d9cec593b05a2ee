import { CATEGORICAL, MISSING_LEFT, type TreeEnsemble } from '../trees/ensemble.ts';
import type { TreeRouting } from '../trees/routing.ts';
import { BLOCK_ROWS, LeafTablesWasm } from './leaf-tables-wasm.ts';

/** Unique features on one root-to-leaf path at most: a leaf's table has 2^bits entries. */
export const MAX_PATTERN_BITS = 16;

/** Rows a tree is explained over at once (explainRows): the scratch holds one value per row. */
export const PATTERN_BLOCK_ROWS = BLOCK_ROWS;

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
 *
 * A tree is explained over a block of rows at once, each step a loop over the rows with
 * everything else held: per node, the rows' patterns; per leaf, each row's table address
 * (table start + P); per feature of the tree and leaf holding it, each row's term, summed per row
 * and added to φ once. A leaf's table starts at a multiple of its 2^n entries (tables are laid
 * out largest first), so bit k of the address is bit k of P, and a term reads the address with
 * bit k cleared: P \ {k} when the row has the bit (times the ratio), P itself when not (× −1).
 * The pass runs in WebAssembly (leaf-tables-wasm.ts) where available, else in JavaScript.
 */
export class LeafPatterns {
  readonly #routing: TreeRouting;
  readonly #treeStart: Uint32Array;
  /** Per inner node: the bit of its feature in the patterns of the leaves below it. */
  readonly #bit: Uint8Array;
  /** Leaves of tree t: [leafStart[t], leafStart[t + 1]); none for a tree without tables. */
  readonly #leafStart: Int32Array;
  readonly #leafNode: Int32Array;
  /** Per leaf: 2^n − 1, its pattern's bits. */
  readonly #leafAll: Int32Array;
  readonly #leafTable: Int32Array;
  /** Groups (one per feature a tree splits on) of tree t: [groupStart[t], groupStart[t + 1]). */
  readonly #groupStart: Int32Array;
  readonly #groupFeature: Int32Array;
  /** Terms of group g: [termStart[g], termStart[g + 1]), one per leaf holding the feature. */
  readonly #termStart: Int32Array;
  /** Per term: its leaf, as an index from the tree's first leaf, and the feature's bit there. */
  readonly #termLeaf: Int32Array;
  readonly #termBit: Uint8Array;
  /** Per term: [−1, (1 − z) / z], the factor of its table entry when its bit is clear or set. */
  readonly #termFactor: Float64Array;
  /** The tables, for the JavaScript pass: emptied once WebAssembly holds its copy. */
  #tables: Float64Array;
  /** Scratch, PATTERN_BLOCK_ROWS values per node / leaf of a tree: patterns, then addresses. */
  readonly #mask: Int32Array;
  readonly #address: Int32Array;
  readonly #sum = new Float64Array(PATTERN_BLOCK_ROWS);
  /** The same pass in WebAssembly (null: JavaScript only), over phiBlock. */
  readonly #wasm: LeafTablesWasm | null;
  /**
   * Where the WebAssembly pass adds φ (PATTERN_BLOCK_ROWS × outputs × inputWidth values): with
   * WebAssembly, explainRows takes no other array. null: the pass runs in JavaScript.
   */
  readonly phiBlock: Float64Array | null;
  /** Float64 entries over all tables. */
  readonly entries: number;

  /**
   * Builds the tables of the trees `chosen` marks (see patternEntries for their size); `wasm`:
   * sum in WebAssembly where it is available (the same bits as JavaScript).
   */
  constructor(
    e: TreeEnsemble,
    routing: TreeRouting,
    share: Float64Array,
    chosen: Uint8Array,
    wasm = true,
  ) {
    this.#routing = routing;
    this.#treeStart = e.treeStart;
    const right = routing.right;
    const nodes = e.feature.length;
    const trees = e.treeOutput.length;
    this.#bit = new Uint8Array(nodes);
    const leaves: Array<{ node: number; features: number[]; zeros: number[] }> = [];
    this.#leafStart = new Int32Array(trees + 1);
    let widest = 0;
    let largest = 0;
    for (let t = 0; t < trees; t++) {
      largest = Math.max(largest, e.treeStart[t + 1]! - e.treeStart[t]!);
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
      widest = Math.max(widest, leaves.length - this.#leafStart[t]!);
    }
    this.#leafStart[trees] = leaves.length;
    this.#mask = new Int32Array(largest * PATTERN_BLOCK_ROWS);
    this.#leafNode = Int32Array.from(leaves, (leaf) => leaf.node);
    this.#leafAll = Int32Array.from(leaves, (leaf) => 2 ** leaf.features.length - 1);
    // Largest tables first: every start is then a multiple of its own table's size.
    this.#leafTable = new Int32Array(leaves.length);
    const bySize = leaves.map((_, j) => j);
    bySize.sort((a, b) => leaves[b]!.features.length - leaves[a]!.features.length || a - b);
    let entries = 0;
    for (const j of bySize) {
      this.#leafTable[j] = entries;
      entries += 2 ** leaves[j]!.features.length;
    }
    this.entries = entries;
    this.#tables = new Float64Array(entries);
    leaves.forEach((leaf, j) => {
      fillLeafTable(this.#tables, this.#leafTable[j]!, leaf.zeros, e.value[leaf.node]!);
    });
    // Terms grouped by feature, tree by tree; a group's terms in leaf order.
    const groupFeature: number[] = [];
    const termStart: number[] = [];
    const termLeaf: number[] = [];
    const termBit: number[] = [];
    const termFactor: number[] = [];
    this.#groupStart = new Int32Array(trees + 1);
    for (let t = 0; t < trees; t++) {
      this.#groupStart[t] = groupFeature.length;
      const first = this.#leafStart[t]!;
      const used = new Set(leaves.slice(first, this.#leafStart[t + 1]!).flatMap((l) => l.features));
      for (const f of [...used].sort((a, b) => a - b)) {
        groupFeature.push(f);
        termStart.push(termLeaf.length);
        for (let j = first; j < this.#leafStart[t + 1]!; j++) {
          const k = leaves[j]!.features.indexOf(f);
          if (k < 0) continue;
          const z = leaves[j]!.zeros[k]!;
          termLeaf.push(j - first);
          termBit.push(k);
          termFactor.push(-1, (1 - z) / z);
        }
      }
    }
    this.#groupStart[trees] = groupFeature.length;
    termStart.push(termLeaf.length);
    this.#groupFeature = Int32Array.from(groupFeature);
    this.#termStart = Int32Array.from(termStart);
    this.#termLeaf = Int32Array.from(termLeaf);
    this.#termBit = Uint8Array.from(termBit);
    this.#termFactor = Float64Array.from(termFactor);
    this.#wasm =
      wasm && leaves.length > 0
        ? LeafTablesWasm.create({
            feature: routing.feature,
            threshold: routing.threshold,
            flags: routing.flags,
            right: routing.right,
            bit: this.#bit,
            bitsetOffset: routing.bitsetOffset,
            bitsets: routing.bitsets,
            leafNode: this.#leafNode,
            leafAll: this.#leafAll,
            leafTable: this.#leafTable,
            groupFeature: this.#groupFeature,
            termStart: this.#termStart,
            termLeaf: this.#termLeaf,
            termBit: this.#termBit,
            termFactor: this.#termFactor,
            tables: this.#tables,
            inputWidth: e.inputWidth,
            largestTree: largest,
            widestTree: widest,
            phiValues: PATTERN_BLOCK_ROWS * e.outputs * e.inputWidth,
          })
        : null;
    this.#address = new Int32Array(widest * PATTERN_BLOCK_ROWS);
    if (this.#wasm) this.#tables = new Float64Array(0);
    this.phiBlock = this.#wasm?.phi ?? null;
  }

  /** Copies the block's rows into WebAssembly memory, for explainRows over phiBlock. */
  loadRows(x: Float32Array, base: number, rows: number): void {
    this.#wasm?.loadRows(x, base, rows);
  }

  /**
   * Adds the SHAP values of tree t (one with tables) for `rows` ≤ PATTERN_BLOCK_ROWS rows:
   * row r is x[base + r × width, …) and its values go to phi[phiBase + r × phiStride + feature].
   * reached[r] receives the leaf row r reaches. With WebAssembly, phi must be phiBlock and the
   * rows are those loadRows was last given (the same bits as JavaScript).
   */
  explainRows(
    t: number,
    x: Float32Array,
    base: number,
    width: number,
    rows: number,
    phi: Float64Array,
    phiBase: number,
    phiStride: number,
    reached: Int32Array,
  ): void {
    const wasm = this.#wasm;
    if (wasm) {
      if (phi !== wasm.phi) throw new RangeError('with WebAssembly, explainRows adds to phiBlock');
      const start = this.#treeStart;
      wasm.explainTree(
        start[t]!,
        start[t + 1]!,
        this.#leafStart[t]!,
        this.#leafStart[t + 1]!,
        this.#groupStart[t]!,
        this.#groupStart[t + 1]!,
        rows,
        phiBase,
        phiStride,
      );
      const leaves = wasm.reached;
      for (let r = 0; r < rows; r++) reached[r] = leaves[r]!;
      return;
    }
    this.#patterns(t, x, base, width, rows);
    this.#addresses(t, rows, reached);
    this.#sums(t, rows, phi, phiBase, phiStride);
  }

  /**
   * Each node's pattern for each row, at mask[(node − tree start) × PATTERN_BLOCK_ROWS + r].
   * Preorder: a node's patterns are set by its parent before the loop reaches it; the child a
   * row does not take loses the bit of the split's feature (no branch on the direction).
   */
  #patterns(t: number, x: Float32Array, base: number, width: number, rows: number): void {
    const B = PATTERN_BLOCK_ROWS;
    const routing = this.#routing;
    const feature = routing.feature;
    const threshold = routing.threshold;
    const flags = routing.flags;
    const right = routing.right;
    const bit = this.#bit;
    const mask = this.#mask;
    const start = this.#treeStart[t]!;
    const end = this.#treeStart[t + 1]!;
    mask.fill(-1, 0, rows);
    for (let node = start; node < end; node++) {
      const f = feature[node]!;
      if (f < 0) continue;
      const b = bit[node]!;
      const at = (node - start) * B;
      const leftAt = at + B;
      const rightAt = (right[node]! - start) * B;
      const flag = flags[node]!;
      const threshold_ = threshold[node]!;
      if ((flag & CATEGORICAL) !== 0) {
        for (let r = 0; r < rows; r++) {
          const left = routing.goesLeft(node, x, base + r * width) ? 1 : 0;
          const m = mask[at + r]!;
          mask[leftAt + r] = m & ~((1 - left) << b);
          mask[rightAt + r] = m & ~(left << b);
        }
      } else {
        // NaN compares false: it goes right unless the node sends missing values left.
        const missingLeft = (flag & MISSING_LEFT) !== 0 ? 1 : 0;
        for (let r = 0; r < rows; r++) {
          const v = x[base + r * width + f]!;
          const left = (v <= threshold_ ? 1 : 0) | (Number.isNaN(v) ? missingLeft : 0);
          const m = mask[at + r]!;
          mask[leftAt + r] = m & ~((1 - left) << b);
          mask[rightAt + r] = m & ~(left << b);
        }
      }
    }
  }

  /**
   * Each leaf's table address per row, at address[(leaf − first leaf) × PATTERN_BLOCK_ROWS + r];
   * reached[r]: the leaf whose every bit row r has (it followed every split on the path).
   */
  #addresses(t: number, rows: number, reached: Int32Array): void {
    // Only what the row loop reads is held in locals.
    const mask = this.#mask;
    const address = this.#address;
    const first = this.#leafStart[t]!;
    for (let j = first; j < this.#leafStart[t + 1]!; j++) {
      const all = this.#leafAll[j]!;
      const node = this.#leafNode[j]!;
      const table = this.#leafTable[j]!;
      const from = (node - this.#treeStart[t]!) * PATTERN_BLOCK_ROWS;
      const to = (j - first) * PATTERN_BLOCK_ROWS;
      for (let r = 0; r < rows; r++) {
        const pattern = mask[from + r]! & all;
        address[to + r] = table + pattern;
        if (pattern === all) reached[r] = node;
      }
    }
  }

  /**
   * Per feature of tree t, each row's Σ over the leaves holding it of (1 − z) / z · A(P \ {k})
   * when the row's pattern has the feature's bit k, else −A(P); added to phi once.
   */
  #sums(t: number, rows: number, phi: Float64Array, phiBase: number, phiStride: number): void {
    // Only what the row loops read is held in locals.
    const termFactor = this.#termFactor;
    const tables = this.#tables;
    const address = this.#address;
    const sum = this.#sum;
    for (let g = this.#groupStart[t]!; g < this.#groupStart[t + 1]!; g++) {
      sum.fill(0, 0, rows);
      const end = this.#termStart[g + 1]!;
      for (let term = this.#termStart[g]!; term < end; term++) {
        const from = this.#termLeaf[term]! * PATTERN_BLOCK_ROWS;
        const k = this.#termBit[term]!;
        const clear = ~(1 << k);
        const factor = 2 * term;
        for (let r = 0; r < rows; r++) {
          // Bit k set: the entry of P \ {k} times the ratio; clear: the entry of P times −1. Both
          // are at the address without bit k.
          const a = address[from + r]!;
          sum[r] = sum[r]! + termFactor[factor + ((a >>> k) & 1)]! * tables[a & clear]!;
        }
      }
      const f = phiBase + this.#groupFeature[g]!;
      for (let r = 0; r < rows; r++) {
        const at = f + r * phiStride;
        phi[at] = phi[at]! + sum[r]!;
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
