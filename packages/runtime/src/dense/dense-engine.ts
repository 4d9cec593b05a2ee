import type { ModelEngine } from '../engine.ts';
import { applyActivation } from './activations.ts';
import type { DenseStack, DenseStep } from './dense-stack.ts';
import { type AffineKernel, JsKernel } from './kernel.ts';
import { SimdKernel } from './simd-kernel.ts';

/** Rows evaluated per pass: bounds the buffers for batch scoring of millions of rows. */
const CHUNK_ROWS = 2048;

interface PlacedStep {
  step: DenseStep;
  units4: number;
  /** Heap positions (floats) of weights and bias; -1 for an activation-only step. */
  w: number;
  bias: number;
}

/**
 * Evaluates a dense stack without tensors: the weights are copied once into the kernel's heap,
 * each call copies the feature rows in, runs one affine kernel call per layer and the activations,
 * and copies the outputs out. Nothing is allocated per call once the buffers have grown.
 *
 * Arithmetic: float32 throughout, each dot product summed in input order (see AffineKernel);
 * activations are computed in float64 from float32 inputs and stored as float32. The result for a
 * row does not depend on the batch it is in, nor on which kernel runs.
 */
export class DenseEngine implements ModelEngine {
  readonly kind = 'dense' as const;
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly kernel: AffineKernel['name'];
  /** The stack it evaluates, kept so that a predictor can be rebuilt elsewhere (replica). */
  readonly stack: DenseStack;
  private readonly compute: AffineKernel;
  private readonly steps: PlacedStep[];
  private readonly weightsEnd: number;
  private readonly widest4: number;
  private output = new Float32Array(0);

  /** `kernel`: default the WebAssembly SIMD kernel where available, else the JavaScript one. */
  constructor(stack: DenseStack, options: { kernel?: AffineKernel } = {}) {
    this.stack = stack;
    this.inputWidth = stack.inputWidth;
    this.outputWidth = stack.outputWidth;
    this.compute = options.kernel ?? SimdKernel.create() ?? new JsKernel();
    this.kernel = this.compute.name;
    let position = 0;
    this.steps = stack.steps.map((step) => {
      const units4 = roundUp4(step.units);
      if (!step.weights) return { step, units4, w: -1, bias: -1 };
      const placed = { step, units4, w: position, bias: position + step.inputs * units4 };
      position = placed.bias + units4;
      return placed;
    });
    this.weightsEnd = position;
    this.widest4 = Math.max(roundUp4(stack.inputWidth), ...this.steps.map((s) => s.units4));
    this.compute.ensure(this.weightsEnd);
    const heap = this.compute.heap;
    for (const { step, units4, w, bias } of this.steps) {
      if (!step.weights) continue;
      for (let k = 0; k < step.inputs; k++) {
        heap.set(step.weights.subarray(k * step.units, (k + 1) * step.units), w + k * units4);
      }
      // A bias of -0 becomes +0: then an accumulator is never -0, adding a zero product leaves it
      // unchanged, and skipping zero inputs (per row or per pair of rows) gives the same bits.
      if (step.bias)
        for (let j = 0; j < step.units; j++) heap[bias + j] = (step.bias[j] as number) || 0;
    }
  }

  predict(features: Float32Array, rows: number): Float32Array {
    if (this.output.length < rows * this.outputWidth) {
      this.output = new Float32Array(rows * this.outputWidth);
    }
    const chunk = Math.min(rows, CHUNK_ROWS);
    const front = this.weightsEnd;
    const back = front + chunk * this.widest4;
    this.compute.ensure(back + chunk * this.widest4);
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      this.evaluate(features, start, Math.min(CHUNK_ROWS, rows - start), front, back);
    }
    return this.output.subarray(0, rows * this.outputWidth);
  }

  private evaluate(
    features: Float32Array,
    start: number,
    rows: number,
    front: number,
    back: number,
  ) {
    const n = this.inputWidth;
    let heap = this.compute.heap;
    heap.set(features.subarray(start * n, (start + rows) * n), front);
    let current = front;
    let stride = n;
    for (const { step, units4, w, bias } of this.steps) {
      if (w >= 0) {
        const next = current === front ? back : front;
        const relu = step.activation === 'relu';
        this.compute.affine(current, stride, step.inputs, w, bias, units4, next, rows, relu);
        current = next;
        stride = units4;
      }
      heap = this.compute.heap;
      if (w < 0 || step.activation !== 'relu') {
        applyActivation(step.activation, heap, current, rows, step.units, stride);
      }
    }
    // A plain loop: a subarray per row would allocate per row.
    const k = this.outputWidth;
    const output = this.output;
    for (let r = 0; r < rows; r++) {
      const from = current + r * stride;
      const to = (start + r) * k;
      for (let j = 0; j < k; j++) output[to + j] = heap[from + j] as number;
    }
  }
}

function roundUp4(n: number): number {
  return (n + 3) & ~3;
}
