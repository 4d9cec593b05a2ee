import { describe, expect, it } from 'vitest';
import { DenseEngine } from '../src/dense/dense-engine.ts';
import { extractDenseStack } from '../src/dense/dense-stack.ts';
import { JsKernel } from '../src/dense/kernel.ts';
import { affineModuleBytes, SimdKernel } from '../src/dense/simd-kernel.ts';
import {
  type Head,
  HIDDEN_ACTIVATIONS,
  randomDenseModel,
  randomFeatures,
} from './fixtures/random-models.ts';

/** Tilings besides the default (2 rows × 4 lanes): all must give the same bits. */
const SHAPES = [
  { rows: 1, lanes: 1 },
  { rows: 3, lanes: 2 },
  { rows: 4, lanes: 3 },
];

function engines(
  head: Head,
  activation: (typeof HIDDEN_ACTIVATIONS)[number],
  hidden: number[],
  seed: number,
  useBias = true,
) {
  const model = randomDenseModel({
    inputs: 13,
    hidden,
    activation,
    head,
    seed,
    classes: 5,
    useBias,
  });
  const stack = extractDenseStack(model);
  model.dispose();
  if (typeof stack === 'string') throw new Error(stack);
  return {
    simd: new DenseEngine(stack),
    otherShapes: SHAPES.map(
      (shape) => new DenseEngine(stack, { kernel: SimdKernel.create(shape)! }),
    ),
    js: new DenseEngine(stack, { kernel: new JsKernel() }),
    width: 13,
  };
}

describe('dense engine kernels', () => {
  it('assembles a valid WebAssembly SIMD module, used by default here', () => {
    const wasm = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } })
      .WebAssembly;
    expect(wasm?.validate(affineModuleBytes())).toBe(true);
    expect(engines('binary', 'relu', [8], 1).simd.kernel).toBe('wasm-simd');
  });

  it('gives bit-identical outputs from the SIMD kernel (any tiling) and the JavaScript kernel', () => {
    let seed = 1;
    for (const head of ['binary', 'multiclass', 'regression'] as const) {
      for (const activation of HIDDEN_ACTIVATIONS) {
        // Unit counts that exercise whole blocks, the 4-wide remainder and the padding; zero
        // biases and zero inputs exercise the JavaScript kernel's skipping.
        for (const hidden of [[], [1], [7], [16, 20], [37, 3]]) {
          for (const useBias of [true, false]) {
            const { simd, otherShapes, js, width } = engines(
              head,
              activation,
              hidden,
              seed++,
              useBias,
            );
            const features = randomFeatures(33, width, seed);
            const expected = Array.from(js.predict(features, 33));
            expect(Array.from(simd.predict(features, 33))).toEqual(expected);
            for (const engine of otherShapes) {
              expect(Array.from(engine.predict(features, 33))).toEqual(expected);
            }
          }
        }
      }
    }
  });

  it('gives every row the same bits alone or in any batch, across chunk boundaries', () => {
    const { simd, width } = engines('multiclass', 'tanh', [24, 12], 42);
    const rows = 5000;
    const features = randomFeatures(rows, width, 9);
    const all = Float32Array.from(simd.predict(features, rows));
    for (const row of [0, 1, 2047, 2048, 4999]) {
      const alone = simd.predict(features.subarray(row * width, (row + 1) * width), 1);
      expect(Array.from(alone)).toEqual(Array.from(all.subarray(row * 5, (row + 1) * 5)));
    }
    const middle = simd.predict(features.subarray(100 * width), 3000);
    expect(Array.from(middle)).toEqual(Array.from(all.subarray(100 * 5, 3100 * 5)));
  });
});
