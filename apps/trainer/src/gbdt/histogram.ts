import { BINS } from './binning.ts';

/** Sums of gradients, hessians and counts per (feature, bin): slot f * 256 + bin. */
export interface Histogram {
  g: Float64Array;
  h: Float64Array;
  count: Uint32Array;
}

export function newHistogram(width: number): Histogram {
  return {
    g: new Float64Array(width * BINS),
    h: new Float64Array(width * BINS),
    count: new Uint32Array(width * BINS),
  };
}

/** Reuses histograms: a tree needs a few at a time, each width × 256 × 20 bytes. */
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
  out.g.fill(0);
  out.h.fill(0);
  out.count.fill(0);
  const hg = out.g;
  const hh = out.h;
  const hc = out.count;
  if (indices === null) {
    for (let f = 0; f < width; f++) {
      const column = f * rows;
      const slot = f * BINS;
      for (let i = 0; i < rows; i++) {
        const b = slot + bins[column + i]!;
        hg[b] = hg[b]! + g[i]!;
        hh[b] = hh[b]! + h[i]!;
        hc[b] = hc[b]! + 1;
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
      const b = slot + bins[column + indices[start + j]!]!;
      hg[b] = hg[b]! + orderedG[j]!;
      hh[b] = hh[b]! + orderedH[j]!;
      hc[b] = hc[b]! + 1;
    }
  }
}

/** out = parent - child: the larger child's histogram without reading its rows. */
export function subtractHistogram(out: Histogram, parent: Histogram, child: Histogram): void {
  const size = parent.g.length;
  for (let s = 0; s < size; s++) {
    out.g[s] = parent.g[s]! - child.g[s]!;
    out.h[s] = parent.h[s]! - child.h[s]!;
    out.count[s] = parent.count[s]! - child.count[s]!;
  }
}
