/**
 * Activations of the dense engine. Inputs are float32 values; each result is computed in float64
 * and rounded to float32 when stored.
 */
export type ActivationName =
  | 'linear'
  | 'relu'
  | 'relu6'
  | 'elu'
  | 'selu'
  | 'tanh'
  | 'sigmoid'
  | 'hardSigmoid'
  | 'softplus'
  | 'softsign'
  | 'swish'
  | 'mish'
  | 'softmax';

export const ACTIVATIONS: readonly ActivationName[] = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'hardSigmoid',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'softmax',
];

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** log(1 + e^x) without overflow for large x. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

type Elementwise = (x: number) => number;

/** The element-wise activations on one number (float64): the engine's, and the explanations'. */
export const ELEMENTWISE: Record<Exclude<ActivationName, 'linear' | 'softmax'>, Elementwise> = {
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => (x > 0 ? (x < 6 ? x : 6) : 0),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  selu: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
  tanh: Math.tanh,
  sigmoid,
  // Keras' piecewise-linear approximation: clip(0.2 x + 0.5, 0, 1).
  hardSigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  softplus,
  softsign: (x) => x / (1 + Math.abs(x)),
  swish: (x) => x * sigmoid(x),
  mish: (x) => x * Math.tanh(softplus(x)),
};

/**
 * Applies an activation in place to `rows` rows of `width` values, row r starting at
 * offset + r · stride (values between width and stride are left alone).
 */
export function applyActivation(
  name: ActivationName,
  values: Float32Array,
  offset: number,
  rows: number,
  width: number,
  stride: number,
): void {
  if (name === 'linear') return;
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) softmaxRow(values, offset + r * stride, width);
    return;
  }
  const f = name === 'relu' ? relu : ELEMENTWISE[name];
  for (let r = 0; r < rows; r++) {
    const start = offset + r * stride;
    for (let i = start; i < start + width; i++) values[i] = f(values[i] as number);
  }
}

/** The same expression as the kernels' fused relu, so that all paths agree bit for bit. */
function relu(x: number): number {
  return x < 0 ? 0 : x;
}

/** exp(x − max) / Σ exp(x − max), the max subtracted so that large logits do not overflow. */
function softmaxRow(values: Float32Array, offset: number, width: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < width; j++) max = Math.max(max, values[offset + j] as number);
  let sum = 0;
  for (let j = 0; j < width; j++) sum += Math.exp((values[offset + j] as number) - max);
  for (let j = 0; j < width; j++) {
    values[offset + j] = Math.exp((values[offset + j] as number) - max) / sum;
  }
}
