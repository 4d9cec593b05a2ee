import type { ModelEngine } from './engine.ts';
import { tf } from './tf.ts';

/** Input and output widths of a model taking one [batch, n] tensor and returning one [batch, k]. */
export function modelWidths(model: tf.LayersModel): { inputWidth: number; outputWidth: number } {
  const [input] = model.inputs;
  const [output] = model.outputs;
  const inputWidth = input?.shape[1];
  const outputWidth = output?.shape[1];
  if (
    model.inputs.length !== 1 ||
    model.outputs.length !== 1 ||
    input?.shape.length !== 2 ||
    output?.shape.length !== 2 ||
    typeof inputWidth !== 'number' ||
    typeof outputWidth !== 'number'
  ) {
    throw new Error(
      `the model must take one [rows, n] input and give one [rows, k] output; it takes ` +
        `${JSON.stringify(model.inputs.map((t) => t.shape))} and gives ` +
        `${JSON.stringify(model.outputs.map((t) => t.shape))}`,
    );
  }
  return { inputWidth, outputWidth };
}

/** Runs the model with tfjs; every tensor it creates is disposed before predict returns. */
export class TfjsEngine implements ModelEngine {
  readonly kind = 'tfjs' as const;
  readonly inputWidth: number;
  readonly outputWidth: number;
  private readonly model: tf.LayersModel;

  constructor(model: tf.LayersModel) {
    this.model = model;
    ({ inputWidth: this.inputWidth, outputWidth: this.outputWidth } = modelWidths(model));
  }

  predict(features: Float32Array, rows: number): Float32Array {
    let out: Float32Array | undefined;
    tf.tidy(() => {
      const x = tf.tensor2d(features.subarray(0, rows * this.inputWidth), [rows, this.inputWidth]);
      // An explicit batchSize: the default of 32 splits the batch and is ~35x slower on wasm.
      const y = this.model.predict(x, { batchSize: rows }) as tf.Tensor;
      out = y.dataSync() as Float32Array;
    });
    return out as Float32Array;
  }
}
