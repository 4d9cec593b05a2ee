import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend.ts';
import { DenseEngine } from '../src/dense/dense-engine.ts';
import { extractDenseStack } from '../src/dense/dense-stack.ts';
import { type ActivationName, tf } from '../src/index.ts';
import { TfjsEngine } from '../src/tfjs-engine.ts';
import {
  type Head,
  HIDDEN_ACTIVATIONS,
  randomDenseModel,
  randomFeatures,
} from './fixtures/random-models.ts';

/**
 * The stated tolerance of the dense engine against tfjs, for models whose weights are at the scale
 * training produces (Glorot-like, `spread` 1): probabilities (sigmoid / softmax heads) within 1e-6
 * absolute; linear (regression) outputs within 2e-6 × max(1, |value|). Both store every layer in
 * float32; they differ in how dot products are summed: tfjs in float32 (in an order that depends on
 * the backend), the dense engine in float64.
 */
const PROBABILITY_TOLERANCE = 1e-6;
const REGRESSION_TOLERANCE = 2e-6;
/**
 * With weights 3× that scale over three layers, activations reach ~30 and tfjs's own float32
 * summation error grows with them; the difference is then bounded by 2e-5 (probabilities) and
 * 1e-4 × max(1, |value|) (regression): float32 storage of each layer, amplified by the weights.
 */
const STRESS_PROBABILITY_TOLERANCE = 2e-5;
const STRESS_REGRESSION_TOLERANCE = 1e-4;

const worst: Record<string, number> = {};

/** Independent float64 evaluation of the same network: no float32 rounding anywhere. */
function reference(model: tf.LayersModel, features: Float32Array, rows: number): Float64Array {
  const stack = extractDenseStack(model);
  if (typeof stack === 'string') throw new Error(stack);
  let x = Float64Array.from(features.subarray(0, rows * stack.inputWidth));
  for (const step of stack.steps) {
    const y = new Float64Array(rows * step.units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < step.units; j++) {
        let z = step.weights ? (step.bias?.[j] ?? 0) : (x[r * step.inputs + j] as number);
        if (step.weights) {
          for (let k = 0; k < step.inputs; k++) {
            z += (step.weights[k * step.units + j] as number) * (x[r * step.inputs + k] as number);
          }
        }
        y[r * step.units + j] = z;
      }
      const row = y.subarray(r * step.units, (r + 1) * step.units);
      if (step.activation === 'softmax') {
        const max = Math.max(...row);
        const sum = row.reduce((acc, v) => acc + Math.exp(v - max), 0);
        row.forEach((v, j) => {
          row[j] = Math.exp(v - max) / sum;
        });
      } else {
        const f = REFERENCE_ACTIVATIONS[step.activation];
        row.forEach((v, j) => {
          row[j] = f(v);
        });
      }
    }
    x = y;
  }
  return x;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.log(1 + Math.exp(v));
const REFERENCE_ACTIVATIONS: Record<Exclude<ActivationName, 'softmax'>, (v: number) => number> = {
  linear: (v) => v,
  relu: (v) => Math.max(0, v),
  relu6: (v) => Math.min(6, Math.max(0, v)),
  elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
  selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1)),
  tanh: Math.tanh,
  sigmoid: sig,
  hardSigmoid: (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5)),
  softplus,
  softsign: (v) => v / (1 + Math.abs(v)),
  swish: (v) => v * sig(v),
  mish: (v) => v * Math.tanh(softplus(v)),
};

function compare(
  model: tf.LayersModel,
  rows: number,
  seed: number,
  head: Head,
  key: string,
  stress: boolean,
): void {
  const stack = extractDenseStack(model);
  if (typeof stack === 'string') throw new Error(stack);
  const dense = new DenseEngine(stack);
  const tfjs = new TfjsEngine(model);
  const features = randomFeatures(rows, stack.inputWidth, seed);
  const expected = Float32Array.from(tfjs.predict(features, rows));
  const actual = dense.predict(features, rows);
  expect(actual.length).toBe(expected.length);
  const probabilityTolerance = stress ? STRESS_PROBABILITY_TOLERANCE : PROBABILITY_TOLERANCE;
  const regressionTolerance = stress ? STRESS_REGRESSION_TOLERANCE : REGRESSION_TOLERANCE;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    const diff =
      head === 'regression' ? Math.abs(a - e) / Math.max(1, Math.abs(e)) : Math.abs(a - e);
    const allowed = head === 'regression' ? regressionTolerance : probabilityTolerance;
    if (!(diff <= allowed)) throw new Error(`${key}: output ${i} is ${a}, tfjs gives ${e}`);
    max = Math.max(max, diff);
  }
  const exact = reference(model, features, rows);
  // Against an independent float64 evaluation (which also checks the activation formulas without
  // tfjs), the dense engine is within the same bound as it is of tfjs.
  for (let i = 0; i < exact.length; i++) {
    const e = exact[i] as number;
    const a = actual[i] as number;
    const error =
      head === 'regression' ? Math.abs(a - e) / Math.max(1, Math.abs(e)) : Math.abs(a - e);
    if (!(error <= (head === 'regression' ? regressionTolerance : probabilityTolerance))) {
      throw new Error(`${key}: output ${i} is ${a}, float64 gives ${e}`);
    }
  }
  worst[key] = Math.max(worst[key] ?? 0, max);
}

describe.each(['wasm', 'cpu'] as const)('dense engine = tfjs on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend({ preferred: backend, log: () => {} });
  });
  afterAll(() => {
    const lines = Object.entries(worst).map(
      ([key, diff]) => `  ${key.padEnd(42)} ${diff.toExponential(1)}`,
    );
    process.stdout.write(
      `max |dense − tfjs| on ${backend} (regression: relative to max(1, |value|)):\n${lines.join('\n')}\n`,
    );
    for (const key of Object.keys(worst)) delete worst[key];
  });

  const heads: Head[] = ['binary', 'multiclass', 'regression'];
  describe.each([false, true])('stress %s', (stress) => {
    it.each(heads)('matches on random %s models for every activation and depth', (head) => {
      let seed = stress ? 1000 : 1;
      for (const activation of HIDDEN_ACTIVATIONS) {
        for (const hidden of [[], [16], [64, 32], [7, 5, 3]]) {
          const spread = stress ? 3 : 1;
          const model = randomDenseModel({
            inputs: 23,
            hidden,
            activation,
            head,
            seed: seed++,
            spread,
          });
          compare(
            model,
            257,
            seed,
            head,
            `${head}, every activation${stress ? ', weights ×3' : ''}`,
            stress,
          );
          model.dispose();
        }
      }
    });
  });

  it('matches without biases, with separate Activation layers, and with 1 row', () => {
    for (const head of heads) {
      const model = randomDenseModel({
        inputs: 9,
        hidden: [12, 6],
        activation: 'elu',
        head,
        seed: 99,
        useBias: false,
        separateActivation: true,
        classes: 3,
      });
      compare(model, 1, 7, head, `${head} no bias, Activation layers`, false);
      compare(model, 5, 8, head, `${head} no bias, Activation layers`, false);
      model.dispose();
    }
  });
});

describe('extractDenseStack', () => {
  it('reads kernels ([inputs, units]), biases and activations', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          units: 2,
          inputShape: [3],
          activation: 'tanh',
          weights: [tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor1d([7, 8])],
        }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    const stack = extractDenseStack(model);
    if (typeof stack === 'string') throw new Error(stack);
    expect([stack.inputWidth, stack.outputWidth, stack.steps.length]).toEqual([3, 1, 2]);
    expect(Array.from(stack.steps[0]!.weights!)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(stack.steps[0]!.bias!)).toEqual([7, 8]);
    expect(stack.steps.map((s) => s.activation)).toEqual(['tanh', 'sigmoid']);
    model.dispose();
  });

  it('names what makes a model unsupported', () => {
    const withNorm = tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, inputShape: [3] }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    expect(extractDenseStack(withNorm)).toMatch(/is a BatchNormalization$/);
    const gelu = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [3], activation: 'gelu' })],
    });
    expect(extractDenseStack(gelu)).toMatch(/has activation gelu$/);
    const input = tf.input({ shape: [3] });
    const functional = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor,
    });
    expect(extractDenseStack(functional)).toMatch(/is not a Sequential model$/);
    for (const m of [withNorm, gelu, functional]) m.dispose();
  });
});
