import type { ActivationName, PredictorReplica } from '@tandem/runtime';
import { log1p } from './columns/arithmetic.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { ELEM } from './proto.ts';

/** The dense stack of a model, as @tandem/runtime's dense engine reads it from tfjs. */
export type DenseStack = NonNullable<PredictorReplica['stack']>;

/**
 * Adds the dense stack with the dense engine's arithmetic, so that the graph gives its bits:
 * each unit's dot product starts from the bias and adds the products in input order, every
 * product and every partial sum a float32 operation of its own (one Mul and one Add node per
 * input, never a fused multiply-add); activations run in float64 from the float32 values and are
 * rounded to float32, with the engine's formulas. A MatMul would sum in another order and round
 * differently: 1 ulp on a regression value of a few hundred is more than 1e-5. `x` is float
 * [rows, stack.inputWidth]; returns float [rows, stack.outputWidth].
 */
export function addDenseStack(g: GraphBuilder, stack: DenseStack, x: string): string {
  let h = x;
  for (const step of stack.steps) {
    if (step.weights) h = affine(g, h, step.inputs, step.units, step.weights, step.bias);
    h = activation(g, step.activation, h);
  }
  return h;
}

function affine(
  g: GraphBuilder,
  h: string,
  inputs: number,
  units: number,
  weights: Float32Array,
  bias: Float32Array | null,
): string {
  const columns = inputs === 1 ? [h] : Array.from({ length: inputs }, () => g.fresh('column'));
  if (inputs > 1)
    g.opMany('Split', [h], columns, { axis: { int: 1 }, num_outputs: { int: inputs } });
  // A bias of -0 (or none) starts from +0, as in the engine's heap.
  let sum = g.floats(
    Array.from({ length: units }, (_, j) => (bias?.[j] ?? 0) || 0),
    [1, units],
  );
  for (let k = 0; k < inputs; k++) {
    const row = g.floats(weights.subarray(k * units, (k + 1) * units), [1, units]);
    sum = g.add(sum, g.mul(columns[k] as string, row));
  }
  return sum;
}

// Keras' SELU constants, as in @tandem/runtime's dense activations.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function activation(g: GraphBuilder, name: ActivationName, h: string): string {
  switch (name) {
    case 'linear':
      return h;
    case 'relu':
      // x < 0 ? 0 : x on float32 values: exact in either precision.
      return g.op('Relu', [h]);
    case 'relu6':
      return g.op('Clip', [h, g.floats([0], []), g.floats([6], [])]);
    case 'softmax':
      return inDouble(g, h, (x) => softmax(g, x));
    default:
      return inDouble(g, h, (x) => elementwise(g, name, x));
  }
}

/** Runs f in float64 on the float32 values and rounds the result to float32 once. */
function inDouble(g: GraphBuilder, h: string, f: (x: string) => string): string {
  return g.cast(f(g.cast(h, ELEM.DOUBLE)), ELEM.FLOAT);
}

/** The dense engine's elementwise formulas (runtime src/dense/activations.ts), in float64. */
function elementwise(
  g: GraphBuilder,
  name: Exclude<ActivationName, 'linear' | 'relu' | 'relu6' | 'softmax'>,
  x: string,
): string {
  const c = (value: number) => g.scalar(value);
  const expm1 = (v: string) => g.sub(g.op('Exp', [v]), c(1));
  const sigmoid = (v: string) => g.div(c(1), g.add(c(1), g.op('Exp', [g.op('Neg', [v])])));
  // log(1 + e^x) without overflow for large x.
  const softplus = (v: string) =>
    g.where(
      g.greater(v, c(0)),
      g.add(v, log1p(g, g.op('Exp', [g.op('Neg', [v])]))),
      log1p(g, g.op('Exp', [v])),
    );
  switch (name) {
    case 'elu':
      return g.where(g.greater(x, c(0)), x, expm1(x));
    case 'selu':
      return g.mul(c(SELU_SCALE), g.where(g.greater(x, c(0)), x, g.mul(c(SELU_ALPHA), expm1(x))));
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'sigmoid':
      return sigmoid(x);
    case 'hardSigmoid':
      // Keras' piecewise-linear approximation: clip(0.2 x + 0.5, 0, 1).
      return g.op('Min', [c(1), g.op('Max', [c(0), g.add(g.mul(c(0.2), x), c(0.5))])]);
    case 'softplus':
      return softplus(x);
    case 'softsign':
      return g.div(x, g.add(c(1), g.op('Abs', [x])));
    case 'swish':
      return g.mul(x, sigmoid(x));
    case 'mish':
      return g.mul(x, g.op('Tanh', [softplus(x)]));
  }
}

/** exp(x − max) / Σ exp(x − max) over each row, in float64. */
function softmax(g: GraphBuilder, x: string): string {
  const axes = g.int64s([1]);
  const max = g.op('ReduceMax', [x, axes], { keepdims: { int: 1 } });
  const e = g.op('Exp', [g.sub(x, max)]);
  return g.div(e, g.op('ReduceSum', [e, axes], { keepdims: { int: 1 } }));
}
