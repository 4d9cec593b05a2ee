import type { BinMapper } from './binning.ts';
import { MISSING_BIN } from './binning.ts';
import { type Histogram, type HistogramPool, subtractHistogram } from './histogram.ts';
import type { HistogramBuilder } from './histogram-threads.ts';
import type { KernelArena } from './kernel-arena.ts';
import { type PartitionKernel, partitionKernel } from './partition-kernel.ts';
import { findBestSplit, MIN_HESSIAN, type NodeTotals, type Split } from './split.ts';

export interface GrowRules {
  maxLeafNodes: number;
  /** null: no depth limit. */
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** One node of a grown tree; `split` null on a leaf. */
export interface GrownNode {
  totals: NodeTotals;
  depth: number;
  /** Rows of the node: indices[start, end) of the grower's index array. */
  start: number;
  end: number;
  split: Split | null;
  left: GrownNode | null;
  right: GrownNode | null;
  /** -learningRate · G / (H + l2): the node's value as a leaf. */
  value: number;
}

/** The training data a grower reads: the bins and one output's gradients. */
export interface GrowData {
  /** Column-major bin codes (feature f's at f * rows): a partition reads one feature's. */
  columns: Uint8Array;
  rows: number;
  mapper: BinMapper;
  /** The output (class) this grower's trees are for: its gradients in the builder. */
  output: number;
  g: Float32Array;
  h: Float32Array;
  /** Row order of the tree's nodes (rows × 1, rewritten by every grow()). */
  indices: Uint32Array;
  /** The kernel memory that columns and indices are views of; null: the partition runs in JavaScript. */
  arena: KernelArena | null;
}

/**
 * Grows one tree best-first (leaf-wise, as LightGBM and scikit-learn): the leaf whose best split
 * gains most is split next, until maxLeafNodes leaves or no leaf can be split. For each split
 * only the smaller child's histogram is built from its rows; the larger one's is the parent's
 * minus it. Rows are partitioned in place, stably, so each leaf owns a contiguous index range.
 */
export class TreeGrower {
  readonly #data: GrowData;
  readonly #rules: GrowRules;
  readonly #pool: HistogramPool;
  readonly #builder: HistogramBuilder;
  readonly indices: Uint32Array;
  readonly #scratch: Uint32Array;
  /** The split being applied, per bin: 1 = left. */
  readonly #goesLeft: Uint8Array;
  /** The WebAssembly partition (null: the JavaScript loop below). */
  readonly #kernel: PartitionKernel | null;

  constructor(data: GrowData, rules: GrowRules, pool: HistogramPool, builder: HistogramBuilder) {
    this.#data = data;
    this.#rules = rules;
    this.#pool = pool;
    this.#builder = builder;
    this.indices = data.indices;
    const { arena, rows } = data;
    this.#kernel = arena ? partitionKernel(arena.memory) : null;
    this.#scratch = arena
      ? new Uint32Array(arena.buffer, arena.allocate(rows * 4), rows)
      : new Uint32Array(rows);
    this.#goesLeft = arena
      ? new Uint8Array(arena.buffer, arena.allocate(256), 256)
      : new Uint8Array(256);
  }

  grow(): GrownNode {
    const { rows, g, h } = this.#data;
    for (let i = 0; i < rows; i++) this.indices[i] = i;
    let sg = 0;
    let sh = 0;
    for (let i = 0; i < rows; i++) {
      sg += g[i]!;
      sh += h[i]!;
    }
    const root = this.#node({ g: sg, h: sh, count: rows }, 0, 0, rows);
    const rootHistogram = this.#pool.take();
    this.#build(rootHistogram, root, true);
    // Splittable leaves with their histograms, best gain first.
    const open: Array<{ node: GrownNode; histogram: Histogram }> = [];
    this.#consider(root, rootHistogram, open);
    let leaves = 1;
    while (open.length > 0 && leaves < this.#rules.maxLeafNodes) {
      let pick = 0;
      for (let k = 1; k < open.length; k++) {
        if (open[k]!.node.split!.gain > open[pick]!.node.split!.gain) pick = k;
      }
      const { node, histogram } = open.splice(pick, 1)[0]!;
      this.#split(node, histogram, open);
      leaves++;
    }
    // Leaves still open stay leaves.
    for (const { node, histogram } of open) {
      node.split = null;
      this.#pool.give(histogram);
    }
    return root;
  }

  #node(totals: NodeTotals, depth: number, start: number, end: number): GrownNode {
    const { l2, learningRate } = this.#rules;
    return {
      totals,
      depth,
      start,
      end,
      split: null,
      left: null,
      right: null,
      value: (-learningRate * totals.g) / (totals.h + l2 + Number.EPSILON),
    };
  }

  #build(histogram: Histogram, node: GrownNode, root: boolean): void {
    this.#builder.build(histogram, this.#data.output, root, node.start, node.end);
  }

  /** Finds the node's split; keeps it open when it can be split, else returns its histogram. */
  #consider(
    node: GrownNode,
    histogram: Histogram,
    open: Array<{ node: GrownNode; histogram: Histogram }>,
  ): void {
    const { maxDepth, minSamplesLeaf, l2 } = this.#rules;
    const { count, h } = node.totals;
    const canSplit =
      (maxDepth === null || node.depth < maxDepth) &&
      count >= 2 * minSamplesLeaf &&
      h >= 2 * MIN_HESSIAN;
    if (canSplit) {
      const split = findBestSplit(histogram, node.totals, this.#data.mapper, {
        minSamplesLeaf,
        l2,
      });
      if (split.feature >= 0) {
        node.split = split;
        open.push({ node, histogram });
        return;
      }
    }
    this.#pool.give(histogram);
  }

  #split(
    node: GrownNode,
    histogram: Histogram,
    open: Array<{ node: GrownNode; histogram: Histogram }>,
  ): void {
    const split = node.split!;
    const middle = this.#partition(node, split);
    const left = this.#node(split.left, node.depth + 1, node.start, middle);
    const right = this.#node(split.right, node.depth + 1, middle, node.end);
    node.left = left;
    node.right = right;
    const smallIsLeft = left.totals.count <= right.totals.count;
    const small = smallIsLeft ? left : right;
    const smallHistogram = this.#pool.take();
    this.#build(smallHistogram, small, false);
    const largeHistogram = histogram; // parent's, rewritten in place as parent - small
    subtractHistogram(largeHistogram, histogram, smallHistogram);
    this.#consider(left, smallIsLeft ? smallHistogram : largeHistogram, open);
    this.#consider(right, smallIsLeft ? largeHistogram : smallHistogram, open);
  }

  /**
   * Stable in-place partition of the node's rows: left rows first. Returns the boundary. Each
   * bin's side comes from a 256-entry table and both arrays are written for every row, so the
   * loop has no branch on the (unpredictable) side.
   */
  #partition(node: GrownNode, split: Split): number {
    const { columns, rows } = this.#data;
    const column = columns.subarray(split.feature * rows, (split.feature + 1) * rows);
    const indices = this.indices;
    const scratch = this.#scratch;
    const goesLeft = this.#goesLeft;
    if (split.leftBins !== null) goesLeft.set(split.leftBins);
    else {
      goesLeft.fill(1, 0, split.bin + 1);
      goesLeft.fill(0, split.bin + 1);
      goesLeft[MISSING_BIN] = split.missingLeft ? 1 : 0;
    }
    if (this.#kernel !== null) {
      return this.#kernel(
        indices.byteOffset,
        scratch.byteOffset,
        column.byteOffset,
        goesLeft.byteOffset,
        node.start,
        node.end,
      );
    }
    let l = node.start;
    let r = 0;
    for (let j = node.start; j < node.end; j++) {
      const i = indices[j]!;
      const left = goesLeft[column[i]!]!;
      // l <= j: the slot written was read already.
      indices[l] = i;
      scratch[r] = i;
      l += left;
      r += 1 - left;
    }
    indices.set(scratch.subarray(0, r), l);
    return l;
  }
}
