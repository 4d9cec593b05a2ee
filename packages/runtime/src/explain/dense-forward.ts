import { type ActivationName, ELEMENTWISE } from '../dense/activations.ts';
import type { DenseStack, DenseStep } from '../dense/dense-stack.ts';

/** How a dense stack's last activation turns margins into outputs. */
export type DenseLink = 'identity' | 'logistic' | 'softmax';

/**
 * A dense stack evaluated in float64 up to its margins: the last sigmoid or softmax (the link) is
 * left out, so a binary model gives its log-odds and a multiclass model its logits. The first step
 * must be affine: explanations move its pre-activation incrementally (see DenseShapley).
 */
export class DenseForward {
  readonly inputWidth: number;
  readonly outputs: number;
  readonly link: DenseLink;
  /** Units of the first affine step. */
  readonly hidden: number;
  readonly first: DenseStep & { weights: Float32Array };
  readonly #steps: Array<{
    step: DenseStep;
    activation: ActivationName;
    /** units × inputs (the kernel transposed), so that each unit is one dot product. */
    transposed: Float64Array | null;
  }>;
  readonly #buffers: [Float64Array, Float64Array];
  /** Positions of the non-zero inputs of a step (relu leaves many zeros). */
  readonly #active: Int32Array;

  constructor(stack: DenseStack) {
    const first = stack.steps[0];
    if (!first?.weights) throw new Error('the first layer of the model is not dense');
    this.first = first as DenseStep & { weights: Float32Array };
    this.inputWidth = stack.inputWidth;
    this.outputs = stack.outputWidth;
    this.hidden = first.units;
    const last = stack.steps[stack.steps.length - 1]!;
    this.link =
      last.activation === 'sigmoid'
        ? 'logistic'
        : last.activation === 'softmax'
          ? 'softmax'
          : 'identity';
    this.#steps = stack.steps.map((step, i) => ({
      step,
      activation:
        i === stack.steps.length - 1 && this.link !== 'identity' ? 'linear' : step.activation,
      transposed: i > 0 && step.weights ? transpose(step.weights, step.inputs, step.units) : null,
    }));
    const widest = Math.max(stack.inputWidth, ...stack.steps.map((s) => s.units));
    this.#buffers = [new Float64Array(widest), new Float64Array(widest)];
    this.#active = new Int32Array(widest);
  }

  /** Whether the model is one affine map followed by its link: linear or logistic regression. */
  get isLinear(): boolean {
    return this.#steps.every((s, i) => s.activation === 'linear' && (i === 0 || !s.step.weights));
  }

  /** The first step's pre-activation for an encoded row: bias + Wᵀx. */
  firstPreActivation(x: ArrayLike<number>, base: number, out: Float64Array): void {
    const { weights, bias, inputs, units } = this.first;
    for (let j = 0; j < units; j++) out[j] = bias ? bias[j]! : 0;
    for (let k = 0; k < inputs; k++) {
      const v = x[base + k]!;
      if (v === 0) continue;
      const row = k * units;
      for (let j = 0; j < units; j++) out[j] = out[j]! + weights[row + j]! * v;
    }
  }

  /** Margins from the first step's pre-activation `h` (not modified) into out[at, at + outputs). */
  marginsFrom(h: Float64Array, out: Float64Array, at: number): void {
    const steps = this.#steps;
    let current = this.#buffers[0];
    let other = this.#buffers[1];
    let width = this.hidden;
    activate(steps[0]!.activation, h, current, width);
    for (let s = 1; s < steps.length; s++) {
      const { step, activation, transposed } = steps[s]!;
      if (transposed) {
        const { bias, units } = step;
        const active = this.#active;
        let count = 0;
        for (let k = 0; k < width; k++) if (current[k] !== 0) active[count++] = k;
        for (let j = 0; j < units; j++) {
          let sum = bias ? bias[j]! : 0;
          const row = j * width;
          for (let t = 0; t < count; t++) {
            const k = active[t]!;
            sum += transposed[row + k]! * current[k]!;
          }
          other[j] = sum;
        }
        width = units;
        activate(activation, other, other, width);
        [current, other] = [other, current];
      } else {
        activate(activation, current, current, width);
      }
    }
    for (let j = 0; j < this.outputs; j++) out[at + j] = current[j]!;
  }
}

function transpose(weights: Float32Array, inputs: number, units: number): Float64Array {
  const out = new Float64Array(inputs * units);
  for (let k = 0; k < inputs; k++) {
    for (let j = 0; j < units; j++) out[j * inputs + k] = weights[k * units + j]!;
  }
  return out;
}

function activate(name: ActivationName, from: Float64Array, to: Float64Array, width: number): void {
  if (name === 'softmax') {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < width; j++) max = Math.max(max, from[j]!);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += Math.exp(from[j]! - max);
    for (let j = 0; j < width; j++) to[j] = Math.exp(from[j]! - max) / sum;
    return;
  }
  if (name === 'relu') {
    for (let j = 0; j < width; j++) {
      const v = from[j]!;
      to[j] = v < 0 ? 0 : v;
    }
    return;
  }
  if (name === 'linear') {
    for (let j = 0; j < width; j++) to[j] = from[j]!;
    return;
  }
  const f = ELEMENTWISE[name];
  for (let j = 0; j < width; j++) to[j] = f(from[j]!);
}
