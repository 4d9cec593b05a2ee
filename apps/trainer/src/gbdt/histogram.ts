import { BINS } from './binning.ts';

/**
 * Sums of gradients, hessians and counts per (feature, bin), packed: the three values of slot
 * s = f * 256 + bin sit at 3s, 3s + 1, 3s + 2, so an update touches one cache line.
 */
export interface Histogram {
  sums: Float64Array;
}

export function newHistogram(width: number): Histogram {
  return { sums: new Float64Array(width * BINS * 3) };
}

/** Reuses histograms: a tree needs a few at a time, each width × 256 × 24 bytes. */
export class HistogramPool {
  readonly #free: Histogram[] = [];
  constructor(readonly width: number) {}
  take(): Histogram {
    return this.#free.pop() ?? newHistogram(this.width);
  }
  give(histogram: Histogram): void {
    this.#free.push(histogram);
  }
}

/**
 * Builds the histogram of the rows indices[start, end) (all rows when `indices` is null) over the
 * column-major bins. The node's gradients are gathered first into contiguous buffers, so each
 * feature's pass reads them in order (scikit-learn's "ordered gradients").
 */
export function buildHistogram(
  out: Histogram,
  bins: Uint8Array,
  rows: number,
  width: number,
  indices: Uint32Array | null,
  start: number,
  end: number,
  g: Float32Array,
  h: Float32Array,
  orderedG: Float32Array,
  orderedH: Float32Array,
): void {
  const sums = out.sums;
  sums.fill(0);
  if (indices === null) {
    for (let f = 0; f < width; f++) {
      const column = f * rows;
      const slot = f * BINS;
      for (let i = 0; i < rows; i++) {
        const b = (slot + bins[column + i]!) * 3;
        sums[b] = sums[b]! + g[i]!;
        sums[b + 1] = sums[b + 1]! + h[i]!;
        sums[b + 2] = sums[b + 2]! + 1;
      }
    }
    return;
  }
  const n = end - start;
  for (let j = 0; j < n; j++) {
    const i = indices[start + j]!;
    orderedG[j] = g[i]!;
    orderedH[j] = h[i]!;
  }
  for (let f = 0; f < width; f++) {
    const column = f * rows;
    const slot = f * BINS;
    for (let j = 0; j < n; j++) {
      const b = (slot + bins[column + indices[start + j]!]!) * 3;
      sums[b] = sums[b]! + orderedG[j]!;
      sums[b + 1] = sums[b + 1]! + orderedH[j]!;
      sums[b + 2] = sums[b + 2]! + 1;
    }
  }
}

/** out = parent - child: the larger child's histogram without reading its rows. */
export function subtractHistogram(out: Histogram, parent: Histogram, child: Histogram): void {
  const a = parent.sums;
  const b = child.sums;
  const o = out.sums;
  for (let s = 0; s < a.length; s++) o[s] = a[s]! - b[s]!;
}
