import type { TreeRouting } from '../trees/routing.ts';

/** 1 / n for the path lengths a tree can have: the hot loops multiply instead of dividing. */
const INVERSE = Float64Array.from({ length: 1024 }, (_, n) => (n === 0 ? 0 : 1 / n));

/**
 * Path-dependent TreeSHAP of one tree at a time (Lundberg, Erion and Lee 2018, Algorithm 2):
 * O(leaves × depth²) per tree and row. The fallback of TreeShap for the trees whose leaf
 * tables (leaf-patterns.ts) would be too large. The path buffers (feature, zero fraction, one
 * fraction, permutation weight) are allocated once for the deepest tree and reused for every
 * tree and row; nothing is allocated per node.
 */
export class PathShap {
  readonly #routing: TreeRouting;
  readonly #share: Float64Array;
  readonly #path: PathBuffers;

  constructor(routing: TreeRouting, share: Float64Array, maxDepth: number) {
    this.#routing = routing;
    this.#share = share;
    // Each recursion level holds a copy of its parent's path (at most depth + 2 elements).
    this.#path = new PathBuffers(((maxDepth + 3) * (maxDepth + 4)) / 2);
  }

  /** Adds the SHAP values of the tree rooted at `root` to phi[phiOffset + feature]. */
  explainTree(root: number, x: Float32Array, base: number, phi: Float64Array, phiOffset: number) {
    this.#recurse(root, x, base, phi, phiOffset, 0, 0, 1, 1, -1);
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
    const path = this.#path;
    const { d, z, o, w } = path;
    const at = parent + depth + 1;
    for (let i = 0; i <= depth; i++) {
      d[at + i] = d[parent + i]!;
      z[at + i] = z[parent + i]!;
      o[at + i] = o[parent + i]!;
      w[at + i] = w[parent + i]!;
    }
    // `depth` elements came from the parent (none at the root, whose element is a dummy).
    let unique = depth;
    path.extend(at, unique, zeroFraction, oneFraction, feature);

    const routing = this.#routing;
    const split = routing.feature[node]!;
    if (split < 0) {
      const value = routing.value[node]!;
      for (let i = 1; i <= unique; i++) {
        const weight = path.unwoundSum(at, unique, i);
        const f = phiOffset + d[at + i]!;
        phi[f] = phi[f]! + weight * (o[at + i]! - z[at + i]!) * value;
      }
      return;
    }
    const left = node + 1;
    const right = routing.right[node]!;
    const hotLeft = routing.goesLeft(node, x, base);
    const hot = hotLeft ? left : right;
    const cold = hotLeft ? right : left;
    let incomingZero = 1;
    let incomingOne = 1;
    // A feature already on the path is taken off and re-entered with the fractions multiplied.
    for (let k = 1; k <= unique; k++) {
      if (d[at + k] === split) {
        incomingZero = z[at + k]!;
        incomingOne = o[at + k]!;
        path.unwind(at, unique, k);
        unique -= 1;
        break;
      }
    }
    const share = this.#share;
    const next = unique + 1;
    // A child with both fractions 0 (an uncovered branch the row does not take) adds exactly 0,
    // and would divide by its zero fraction further down: it is skipped.
    const hotZero = share[hot]! * incomingZero;
    if (hotZero !== 0 || incomingOne !== 0) {
      this.#recurse(hot, x, base, phi, phiOffset, at, next, hotZero, incomingOne, split);
    }
    const coldZero = share[cold]! * incomingZero;
    if (coldZero !== 0) this.#recurse(cold, x, base, phi, phiOffset, at, next, coldZero, 0, split);
  }
}

/**
 * The path elements of every recursion level, one level after the other: feature (d), zero
 * fraction (z), one fraction (o) and permutation weight (w). A level's path starts at `at` and
 * holds unique + 1 elements.
 */
class PathBuffers {
  readonly d: Int32Array;
  readonly z: Float64Array;
  readonly o: Float64Array;
  readonly w: Float64Array;

  constructor(size: number) {
    this.d = new Int32Array(size);
    this.z = new Float64Array(size);
    this.o = new Float64Array(size);
    this.w = new Float64Array(size);
  }

  /** Algorithm 2's EXTEND: adds element `unique` (0-based) to the path at [at, at + unique]. */
  extend(at: number, unique: number, zeroFraction: number, oneFraction: number, feature: number) {
    const w = this.w;
    this.d[at + unique] = feature;
    this.z[at + unique] = zeroFraction;
    this.o[at + unique] = oneFraction;
    w[at + unique] = unique === 0 ? 1 : 0;
    const scale = INVERSE[unique + 1]!;
    for (let i = unique - 1; i >= 0; i--) {
      w[at + i + 1] = w[at + i + 1]! + oneFraction * w[at + i]! * (i + 1) * scale;
      w[at + i] = zeroFraction * w[at + i]! * (unique - i) * scale;
    }
  }

  /** Algorithm 2's UNWIND: removes element `index` from the path [at, at + unique]. */
  unwind(at: number, unique: number, index: number): void {
    const { d, z, o, w } = this;
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
  unwoundSum(at: number, unique: number, index: number): number {
    const w = this.w;
    const one = this.o[at + index]!;
    const zero = this.z[at + index]!;
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
      for (let i = unique - 1; i >= 0; i--)
        total += w[at + i]! * inverseZero * INVERSE[unique - i]!;
    }
    return total * (unique + 1);
  }
}
