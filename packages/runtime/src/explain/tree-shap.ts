import { CATEGORICAL, MISSING_LEFT, type TreeEnsemble } from '../trees/ensemble.ts';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2): the Shapley values of the game whose value for a
 * coalition S is E[f(x) | x_S], the expectation taken the way the trees' covers split the training
 * rows (a node on a feature outside S sends the row down both children, weighted by cover). Time
 * O(trees × leaves × depth²) per row, memory O(depth²).
 *
 * Features are the ensemble's inputs (the tree-encoded pipeline's outputs). A row is followed down
 * each tree by the same rules as TreeEngine (NaN where MISSING_LEFT says, categorical bitsets,
 * x <= threshold in float32), so the "hot" child is the one the prediction took.
 */
export class TreeShap {
  readonly ensemble: TreeEnsemble;
  /** Per output: baseline + Σ over its trees of the cover-weighted mean leaf value. */
  readonly expectedValue: Float64Array;
  private readonly rightChild: Int32Array;
  readonly #roots: Int32Array;
  /** Path buffers: feature, zero fraction, one fraction, permutation weight. */
  private readonly pD: Int32Array;
  private readonly pZ: Float64Array;
  private readonly pO: Float64Array;
  private readonly pW: Float64Array;

  constructor(ensemble: TreeEnsemble) {
    this.ensemble = ensemble;
    const trees = ensemble.treeOutput.length;
    this.#roots = new Int32Array(trees);
    this.rightChild = new Int32Array(ensemble.right.length);
    this.expectedValue = Float64Array.from(ensemble.baseline);
    let maxDepth = 0;
    for (let t = 0; t < trees; t++) {
      const start = ensemble.treeStart[t]!;
      this.#roots[t] = start;
      for (let i = start; i < ensemble.treeStart[t + 1]!; i++) {
        this.rightChild[i] = ensemble.right[i]! < 0 ? -1 : start + ensemble.right[i]!;
      }
      const output = ensemble.treeOutput[t]!;
      this.expectedValue[output] = this.expectedValue[output]! + this.#expectation(start);
      maxDepth = Math.max(maxDepth, this.#depth(start));
    }
    // Each recursion level holds a copy of its parent's path (at most depth + 2 elements).
    const size = ((maxDepth + 3) * (maxDepth + 4)) / 2;
    this.pD = new Int32Array(size);
    this.pZ = new Float64Array(size);
    this.pO = new Float64Array(size);
    this.pW = new Float64Array(size);
  }

  /**
   * Adds the row's SHAP values to phi: phi[output × inputWidth + feature], for every output the
   * ensemble has. `x[base, base + inputWidth)` is the encoded row. Σ_f phi[k, f] equals
   * margin_k − expectedValue[k] up to float64 rounding.
   */
  explainInto(x: Float32Array, base: number, phi: Float64Array): void {
    const width = this.ensemble.inputWidth;
    const outputs = this.ensemble.treeOutput;
    for (let t = 0; t < this.#roots.length; t++) {
      this.#recurse(this.#roots[t]!, x, base, phi, outputs[t]! * width, 0, 0, 1, 1, -1);
    }
  }

  /** Whether the row goes to the left child at an inner node: the TreeEngine rule. */
  goesLeft(node: number, x: Float32Array, base: number): boolean {
    const e = this.ensemble;
    const v = x[base + e.feature[node]!]!;
    const flag = e.flags[node]!;
    if (Number.isNaN(v)) return (flag & MISSING_LEFT) !== 0;
    if ((flag & CATEGORICAL) !== 0) {
      if (!(v >= 0 && v < 256)) return false;
      const code = v | 0;
      const word = e.bitsets[e.bitsetOffset[node]! + (code >>> 5)]!;
      return ((word >>> (code & 31)) & 1) === 1;
    }
    return v <= e.threshold[node]!;
  }

  /** Absolute index of a node's right child. */
  rightOf(node: number): number {
    return this.rightChild[node]!;
  }

  #expectation(node: number): number {
    const e = this.ensemble;
    if (e.feature[node]! < 0) return e.value[node]!;
    const left = node + 1;
    const right = this.rightChild[node]!;
    const [wl, wr] = childWeights(e.cover[node]!, e.cover[left]!, e.cover[right]!);
    return wl * this.#expectation(left) + wr * this.#expectation(right);
  }

  #depth(node: number): number {
    if (this.ensemble.feature[node]! < 0) return 0;
    return 1 + Math.max(this.#depth(node + 1), this.#depth(this.rightChild[node]!));
  }

  /**
   * One node of Algorithm 2. The parent's path holds `depth` elements from `parent`; this level
   * copies it to parent + depth + 1 and extends it with the feature the parent split on.
   */
  #recurse(
    node: number,
    x: Float32Array,
    base: number,
    phi: Float64Array,
    phiOffset: number,
    parent: number,
    depth: number,
    zeroFraction: number,
    oneFraction: number,
    feature: number,
  ): void {
    const d = this.pD;
    const z = this.pZ;
    const o = this.pO;
    const w = this.pW;
    const at = parent + depth + 1;
    for (let i = 0; i <= depth; i++) {
      d[at + i] = d[parent + i]!;
      z[at + i] = z[parent + i]!;
      o[at + i] = o[parent + i]!;
      w[at + i] = w[parent + i]!;
    }
    // `depth` elements came from the parent (none at the root, whose element is a dummy).
    let unique = depth;
    extendPath(d, z, o, w, at, unique, zeroFraction, oneFraction, feature);

    const e = this.ensemble;
    const split = e.feature[node]!;
    if (split < 0) {
      const value = e.value[node]!;
      for (let i = 1; i <= unique; i++) {
        const weight = unwoundPathSum(z, o, w, at, unique, i);
        const f = d[at + i]!;
        phi[phiOffset + f] = phi[phiOffset + f]! + weight * (o[at + i]! - z[at + i]!) * value;
      }
      return;
    }
    const left = node + 1;
    const right = this.rightChild[node]!;
    const hotLeft = this.goesLeft(node, x, base);
    const hot = hotLeft ? left : right;
    const cold = hotLeft ? right : left;
    const [wl, wr] = childWeights(e.cover[node]!, e.cover[left]!, e.cover[right]!);
    const hotWeight = hotLeft ? wl : wr;
    const coldWeight = hotLeft ? wr : wl;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is taken off and re-entered with the fractions multiplied.
    for (let k = 1; k <= unique; k++) {
      if (d[at + k] === split) {
        incomingZero = z[at + k]!;
        incomingOne = o[at + k]!;
        unwindPath(d, z, o, w, at, unique, k);
        unique -= 1;
        break;
      }
    }
    this.#recurse(
      hot,
      x,
      base,
      phi,
      phiOffset,
      at,
      unique + 1,
      hotWeight * incomingZero,
      incomingOne,
      split,
    );
    this.#recurse(
      cold,
      x,
      base,
      phi,
      phiOffset,
      at,
      unique + 1,
      coldWeight * incomingZero,
      0,
      split,
    );
  }
}

/** Cover fractions of the two children; an uncovered node splits evenly. */
function childWeights(parent: number, left: number, right: number): [number, number] {
  const total = parent > 0 ? parent : left + right;
  if (total <= 0) return [0.5, 0.5];
  return [left / total, right / total];
}

/** 1 / n for the path lengths a tree can have: the hot loops multiply instead of dividing. */
const INVERSE = Float64Array.from({ length: 1024 }, (_, n) => (n === 0 ? 0 : 1 / n));

/** Algorithm 2's EXTEND: adds element `unique` (0-based) to the path at [at, at + unique]. */
function extendPath(
  d: Int32Array,
  z: Float64Array,
  o: Float64Array,
  w: Float64Array,
  at: number,
  unique: number,
  zeroFraction: number,
  oneFraction: number,
  feature: number,
): void {
  d[at + unique] = feature;
  z[at + unique] = zeroFraction;
  o[at + unique] = oneFraction;
  w[at + unique] = unique === 0 ? 1 : 0;
  const scale = INVERSE[unique + 1]!;
  for (let i = unique - 1; i >= 0; i--) {
    w[at + i + 1] = w[at + i + 1]! + oneFraction * w[at + i]! * (i + 1) * scale;
    w[at + i] = zeroFraction * w[at + i]! * (unique - i) * scale;
  }
}

/** Algorithm 2's UNWIND: removes element `index` from the path [at, at + unique]. */
function unwindPath(
  d: Int32Array,
  z: Float64Array,
  o: Float64Array,
  w: Float64Array,
  at: number,
  unique: number,
  index: number,
): void {
  const one = o[at + index]!;
  const zero = z[at + index]!;
  let next = w[at + unique]!;
  for (let i = unique - 1; i >= 0; i--) {
    if (one !== 0) {
      const saved = w[at + i]!;
      w[at + i] = (next * (unique + 1)) / ((i + 1) * one);
      next = saved - (w[at + i]! * zero * (unique - i)) / (unique + 1);
    } else {
      w[at + i] = (w[at + i]! * (unique + 1)) / (zero * (unique - i));
    }
  }
  for (let i = index; i < unique; i++) {
    d[at + i] = d[at + i + 1]!;
    z[at + i] = z[at + i + 1]!;
    o[at + i] = o[at + i + 1]!;
  }
}

/** Σ of the weights UNWIND would leave after removing `index`, without changing the path. */
function unwoundPathSum(
  z: Float64Array,
  o: Float64Array,
  w: Float64Array,
  at: number,
  unique: number,
  index: number,
): number {
  const one = o[at + index]!;
  const zero = z[at + index]!;
  let total = 0;
  if (one !== 0) {
    const inverseOne = 1 / one;
    let next = w[at + unique]!;
    for (let i = unique - 1; i >= 0; i--) {
      const t = next * inverseOne * INVERSE[i + 1]!;
      total += t;
      next = w[at + i]! - t * zero * (unique - i);
    }
  } else {
    const inverseZero = 1 / zero;
    for (let i = unique - 1; i >= 0; i--) total += w[at + i]! * inverseZero * INVERSE[unique - i]!;
  }
  return total * (unique + 1);
}
