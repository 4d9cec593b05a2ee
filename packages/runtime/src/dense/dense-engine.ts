import type { ModelEngine } from '../engine.ts';
import { applyActivation } from './activations.ts';
import type { DenseStack, DenseStep } from './dense-stack.ts';

/**
 * Evaluates a dense stack with plain loops: no tensors, no backend calls, nothing allocated per
 * call once the buffers have grown. Dot products accumulate in float64 (exact float32 products,
 * double sums); every layer's outputs are rounded to float32 when stored, as tfjs stores them.
 */
export class DenseEngine implements ModelEngine {
  readonly kind = 'dense' as const;
  readonly inputWidth: number;
  readonly outputWidth: number;
  private readonly steps: readonly DenseStep[];
  private readonly widest: number;
  private front = new Float32Array(0);
  private back = new Float32Array(0);

  constructor(stack: DenseStack) {
    this.inputWidth = stack.inputWidth;
    this.outputWidth = stack.outputWidth;
    this.steps = stack.steps;
    this.widest = Math.max(...stack.steps.map((step) => step.units));
  }

  predict(features: Float32Array, rows: number): Float32Array {
    const size = rows * this.widest;
    if (this.front.length < size) {
      this.front = new Float32Array(size);
      this.back = new Float32Array(size);
    }
    let input = features;
    let output = this.front;
    for (const step of this.steps) {
      if (step.weights) {
        affine(step, input, output, rows);
      } else if (input !== output) {
        output.set(input.subarray(0, rows * step.units));
      }
      applyActivation(step.activation, output, rows, step.units);
      input = output;
      output = output === this.front ? this.back : this.front;
    }
    return input.subarray(0, rows * this.outputWidth);
  }
}

/**
 * output[r][j] = bias[j] + Σ_k weights[j][k] · input[r][k]. Four rows share each weight load,
 * which is what makes this faster than one row at a time.
 */
function affine(step: DenseStep, input: Float32Array, output: Float32Array, rows: number): void {
  const { inputs: n, units, bias } = step;
  const w = step.weights as Float32Array;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = r * n;
    const x1 = x0 + n;
    const x2 = x1 + n;
    const x3 = x2 + n;
    const o = r * units;
    for (let j = 0; j < units; j++) {
      const b = bias ? (bias[j] as number) : 0;
      let a0 = b;
      let a1 = b;
      let a2 = b;
      let a3 = b;
      const wj = j * n;
      for (let k = 0; k < n; k++) {
        const wk = w[wj + k] as number;
        a0 += wk * (input[x0 + k] as number);
        a1 += wk * (input[x1 + k] as number);
        a2 += wk * (input[x2 + k] as number);
        a3 += wk * (input[x3 + k] as number);
      }
      output[o + j] = a0;
      output[o + units + j] = a1;
      output[o + 2 * units + j] = a2;
      output[o + 3 * units + j] = a3;
    }
  }
  for (; r < rows; r++) {
    const x = r * n;
    const o = r * units;
    for (let j = 0; j < units; j++) {
      let a = bias ? (bias[j] as number) : 0;
      const wj = j * n;
      for (let k = 0; k < n; k++) a += (w[wj + k] as number) * (input[x + k] as number);
      output[o + j] = a;
    }
  }
}
