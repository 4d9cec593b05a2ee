/**
 * A gradient-boosted tree ensemble in memory: flat arrays, every tree's nodes in preorder
 * (a node's left child is the next node). FORMAT.md documents the file (trees.bin) that holds
 * it; tree-file.ts reads and writes it.
 */

/** How the summed margin becomes the model's outputs. */
export type TreeLink = 'identity' | 'logistic' | 'softmax';

export const TREE_LINKS: readonly TreeLink[] = ['identity', 'logistic', 'softmax'];

/** Node flag: a missing (NaN) value goes to the left child. */
export const MISSING_LEFT = 1;
/** Node flag: a categorical split; codes whose bit is set in the node's bitset go left. */
export const CATEGORICAL = 2;
/** 32-bit words per categorical bitset: 256 codes, more than the 254 a column may have. */
export const BITSET_WORDS = 8;

export interface TreeEnsemble {
  /** Feature values per row (the tree-encoded pipeline's width). */
  inputWidth: number;
  /** Margins per row: 1 (regression, binary) or the number of classes (softmax). */
  outputs: number;
  link: TreeLink;
  /** Starting margin of each output (mean, log-odds, log priors). */
  baseline: Float64Array;
  /** Node index where tree t starts; length trees + 1 (the last entry is the node count). */
  treeStart: Uint32Array;
  /** The output (class) tree t adds its leaf value to. */
  treeOutput: Uint32Array;
  /** Per node: the feature index it splits on; -1 on a leaf. */
  feature: Int32Array;
  /** Per numeric split: a value x goes left when x <= threshold (float32 compared as float32). */
  threshold: Float32Array;
  /** Per node: MISSING_LEFT | CATEGORICAL bits. */
  flags: Uint8Array;
  /** Per node: children, as node indices within the tree; -1 on a leaf. left = self + 1. */
  left: Int32Array;
  right: Int32Array;
  /**
   * Per node: its value, learning rate applied (on a leaf: what the tree adds to the margin;
   * inside: what the node would add as a leaf, for explanations).
   */
  value: Float64Array;
  /** Per node: training rows that reached it (cover). */
  cover: Uint32Array;
  /** Per split: the gain of the split (loss reduction, as in the learner); 0 on a leaf. */
  gain: Float32Array;
  /** Per categorical split: the word offset of its bitset in `bitsets`; -1 otherwise. */
  bitsetOffset: Int32Array;
  /** BITSET_WORDS words per categorical split; bit c of word c >> 5 set: code c goes left. */
  bitsets: Uint32Array;
  /** Name of each feature (pipeline.outputNames), for explanations and export. */
  featureNames: string[];
}

export function treeCount(ensemble: TreeEnsemble): number {
  return ensemble.treeOutput.length;
}
