import type { ActivationName, PredictorReplica } from '@tandem/runtime';
import type { GraphBuilder } from './graph-builder.ts';

/** The dense stack of a model, as @tandem/runtime's dense engine reads it from tfjs. */
export type DenseStack = NonNullable<PredictorReplica['stack']>;

/**
 * Adds the dense stack: Gemm (or MatMul without a bias) per Dense layer, float32 weights as
 * stored, then the layer's activation with ONNX's operator of the same definition. `x` is
 * float [rows, stack.inputWidth]; returns float [rows, stack.outputWidth].
 */
export function addDenseStack(g: GraphBuilder, stack: DenseStack, x: string): string {
  let h = x;
  for (const step of stack.steps) {
    if (step.weights) {
      const weights = g.floats(step.weights, [step.inputs, step.units]);
      h = step.bias
        ? g.op('Gemm', [h, weights, g.floats(step.bias, [step.units])])
        : g.op('MatMul', [h, weights]);
    }
    h = activation(g, step.activation, h);
  }
  return h;
}

// Keras' SELU constants, as in @tandem/runtime's dense activations.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function activation(g: GraphBuilder, name: ActivationName, h: string): string {
  switch (name) {
    case 'linear':
      return h;
    case 'relu':
      return g.op('Relu', [h]);
    case 'relu6':
      return g.op('Clip', [h, g.floats([0], []), g.floats([6], [])]);
    case 'elu':
      return g.op('Elu', [h], { alpha: { float: 1 } });
    case 'selu':
      return g.op('Selu', [h], { alpha: { float: SELU_ALPHA }, gamma: { float: SELU_SCALE } });
    case 'tanh':
      return g.op('Tanh', [h]);
    case 'sigmoid':
      return g.op('Sigmoid', [h]);
    case 'hardSigmoid':
      // Keras' piecewise-linear approximation: clip(0.2 x + 0.5, 0, 1).
      return g.op('HardSigmoid', [h], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'softplus':
      return g.op('Softplus', [h]);
    case 'softsign':
      return g.op('Softsign', [h]);
    case 'swish':
      return g.mul(h, g.op('Sigmoid', [h]));
    case 'mish':
      return g.mul(h, g.op('Tanh', [g.op('Softplus', [h])]));
    case 'softmax':
      return g.op('Softmax', [h], { axis: { int: -1 } });
  }
}
