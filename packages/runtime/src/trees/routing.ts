import { CATEGORICAL, MISSING_LEFT, type TreeEnsemble } from './ensemble.ts';

/**
 * FORMAT.md's routing rule over an ensemble's arrays, for code that walks trees node by node
 * (explanations); TreeEngine inlines the same rule in its loop. The arrays are copied into the
 * fields of one class instance: a decoded ensemble is a plain object built by spreading, whose
 * property reads are slower than a fixed class shape's in a loop over nodes.
 */
export class TreeRouting {
  readonly feature: Int32Array;
  readonly threshold: Float32Array;
  readonly flags: Uint8Array;
  readonly bitsetOffset: Int32Array;
  readonly bitsets: Uint32Array;
  readonly value: Float64Array;
  /** Absolute index of every node's right child (-1 on leaves); the left child is the next node. */
  readonly right: Int32Array;

  constructor(e: TreeEnsemble) {
    this.feature = e.feature;
    this.threshold = e.threshold;
    this.flags = e.flags;
    this.bitsetOffset = e.bitsetOffset;
    this.bitsets = e.bitsets;
    this.value = e.value;
    this.right = absoluteRightChildren(e);
  }

  /** Whether the row at x[base, …) goes to the left child at inner node `node`. */
  goesLeft(node: number, x: Float32Array, base: number): boolean {
    const v = x[base + this.feature[node]!]!;
    const flag = this.flags[node]!;
    if (Number.isNaN(v)) return (flag & MISSING_LEFT) !== 0;
    if ((flag & CATEGORICAL) !== 0) {
      if (!(v >= 0 && v < 256)) return false;
      const code = v | 0;
      const word = this.bitsets[this.bitsetOffset[node]! + (code >>> 5)]!;
      return ((word >>> (code & 31)) & 1) === 1;
    }
    return v <= this.threshold[node]!;
  }

  /** The leaf the row reaches from `root`. */
  leafOf(root: number, x: Float32Array, base: number): number {
    let node = root;
    while (this.feature[node]! >= 0)
      node = this.goesLeft(node, x, base) ? node + 1 : this.right[node]!;
    return node;
  }
}

/** Absolute index of every node's right child (-1 on leaves): e.right is relative to its tree. */
export function absoluteRightChildren(e: TreeEnsemble): Int32Array {
  const right = new Int32Array(e.right.length);
  for (let t = 0; t < e.treeOutput.length; t++) {
    const start = e.treeStart[t]!;
    for (let i = start; i < e.treeStart[t + 1]!; i++) {
      right[i] = e.right[i]! < 0 ? -1 : start + e.right[i]!;
    }
  }
  return right;
}
