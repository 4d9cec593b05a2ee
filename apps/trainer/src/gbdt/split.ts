import { BINS, type BinMapper, MISSING_BIN } from './binning.ts';
import type { Histogram } from './histogram.ts';

/** Smallest hessian sum a child may have (scikit-learn's min_hessian_to_split). */
export const MIN_HESSIAN = 1e-3;
/** Rows a category needs in a node to be ordered and placed by a categorical split. */
export const MIN_CATEGORY_SUPPORT = 10;

export interface SplitRules {
  minSamplesLeaf: number;
  l2: number;
}

export interface NodeTotals {
  g: number;
  h: number;
  count: number;
}

/** The best split of a node; `gain` is -Infinity when none is allowed. */
export interface Split {
  gain: number;
  feature: number;
  /** Numeric: value bins 0 … bin go left. */
  bin: number;
  /** Categorical: left[b] = 1 for the bins (codes, and MISSING_BIN) that go left. */
  leftBins: Uint8Array | null;
  missingLeft: boolean;
  left: NodeTotals;
  right: NodeTotals;
}

export function noSplit(): Split {
  return {
    gain: Number.NEGATIVE_INFINITY,
    feature: -1,
    bin: -1,
    leftBins: null,
    missingLeft: false,
    left: { g: 0, h: 0, count: 0 },
    right: { g: 0, h: 0, count: 0 },
  };
}

/** Keeps G / H finite on an all-zero hessian, as scikit-learn's compute_node_value does. */
const VALUE_EPSILON = 1e-15;

/** G² / (H + l2): the negative loss of a leaf at its optimal value, up to a factor 2. */
function score(g: number, h: number, l2: number): number {
  return (g * g) / (h + l2 + VALUE_EPSILON);
}

/**
 * The best split of a node over every feature (the first feature, then the first bin, wins a
 * tie), as scikit-learn's splitter: a numeric feature is scanned with missing values going right
 * (including the split "every value left, missing right") and, when training had missing values
 * in it, with missing values going left; a categorical feature keeps the categories (missing
 * values count as one) with a support of at least 10 rows' worth of hessian, orders them by
 * G / (H + 10) and scans prefixes from both ends (low-support categories always go right). Gain = G_L²/(H_L+l2) + G_R²/(H_R+l2) −
 * G²/(H+l2); a split needs gain > 0, minSamplesLeaf rows and MIN_HESSIAN on each side.
 *
 * A feature without missing values in training sends them (at serving time) to the child with
 * more training rows, the right one on a tie.
 */
export function findBestSplit(
  histogram: Histogram,
  totals: NodeTotals,
  mapper: BinMapper,
  rules: SplitRules,
): Split {
  const best = noSplit();
  const scan: NodeScan = {
    hist: histogram,
    totals,
    mapper,
    rules,
    parent: score(totals.g, totals.h, rules.l2),
    best,
  };
  for (let f = 0; f < mapper.width; f++) {
    if (mapper.categorical[f] === 1) categoricalSplit(scan, f);
    else numericSplit(scan, f);
  }
  if (best.feature >= 0 && mapper.hasMissing[best.feature] === 0) {
    best.missingLeft = best.left.count > best.right.count;
    if (best.leftBins !== null) best.leftBins[MISSING_BIN] = best.missingLeft ? 1 : 0;
  }
  return best;
}

/** One node's split search: its histogram and totals, the parent's score, the best so far. */
interface NodeScan {
  hist: Histogram;
  totals: NodeTotals;
  mapper: BinMapper;
  rules: SplitRules;
  parent: number;
  best: Split;
}

function numericSplit(scan: NodeScan, f: number): void {
  const valueBins = scan.mapper.binCount[f]!;
  const hasMissing = scan.mapper.hasMissing[f] === 1;
  // Missing values right: left = bins 0 … b (up to every value bin when some rows are missing).
  scanBins(scan, f, 0, hasMissing ? valueBins : valueBins - 1, false);
  // Missing values left: right = bins b + 1 … valueBins - 1, gathered from the top.
  if (hasMissing) scanBins(scan, f, valueBins - 1, 0, true);
}

/**
 * Gathers value bins one by one into the near side, from `from` towards `to` (exclusive),
 * and records each split that beats `best`. Upwards the near side is the left child (bins 0 … b,
 * missing values right); downwards it is the right child (bins b + 1 …, missing values left).
 */
function scanBins(scan: NodeScan, f: number, from: number, to: number, missingLeft: boolean): void {
  const { hist, totals, parent, best } = scan;
  const { minSamplesLeaf, l2 } = scan.rules;
  const step = to > from ? 1 : -1;
  const slot = f * BINS;
  const sums = hist.sums;
  let g = 0;
  let h = 0;
  let c = 0;
  for (let b = from; b !== to; b += step) {
    const at = (slot + b) * 3;
    g += sums[at]!;
    h += sums[at + 1]!;
    c += sums[at + 2]!;
    const farCount = totals.count - c;
    const farH = totals.h - h;
    if (c < minSamplesLeaf || h < MIN_HESSIAN) continue;
    if (farCount < minSamplesLeaf || farH < MIN_HESSIAN) break;
    const farG = totals.g - g;
    const gain = score(g, h, l2) + score(farG, farH, l2) - parent;
    if (gain > best.gain && gain > 0) {
      if (missingLeft) record(best, gain, f, b - 1, null, true, farG, farH, farCount, totals);
      else record(best, gain, f, b, null, false, g, h, c, totals);
    }
  }
}

function categoricalSplit(scan: NodeScan, f: number): void {
  const { hist, totals, mapper, parent, best } = scan;
  const { minSamplesLeaf, l2 } = scan.rules;
  const slot = f * BINS;
  const sums = hist.sums;
  const hg = (b: number) => sums[(slot + b) * 3]!;
  const hh = (b: number) => sums[(slot + b) * 3 + 1]!;
  const hc = (b: number) => sums[(slot + b) * 3 + 2]!;
  const candidates: number[] = [];
  // Support in hessian units scaled to rows (= rows for squared error), as scikit-learn.
  const supportFactor = totals.count / totals.h;
  const consider = (b: number) => {
    if (hh(b) * supportFactor >= MIN_CATEGORY_SUPPORT) candidates.push(b);
  };
  for (let b = 0; b < mapper.binCount[f]!; b++) consider(b);
  if (mapper.hasMissing[f] === 1) consider(MISSING_BIN);
  const used = candidates.length;
  if (used < 2) return;
  const ratio = (b: number) => hg(b) / (hh(b) + MIN_CATEGORY_SUPPORT);
  // Stable: equal ratios keep bin order, so the split is deterministic.
  candidates.sort((a, b) => ratio(a) - ratio(b) || a - b);
  let bestHere = -1;
  let bestDirection = 1;
  let bestGain = best.gain;
  let bestLeft: NodeTotals = { g: 0, h: 0, count: 0 };
  for (const direction of [1, -1]) {
    // Prefixes of at most half the categories from the left, fewer from the right: the rest
    // (and the low-support categories) form the right child.
    const middle = ((used + 1) >> 1) - (direction === 1 ? 0 : 1);
    let gl = 0;
    let hl = 0;
    let cl = 0;
    for (let i = 0; i < middle; i++) {
      const b = candidates[direction === 1 ? i : used - 1 - i]!;
      gl += hg(b);
      hl += hh(b);
      cl += hc(b);
      if (cl < minSamplesLeaf || hl < MIN_HESSIAN) continue;
      const cr = totals.count - cl;
      const hr = totals.h - hl;
      if (cr < minSamplesLeaf || hr < MIN_HESSIAN) break;
      const gain = score(gl, hl, l2) + score(totals.g - gl, hr, l2) - parent;
      if (gain > bestGain && gain > 0) {
        bestGain = gain;
        bestHere = i;
        bestDirection = direction;
        bestLeft = { g: gl, h: hl, count: cl };
      }
    }
  }
  if (bestHere < 0) return;
  const leftBins = new Uint8Array(BINS);
  for (let i = 0; i <= bestHere; i++) {
    leftBins[candidates[bestDirection === 1 ? i : used - 1 - i]!] = 1;
  }
  record(
    best,
    bestGain,
    f,
    -1,
    leftBins,
    leftBins[MISSING_BIN] === 1,
    bestLeft.g,
    bestLeft.h,
    bestLeft.count,
    totals,
  );
}

function record(
  best: Split,
  gain: number,
  feature: number,
  bin: number,
  leftBins: Uint8Array | null,
  missingLeft: boolean,
  gl: number,
  hl: number,
  cl: number,
  totals: NodeTotals,
): void {
  best.gain = gain;
  best.feature = feature;
  best.bin = bin;
  best.leftBins = leftBins;
  best.missingLeft = missingLeft;
  // In place: a scan records many improving splits, the node keeps only the last.
  const { left, right } = best;
  left.g = gl;
  left.h = hl;
  left.count = cl;
  right.g = totals.g - gl;
  right.h = totals.h - hl;
  right.count = totals.count - cl;
}
