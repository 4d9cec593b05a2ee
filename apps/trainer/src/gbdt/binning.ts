import type { TreeInput } from '@tandem/features';
import { mulberry32 } from '../split/prng.ts';

/** Histogram slots per feature: 255 value bins (at most) and the missing-value bin. */
export const BINS = 256;
/** Where NaN (missing, rare or unseen category) goes, for every feature. */
export const MISSING_BIN = 255;
/** Rows the bin edges are fitted on at most (scikit-learn's subsample for binning). */
export const BINNING_SAMPLE = 200_000;

/** What binning learned from the training rows, per feature. */
export interface BinMapper {
  width: number;
  /** Value bins of each feature (codes for categorical ones): bins 0 … count - 1. */
  binCount: Int32Array;
  /** Per numeric feature, ascending float32 upper edges: x goes to the first bin b with x <= edges[b]. */
  edges: Float32Array[];
  categorical: Uint8Array;
  /** 1 when the training rows had a NaN in the feature: then both missing directions are tried. */
  hasMissing: Uint8Array;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The largest float32 below a float32 value. */
function nextDownF32(value: number): number {
  if (value === 0) return -1.401298464324817e-45;
  f32[0] = value;
  i32[0] = value > 0 ? i32[0]! - 1 : i32[0]! + 1;
  return f32[0]!;
}

/**
 * A float32 edge that splits float32 values exactly as `edge` (float64) does: v <= e32 ⟺
 * v <= edge for every float32 v. Serving compares the float32 feature with the float32 threshold,
 * so this is the threshold stored in trees.bin.
 */
export function float32Edge(edge: number): number {
  const rounded = Math.fround(edge);
  return rounded > edge ? nextDownF32(rounded) : rounded;
}

/**
 * Fits bin edges as scikit-learn's HistGradientBoosting does: on at most 200,000 rows (a seeded
 * sample), per numeric feature the midpoints between distinct values when there are at most
 * maxBins of them, else the (midpoint-method) percentiles 100·k / maxBins, k = 1 … maxBins - 1.
 * Categorical features bin by their code (codes 0 … categories - 1).
 */
export function fitBins(
  x: Float32Array,
  rows: number,
  inputs: readonly TreeInput[],
  maxBins: number,
  seed: number,
): BinMapper {
  const width = inputs.length;
  const sample = sampleRows(rows, seed);
  const binCount = new Int32Array(width);
  const edges: Float32Array[] = [];
  const categorical = new Uint8Array(width);
  const hasMissing = new Uint8Array(width);
  const values = new Float64Array(sample.length);
  for (let f = 0; f < width; f++) {
    for (let i = 0; i < rows; i++) {
      if (Number.isNaN(x[i * width + f]!)) {
        hasMissing[f] = 1;
        break;
      }
    }
    const input = inputs[f]!;
    if (input.kind === 'categorical') {
      categorical[f] = 1;
      binCount[f] = Math.max(1, input.categories);
      edges.push(new Float32Array(0));
      continue;
    }
    let present = 0;
    for (let s = 0; s < sample.length; s++) {
      const v = x[sample[s]! * width + f]!;
      if (!Number.isNaN(v)) values[present++] = v;
    }
    const sorted = values.subarray(0, present).slice().sort();
    const featureEdges = numericEdges(sorted, maxBins);
    edges.push(featureEdges);
    binCount[f] = featureEdges.length + 1;
  }
  return { width, binCount, edges, categorical, hasMissing };
}

function sampleRows(rows: number, seed: number): Uint32Array {
  const all = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) all[i] = i;
  if (rows <= BINNING_SAMPLE) return all;
  // Partial Fisher–Yates: the first BINNING_SAMPLE entries are a uniform sample.
  const random = mulberry32(seed);
  for (let i = 0; i < BINNING_SAMPLE; i++) {
    const j = i + Math.floor(random() * (rows - i));
    const held = all[i]!;
    all[i] = all[j]!;
    all[j] = held;
  }
  return all.subarray(0, BINNING_SAMPLE).sort();
}

function numericEdges(sorted: Float64Array, maxBins: number): Float32Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  }
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) edges.push((distinct[i - 1]! + distinct[i]!) / 2);
  } else {
    const n = sorted.length;
    for (let k = 1; k < maxBins; k++) {
      const position = (k / maxBins) * (n - 1);
      const low = Math.floor(position);
      const high = Math.ceil(position);
      edges.push((sorted[low]! + sorted[high]!) / 2);
    }
  }
  return Float32Array.from(edges, float32Edge);
}

/** The bin of one value: MISSING_BIN for NaN, the code for categorical, else the edge search. */
export function binOf(mapper: BinMapper, f: number, v: number): number {
  if (Number.isNaN(v)) return MISSING_BIN;
  if (mapper.categorical[f] === 1) return v | 0;
  return edgeBin(mapper.edges[f]!, v);
}

/** The first bin b with v <= edges[b] (edges.length past the last edge). */
function edgeBin(edges: Float32Array, v: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (v <= edges[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * Bins rows × width (row-major float32) into row-major uint8 codes: row i's at i * width, the
 * layout histograms read fastest (histogram.ts); into `into` when given (the kernel's memory).
 */
export function binMatrix(
  mapper: BinMapper,
  x: Float32Array,
  rows: number,
  into?: Uint8Array,
): Uint8Array {
  const cells = mapper.width * rows;
  const binned = into ?? new Uint8Array(cells);
  const width = mapper.width;
  // binOf, with the feature's kind and edges looked up once per column.
  for (let f = 0; f < width; f++) {
    const categorical = mapper.categorical[f] === 1;
    const edges = mapper.edges[f]!;
    for (let at = f; at < cells; at += width) {
      const v = x[at]!;
      if (Number.isNaN(v)) binned[at] = MISSING_BIN;
      else if (categorical) binned[at] = v | 0;
      else binned[at] = edgeBin(edges, v);
    }
  }
  return binned;
}

/** The same codes column-major (feature f's at f * rows, into `into` when given), for partitions. */
export function transposeBins(
  binned: Uint8Array,
  rows: number,
  width: number,
  into?: Uint8Array,
): Uint8Array {
  const columns = into ?? new Uint8Array(rows * width);
  for (let f = 0; f < width; f++) {
    for (let i = 0, at = f; i < rows; i++, at += width) columns[f * rows + i] = binned[at]!;
  }
  return columns;
}
