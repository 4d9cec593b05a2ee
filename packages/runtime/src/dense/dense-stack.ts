import { tf } from '../tf.ts';
import { ACTIVATIONS, type ActivationName } from './activations.ts';

/** One step of a dense stack: an affine map (absent for a standalone Activation layer), then f. */
export interface DenseStep {
  inputs: number;
  units: number;
  /** inputs × units, row-major (the tfjs kernel layout), or null for an activation-only step. */
  weights: Float32Array | null;
  bias: Float32Array | null;
  activation: ActivationName;
}

export interface DenseStack {
  inputWidth: number;
  outputWidth: number;
  steps: DenseStep[];
}

/** Layers that are the identity at inference time. */
const INFERENCE_IDENTITY = new Set([
  'InputLayer',
  'Dropout',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/**
 * Reads a tf.Sequential of Dense (rank-2 input), Activation and dropout-like layers into plain
 * Float32Arrays, once. Returns the reason as a string when the model is anything else.
 */
export function extractDenseStack(model: tf.LayersModel): DenseStack | string {
  if (!(model instanceof tf.Sequential)) return `${model.getClassName()} is not a Sequential model`;
  const inputShape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || inputShape?.length !== 2 || typeof inputShape[1] !== 'number') {
    return 'the model input is not [rows, n]';
  }
  let width = inputShape[1];
  const steps: DenseStep[] = [];
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (INFERENCE_IDENTITY.has(kind)) continue;
    if (kind !== 'Dense' && kind !== 'Activation') return `layer ${layer.name} is a ${kind}`;
    const config = layer.getConfig();
    const activation = config.activation as ActivationName;
    if (!ACTIVATIONS.includes(activation)) {
      return `layer ${layer.name} has activation ${String(config.activation)}`;
    }
    if (kind === 'Activation') {
      steps.push({ inputs: width, units: width, weights: null, bias: null, activation });
      continue;
    }
    const [kernel, bias] = layer.getWeights();
    if (!kernel || kernel.shape.length !== 2 || kernel.shape[0] !== width) {
      return `layer ${layer.name} has kernel shape ${JSON.stringify(kernel?.shape)} for ${width} inputs`;
    }
    const units = kernel.shape[1] as number;
    steps.push({
      inputs: width,
      units,
      weights: Float32Array.from(kernel.dataSync()),
      bias: bias ? Float32Array.from(bias.dataSync()) : null,
      activation,
    });
    width = units;
  }
  const outputWidth = model.outputs[0]?.shape[1];
  if (steps.length === 0 || outputWidth !== width) return 'the layers do not form a dense stack';
  return { inputWidth: inputShape[1], outputWidth: width, steps };
}
