import type { ModelEngine } from '../engine.ts';
import { type CompiledGroup, compileTrees } from './compiled-trees.ts';
import { MISSING_LEFT, type TreeEnsemble } from './ensemble.ts';
import { absoluteRightChildren } from './routing.ts';
import { SimdTrees } from './simd-trees.ts';

/**
 * Batches below this many rows take the compiled traversal even where SIMD runs: both give the
 * same bits, and SIMD's fixed cost per call (filling a transposed block, one call per group of
 * trees) made 1 and 2 rows 2-4x slower per row on credit rows (10-12 µs against 3-4), while from
 * 16 rows on it is the faster one (1.0-2.0 µs against 1.8-2.2).
 */
const SIMD_MIN_ROWS = 16;

/**
 * How the engine walks the trees: `simd`, 4 rows at a time in WebAssembly SIMD without branches
 * (simd-trees.ts), for trees of at most 32 leaves; `compiled`, the ensemble generated as
 * JavaScript at load (compiled-trees.ts); `loop`, one loop over the flat arrays, where code
 * generation is refused or the ensemble is too large to compile. All give the same bits.
 */
export type TreeTraversal = 'simd' | 'compiled' | 'loop';

export interface TreeEngineOptions {
  /**
   * Forces that traversal at every batch size (`simd` falls back to compiled, `compiled` to the
   * loop, where it cannot run). By default the engine takes the first of simd, compiled and loop
   * that can run here, and batches under SIMD_MIN_ROWS rows take the compiled code.
   */
  traversal?: TreeTraversal;
}

/** Rows evaluated together, tree by tree: one tree's nodes stay in cache over the block. */
const BLOCK_ROWS = 256;

/**
 * Evaluates a tree ensemble on feature rows (the tree-encoded pipeline's output). Per node: a
 * NaN goes where the node's MISSING_LEFT flag says; a categorical split sends code c left when
 * bit c of its bitset is set (a code outside the bitset goes right); a numeric split sends
 * x <= threshold left, comparing float32 with float32, exactly as the learner binned them.
 * Margins are summed in float64 in tree order, from the baseline: the same row gives the same
 * bits whatever batch it is in.
 */
export class TreeEngine implements ModelEngine {
  readonly kind = 'trees' as const;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly ensemble: TreeEnsemble;
  readonly #root: Int32Array;
  readonly #treeOutput: Uint32Array;
  /** Absolute index of each node's right child (the left one is the next node). */
  readonly #right: Int32Array;
  readonly #feature: Int32Array;
  readonly #threshold: Float32Array;
  readonly #flags: Uint8Array;
  readonly #value: Float64Array;
  readonly #bitsetOffset: Int32Array;
  readonly #bitsets: Uint32Array;
  readonly #compiled: CompiledGroup[] | null;
  readonly #simd: SimdTrees | null;
  /**
   * What runs: the first of simd, compiled and loop that can run here, unless one was asked for
   * (with simd, batches under SIMD_MIN_ROWS rows take the compiled code where it exists).
   */
  readonly traversal: TreeTraversal;
  #margins = new Float64Array(0);
  #outputs = new Float32Array(0);

  /** The ensemble must have passed checkEnsemble (decodeTreeFile does it). */
  constructor(ensemble: TreeEnsemble, options: TreeEngineOptions = {}) {
    this.ensemble = ensemble;
    this.inputWidth = ensemble.inputWidth;
    this.outputWidth = ensemble.outputs;
    const trees = ensemble.treeOutput.length;
    this.#root = new Int32Array(trees);
    this.#right = absoluteRightChildren(ensemble);
    for (let t = 0; t < trees; t++) this.#root[t] = ensemble.treeStart[t]!;
    this.#treeOutput = ensemble.treeOutput;
    this.#feature = ensemble.feature;
    this.#threshold = ensemble.threshold;
    this.#flags = ensemble.flags;
    this.#value = ensemble.value;
    this.#bitsetOffset = ensemble.bitsetOffset;
    this.#bitsets = ensemble.bitsets;
    const wanted = options.traversal ?? 'simd';
    this.#simd = wanted === 'simd' ? SimdTrees.create(ensemble) : null;
    // By default compiled too, beside SIMD: small batches (a 1-row request) run it.
    const simdOnly = options.traversal === 'simd' && this.#simd !== null;
    this.#compiled = wanted === 'loop' || simdOnly ? null : compileTrees(ensemble);
    this.traversal = this.#simd ? 'simd' : this.#compiled ? 'compiled' : 'loop';
  }

  /** Model outputs: the value (identity), p(classes[1]) (logistic) or class probabilities. */
  predict(features: Float32Array, rows: number): Float32Array {
    const margins = this.predictMargins(features, rows);
    const k = this.outputWidth;
    if (this.#outputs.length < rows * k) this.#outputs = new Float32Array(rows * k);
    const out = this.#outputs.subarray(0, rows * k);
    switch (this.ensemble.link) {
      case 'identity':
        for (let i = 0; i < rows; i++) out[i] = margins[i]!;
        break;
      case 'logistic':
        for (let i = 0; i < rows; i++) out[i] = 1 / (1 + Math.exp(-margins[i]!));
        break;
      case 'softmax':
        for (let i = 0; i < rows; i++) softmaxInto(margins, i * k, k, out);
        break;
    }
    return out;
  }

  /**
   * Raw margins (rows × outputs, float64): baseline plus the leaf values, before the link. The
   * result is a buffer the engine reuses: read it before the next call.
   */
  predictMargins(features: Float32Array, rows: number): Float64Array {
    const k = this.outputWidth;
    if (this.#margins.length < rows * k) this.#margins = new Float64Array(rows * k);
    const margins = this.#margins.subarray(0, rows * k);
    const baseline = this.ensemble.baseline;
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < k; c++) margins[i * k + c] = baseline[c]!;
    }
    const compiled = this.#compiled;
    if (this.#simd && (rows >= SIMD_MIN_ROWS || !compiled)) {
      this.#simd.addLeaves(features, this.inputWidth, rows, margins);
      return margins;
    }
    if (compiled) {
      const width = this.inputWidth;
      for (let start = 0; start < rows; start += BLOCK_ROWS) {
        const end = Math.min(rows, start + BLOCK_ROWS);
        for (let g = 0; g < compiled.length; g++)
          compiled[g]!(features, width, start, end, margins);
      }
      return margins;
    }
    evaluateTrees(
      features,
      rows,
      this.inputWidth,
      k,
      this.#root,
      this.#treeOutput,
      this.#feature,
      this.#threshold,
      this.#flags,
      this.#right,
      this.#value,
      this.#bitsetOffset,
      this.#bitsets,
      margins,
    );
    return margins;
  }
}

/**
 * The traversal as one plain function over typed arrays (no property or method lookups in the
 * inner loop): block by block, tree by tree, row by row, each leaf value added to its margin.
 */
function evaluateTrees(
  x: Float32Array,
  rows: number,
  width: number,
  k: number,
  roots: Int32Array,
  treeOutput: Uint32Array,
  feature: Int32Array,
  threshold: Float32Array,
  flags: Uint8Array,
  right: Int32Array,
  value: Float64Array,
  bitsetOffset: Int32Array,
  bitsets: Uint32Array,
  margins: Float64Array,
): void {
  const trees = roots.length;
  for (let start = 0; start < rows; start += BLOCK_ROWS) {
    const end = Math.min(rows, start + BLOCK_ROWS);
    for (let t = 0; t < trees; t++) {
      const root = roots[t]!;
      const output = treeOutput[t]!;
      for (let i = start; i < end; i++) {
        const base = i * width;
        let node = root;
        let f = feature[node]!;
        while (f >= 0) {
          const v = x[base + f]!;
          const flag = flags[node]!;
          let left: boolean;
          if (flag === 0) {
            // Numeric, missing right: NaN <= t is false.
            left = v <= threshold[node]!;
          } else if (flag === MISSING_LEFT) {
            // Numeric, missing left: !(NaN > t) is true.
            left = !(v > threshold[node]!);
          } else if (Number.isNaN(v)) {
            left = (flag & MISSING_LEFT) !== 0;
          } else {
            const code = v | 0;
            left =
              v >= 0 &&
              v < 256 &&
              ((bitsets[bitsetOffset[node]! + (code >>> 5)]! >>> (code & 31)) & 1) === 1;
          }
          node = left ? node + 1 : right[node]!;
          f = feature[node]!;
        }
        const at = i * k + output;
        margins[at] = margins[at]! + value[node]!;
      }
    }
  }
}

/** Softmax of margins[at, at + k) into out[at, …), from float64, max subtracted first. */
function softmaxInto(margins: Float64Array, at: number, k: number, out: Float32Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) if (margins[at + c]! > max) max = margins[at + c]!;
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(margins[at + c]! - max);
  for (let c = 0; c < k; c++) out[at + c] = Math.exp(margins[at + c]! - max) / sum;
}
