import { availableParallelism } from 'node:os';
import type { TreeInput } from '@tandem/features';
import { BITSET_WORDS, CATEGORICAL, MISSING_LEFT, type TreeEnsemble } from '@tandem/runtime';
import type { GbdtModelConfig } from '../config/types.ts';
import { TrainerError } from '../errors.ts';
import { BINS, type BinMapper, binMatrix, fitBins, MISSING_BIN, transposeBins } from './binning.ts';
import { type GrownNode, type GrowRules, TreeGrower } from './grow.ts';
import { FEATURE_STRIDE, HistogramPool } from './histogram.ts';
import { histogramBuilder, MIN_THREADED_ROWS } from './histogram-threads.ts';
import { KernelArena } from './kernel-arena.ts';
import {
  baselineMargins,
  type GbdtLoss,
  LINK_OF,
  LOSS_CODE,
  meanLoss,
  meanOfTerms,
} from './losses.ts';

/**
 * The learner's settings: the config's `model` block (defaults filled in), early stopping
 * decided (on or off) and the binning sample's seed.
 */
export type BoostSettings = Omit<GbdtModelConfig, 'type' | 'earlyStopping' | 'refit'> & {
  /** Stop when the validation loss has not improved by more than tol in nIterNoChange iterations. */
  earlyStopping: boolean;
  seed: number;
  /** Threads that build histograms (default: the machine's cores); the trees do not depend on it. */
  threads?: number;
  /** Node rows from which the threads share a histogram (default MIN_THREADED_ROWS). */
  minThreadedRows?: number;
  /** performance.now() past which no further iteration starts (at least one runs). */
  deadline?: number;
};

/** Features (tree-encoded, rows × width row-major) and targets of one part. */
export interface BoostPart {
  x: Float32Array;
  rows: number;
  /** Regression: the target; classification: the class index. */
  y: Float64Array;
}

export interface IterationReport {
  iteration: number;
  maxIter: number;
  trainLoss: number;
  /** NaN without a validation part. */
  validationLoss: number;
  bestValidationLoss: number;
  elapsedMs: number;
}

export interface BoostResult {
  ensemble: TreeEnsemble;
  /** Iterations trained, and the number kept (the best validation loss; all without one). */
  iterations: number;
  bestIteration: number;
  stoppedEarly: boolean;
  /** Stopped at settings.deadline (a time budget) before early stopping or maxIter. */
  stoppedByDeadline: boolean;
  trainLoss: number[];
  validationLoss: number[];
}

interface FlatTrees {
  feature: number[];
  threshold: number[];
  flags: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
  gain: number[];
  bitsetOffset: number[];
  bitsets: number[];
  treeStart: number[];
  treeOutput: number[];
}

/**
 * Histogram gradient boosting (scikit-learn's HistGradientBoosting, LightGBM's leaf-wise growth):
 * bins fitted on the training part, then per iteration the loss gradients, one tree per output
 * (class) grown best-first on them, its leaf values added to the margins. Early stopping follows
 * scikit-learn's rule on the validation loss (the baseline counts as iteration 0) and the ensemble
 * keeps the iterations up to the best validation loss. Deterministic: no randomness but the
 * seeded binning sample, and every sum runs in a fixed order.
 */
export function boost(
  loss: GbdtLoss,
  outputs: number,
  inputs: readonly TreeInput[],
  train: BoostPart,
  validation: BoostPart | null,
  settings: BoostSettings,
  onIteration?: (report: IterationReport) => void,
): BoostResult {
  const started = performance.now();
  const width = inputs.length;
  const n = train.rows;
  const mapper = fitBins(train.x, n, inputs, settings.maxBins, settings.seed);
  const minThreadedRows = settings.minThreadedRows ?? MIN_THREADED_ROWS;
  // Worker threads only when a node can be large enough to share (each costs ~30 ms to start).
  const threads = n >= minThreadedRows ? (settings.threads ?? availableParallelism()) : 1;
  const k = outputs;
  // Bins, gradients, row orders and histograms in the WebAssembly kernel's memory (null: none).
  const histogramBytes = width * FEATURE_STRIDE * 8;
  const arena = KernelArena.create(
    2 * n * width + 20 * n * k + 16 * n + (settings.maxLeafNodes + 2) * histogramBytes + 4096,
  );
  const bins = binMatrix(
    mapper,
    train.x,
    n,
    arena ? arenaView(arena, Uint8Array, n * width) : undefined,
  );
  const columns = transposeBins(
    bins,
    n,
    width,
    arena ? arenaView(arena, Uint8Array, n * width) : undefined,
  );
  const validationBins = validation ? binMatrix(mapper, validation.x, validation.rows) : null;
  const baseline = baselineMargins(loss, train.y, outputs);
  const margins = arena ? arenaView(arena, Float64Array, n * k) : new Float64Array(n * k);
  const y = arena ? arenaView(arena, Float64Array, n) : new Float64Array(n);
  y.set(train.y);
  const terms = arena ? arenaView(arena, Float64Array, n) : new Float64Array(n);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) margins[i * k + c] = baseline[c]!;
  const vRows = validation?.rows ?? 0;
  const vMargins = new Float64Array(vRows * k);
  for (let i = 0; i < vRows; i++) for (let c = 0; c < k; c++) vMargins[i * k + c] = baseline[c]!;

  const g = arena ? arenaView(arena, Float32Array, n * k) : new Float32Array(n * k);
  const h = arena ? arenaView(arena, Float32Array, n * k) : new Float32Array(n * k);
  const indices = arena ? arenaView(arena, Uint32Array, n * k) : new Uint32Array(n * k);
  const pool = new HistogramPool(width, arena);
  const leafOf = settings.maxLeafNodes <= 256 ? new Uint8Array(n) : new Uint16Array(n);
  const rules: GrowRules = {
    maxLeafNodes: settings.maxLeafNodes,
    maxDepth: settings.maxDepth,
    minSamplesLeaf: settings.minSamplesLeaf,
    l2: settings.l2,
    learningRate: settings.learningRate,
  };
  const flat: FlatTrees = {
    feature: [],
    threshold: [],
    flags: [],
    left: [],
    right: [],
    value: [],
    cover: [],
    gain: [],
    bitsetOffset: [],
    bitsets: [],
    treeStart: [],
    treeOutput: [],
  };
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  const useValidation = validation !== null && vRows > 0;
  const stopEarly = settings.earlyStopping && useValidation;
  // Losses after 0, 1, … iterations (index 0: the baseline), as scikit-learn's scorer keeps them.
  const scores: number[] = useValidation ? [meanLoss(loss, validation.y, vMargins, k)] : [];
  let best = { iteration: 0, loss: scores[0] ?? Number.NaN };
  let stoppedEarly = false;
  let stoppedByDeadline = false;
  let iterations = 0;
  const builder = histogramBuilder(
    {
      bins,
      rows: n,
      width,
      g,
      h,
      indices,
      arena,
      gradients: { code: LOSS_CODE[loss], outputs: k, y, margins, terms },
    },
    threads,
    minThreadedRows,
  );
  // One grower per output, each reading its class's slice of the gradients.
  const growers = Array.from(
    { length: k },
    (_, c) =>
      new TreeGrower(
        {
          columns,
          rows: n,
          mapper,
          output: c,
          g: g.subarray(c * n, (c + 1) * n),
          h: h.subarray(c * n, (c + 1) * n),
          indices: indices.subarray(c * n, (c + 1) * n),
          arena,
        },
        rules,
        pool,
        builder,
      ),
  );

  try {
    // Each pass gives the gradients of the next iteration and the loss of the last one.
    builder.gradients();
    for (let iteration = 1; iteration <= settings.maxIter; iteration++) {
      for (let c = 0; c < k; c++) {
        const grower = growers[c]!;
        const root = grower.grow();
        appendTree(flat, root, mapper, c);
        addLeaves(root, grower.indices, margins, k, c, leafOf);
        if (validationBins) addPredictions(root, validationBins, vRows, width, vMargins, k, c);
      }
      iterations = iteration;
      for (let i = flat.value.length - 1; i >= 0 && flat.treeStart.length > 0; i--) {
        if (i < flat.treeStart[flat.treeStart.length - k]!) break;
        if (!Number.isFinite(flat.value[i]!)) {
          throw new TrainerError(
            'TANDEM_TRAINING_FAILED',
            `gradient boosting diverged at iteration ${iteration}: a leaf value is ${flat.value[i]}`,
          );
        }
      }
      // Recorded for the report's learning curve, from the pass that computes the next gradients.
      builder.gradients();
      const currentTrainLoss = meanOfTerms(loss, terms);
      trainLoss.push(currentTrainLoss);
      if (useValidation) {
        const current = meanLoss(loss, validation.y, vMargins, k);
        validationLoss.push(current);
        scores.push(current);
        if (current < best.loss) best = { iteration, loss: current };
      }
      onIteration?.({
        iteration,
        maxIter: settings.maxIter,
        trainLoss: currentTrainLoss,
        validationLoss: useValidation ? validationLoss[validationLoss.length - 1]! : Number.NaN,
        bestValidationLoss: best.loss,
        elapsedMs: performance.now() - started,
      });
      if (stopEarly && shouldStop(scores, settings.nIterNoChange, settings.tol)) {
        stoppedEarly = true;
        break;
      }
      const { deadline } = settings;
      if (deadline !== undefined && iteration < settings.maxIter && performance.now() >= deadline) {
        stoppedByDeadline = true;
        break;
      }
    }
  } finally {
    builder.close();
  }
  const kept = useValidation ? Math.max(best.iteration, 0) : iterations;
  const ensemble = toEnsemble(flat, kept * k, {
    inputWidth: width,
    outputs: k,
    loss,
    baseline,
    names: inputs.map((input) => input.name),
  });
  return {
    ensemble,
    iterations,
    bestIteration: kept,
    stoppedEarly,
    stoppedByDeadline,
    trainLoss,
    validationLoss,
  };
}

type ArrayOf<T> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T;

/** `length` elements of a new typed array in the kernel's memory. */
function arenaView<T extends { BYTES_PER_ELEMENT: number }>(
  arena: KernelArena,
  type: ArrayOf<T> & { BYTES_PER_ELEMENT: number },
  length: number,
): T {
  const at = arena.allocate(length * type.BYTES_PER_ELEMENT);
  return new type(arena.buffer, at, length);
}

/**
 * scikit-learn's rule: stop when none of the last n scores is lower than the score n + 1
 * iterations back by more than tol.
 */
export function shouldStop(scores: readonly number[], n: number, tol: number): boolean {
  if (scores.length <= n) return false;
  const reference = scores[scores.length - n - 1]!;
  for (let i = scores.length - n; i < scores.length; i++) {
    if (scores[i]! < reference - tol) return false;
  }
  return true;
}

/**
 * Adds each leaf's value to the margins of the training rows it holds. A leaf's rows are spread
 * over the whole margin array (a cache line per row), so the rows first get their leaf's number
 * in `leafOf` (a byte or two per row, in cache), then one sequential pass adds the values.
 */
function addLeaves(
  root: GrownNode,
  indices: Uint32Array,
  margins: Float64Array,
  k: number,
  c: number,
  leafOf: Uint8Array | Uint16Array,
): void {
  const values: number[] = [];
  const visit = (node: GrownNode): void => {
    if (node.left === null || node.right === null) {
      const leaf = values.length;
      values.push(node.value);
      for (let j = node.start; j < node.end; j++) leafOf[indices[j]!] = leaf;
      return;
    }
    visit(node.left);
    visit(node.right);
  };
  visit(root);
  const n = leafOf.length;
  for (let i = 0, at = c; i < n; i++, at += k) margins[at] = margins[at]! + values[leafOf[i]!]!;
}

/** Adds the tree's prediction to the margins of binned rows (the validation part). */
function addPredictions(
  root: GrownNode,
  bins: Uint8Array,
  rows: number,
  width: number,
  margins: Float64Array,
  k: number,
  c: number,
): void {
  for (let i = 0; i < rows; i++) {
    let node = root;
    while (node.left !== null && node.right !== null) {
      const split = node.split!;
      const b = bins[i * width + split.feature]!;
      const goLeft =
        split.leftBins !== null
          ? split.leftBins[b] === 1
          : b === MISSING_BIN
            ? split.missingLeft
            : b <= split.bin;
      node = goLeft ? node.left : node.right;
    }
    const at = i * k + c;
    margins[at] = margins[at]! + node.value;
  }
}

/** Appends one grown tree to the flat arrays, in preorder (children indices within the tree). */
function appendTree(flat: FlatTrees, root: GrownNode, mapper: BinMapper, output: number): void {
  const start = flat.feature.length;
  flat.treeStart.push(start);
  flat.treeOutput.push(output);
  const visit = (node: GrownNode): number => {
    const i = flat.feature.length;
    const isLeaf = node.left === null || node.right === null;
    const split = node.split;
    flat.value.push(node.value);
    flat.cover.push(node.totals.count);
    if (isLeaf || split === null) {
      flat.feature.push(-1);
      flat.threshold.push(0);
      flat.flags.push(0);
      flat.left.push(-1);
      flat.right.push(-1);
      flat.gain.push(0);
      flat.bitsetOffset.push(-1);
      return i - start;
    }
    flat.feature.push(split.feature);
    flat.gain.push(split.gain);
    flat.left.push(-1);
    flat.right.push(-1);
    let flags = split.missingLeft ? MISSING_LEFT : 0;
    if (split.leftBins !== null) {
      flags |= CATEGORICAL;
      flat.threshold.push(0);
      flat.bitsetOffset.push(flat.bitsets.length);
      const words = new Array<number>(BITSET_WORDS).fill(0);
      for (let b = 0; b < BINS - 1; b++) {
        if (split.leftBins[b] === 1) words[b >>> 5] = (words[b >>> 5]! | (1 << (b & 31))) >>> 0;
      }
      flat.bitsets.push(...words);
    } else {
      const edges = mapper.edges[split.feature]!;
      // bin b is the last left bin; when it is the last value bin, every value goes left.
      flat.threshold.push(split.bin < edges.length ? edges[split.bin]! : Number.POSITIVE_INFINITY);
      flat.bitsetOffset.push(-1);
    }
    flat.flags.push(flags);
    flat.left[i] = visit(node.left!);
    flat.right[i] = visit(node.right!);
    return i - start;
  };
  visit(root);
}

function toEnsemble(
  flat: FlatTrees,
  trees: number,
  meta: {
    inputWidth: number;
    outputs: number;
    loss: GbdtLoss;
    baseline: Float64Array;
    names: string[];
  },
): TreeEnsemble {
  const nodes = trees < flat.treeStart.length ? flat.treeStart[trees]! : flat.feature.length;
  const bitsetWords = firstBitsetAtOrAfter(flat, nodes);
  return {
    inputWidth: meta.inputWidth,
    outputs: meta.outputs,
    link: LINK_OF[meta.loss],
    baseline: meta.baseline,
    treeStart: Uint32Array.from([...flat.treeStart.slice(0, trees), nodes]),
    treeOutput: Uint32Array.from(flat.treeOutput.slice(0, trees)),
    feature: Int32Array.from(flat.feature.slice(0, nodes)),
    threshold: Float32Array.from(flat.threshold.slice(0, nodes)),
    flags: Uint8Array.from(flat.flags.slice(0, nodes)),
    left: Int32Array.from(flat.left.slice(0, nodes)),
    right: Int32Array.from(flat.right.slice(0, nodes)),
    value: Float64Array.from(flat.value.slice(0, nodes)),
    cover: Uint32Array.from(flat.cover.slice(0, nodes)),
    gain: Float32Array.from(flat.gain.slice(0, nodes)),
    bitsetOffset: Int32Array.from(flat.bitsetOffset.slice(0, nodes)),
    bitsets: Uint32Array.from(flat.bitsets.slice(0, bitsetWords)),
    featureNames: meta.names,
  };
}

/** Bitset words used by the first `nodes` nodes (bitsets are appended in node order). */
function firstBitsetAtOrAfter(flat: FlatTrees, nodes: number): number {
  for (let i = nodes; i < flat.bitsetOffset.length; i++) {
    if (flat.bitsetOffset[i]! >= 0) return flat.bitsetOffset[i]!;
  }
  return flat.bitsets.length;
}
