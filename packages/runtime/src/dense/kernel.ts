/**
 * The affine step of the dense engine: for each row r and unit j,
 *   out[r][j] = bias[j] + x[r][0]·w[0][j] + x[r][1]·w[1][j] + … (in that order),
 * every product and every partial sum rounded to float32, then max(·, 0) when `relu` is set
 * (as `v < 0 ? 0 : v`). The JavaScript kernel skips zero inputs: with biases that are never -0
 * (the engine writes them so), adding a zero product leaves a float32 accumulator's bits
 * unchanged. Both kernels follow exactly this order and rounding, so they give bit-identical
 * results, whatever the batch size.
 *
 * All positions index one Float32Array heap, in floats. Weights are [inputs][units4], bias and
 * outputs padded to `units4` = units rounded up to a multiple of 4 (padding weights are 0).
 */
export interface AffineKernel {
  readonly name: 'wasm-simd' | 'js';
  /** The heap; a new view after ensure() grew it. */
  readonly heap: Float32Array;
  /** Makes the heap hold at least `floats` floats. */
  ensure(floats: number): void;
  affine(
    x: number,
    xStride: number,
    inputs: number,
    w: number,
    bias: number,
    units4: number,
    out: number,
    rows: number,
    relu: boolean,
  ): void;
}

/** The same computation in JavaScript: Math.fround makes each step an exact float32 operation. */
export class JsKernel implements AffineKernel {
  readonly name = 'js' as const;
  heap = new Float32Array(0);

  ensure(floats: number): void {
    if (this.heap.length >= floats) return;
    const grown = new Float32Array(Math.max(floats, 2 * this.heap.length));
    grown.set(this.heap);
    this.heap = grown;
  }

  affine(
    x: number,
    xStride: number,
    inputs: number,
    w: number,
    bias: number,
    units4: number,
    out: number,
    rows: number,
    relu: boolean,
  ): void {
    const h = this.heap;
    const fround = Math.fround;
    for (let r = 0; r < rows; r++) {
      const xr = x + r * xStride;
      const o = out + r * units4;
      for (let j = 0; j < units4; j++) {
        let acc = h[bias + j] as number;
        let wk = w + j;
        for (let k = 0; k < inputs; k++) {
          const xk = h[xr + k] as number;
          if (xk !== 0) acc = fround(acc + fround(xk * (h[wk] as number)));
          wk += units4;
        }
        h[o + j] = relu && acc < 0 ? 0 : acc;
      }
    }
  }
}
