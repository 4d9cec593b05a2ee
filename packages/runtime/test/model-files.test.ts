import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadModel, serializeModel, tf } from '../src/index.ts';
import { randomDenseModel, randomFeatures } from './fixtures/random-models.ts';

beforeAll(async () => {
  await initBackend({ preferred: 'wasm', log: () => {} });
});

function outputs(
  model: tf.LayersModel,
  features: Float32Array,
  rows: number,
  width: number,
): number[] {
  return tf.tidy(() =>
    Array.from(
      (
        model.predict(tf.tensor2d(features, [rows, width]), { batchSize: rows }) as tf.Tensor
      ).dataSync(),
    ),
  );
}

describe('serializeModel / loadModel', () => {
  it('writes the tfjs layers format with one weights file', async () => {
    const model = randomDenseModel({
      inputs: 5,
      hidden: [4],
      activation: 'relu',
      head: 'binary',
      seed: 3,
    });
    const files = await serializeModel(model);
    const json = JSON.parse(new TextDecoder().decode(files['model.json'])) as {
      format: string;
      generatedBy: string;
      convertedBy: null;
      modelTopology: { class_name: string };
      weightsManifest: Array<{
        paths: string[];
        weights: Array<{ name: string; shape: number[]; dtype: string }>;
      }>;
    };
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toBe(`TensorFlow.js tfjs-layers v${tf.version.tfjs}`);
    expect(json.convertedBy).toBeNull();
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0]!.weights.map((w) => [w.shape, w.dtype])).toEqual([
      [[5, 4], 'float32'],
      [[4], 'float32'],
      [[4, 1], 'float32'],
      [[1], 'float32'],
    ]);
    // 5·4 + 4 + 4·1 + 1 float32 values.
    expect(files['weights.bin'].byteLength).toBe(29 * 4);
    const kernel = model.layers[0]!.getWeights()[0]!.dataSync();
    expect(Array.from(new Float32Array(files['weights.bin'].slice(0, 80).buffer))).toEqual(
      Array.from(kernel),
    );
    model.dispose();
  });

  it('loads back a model giving identical outputs, and serialises to identical bytes', async () => {
    const model = randomDenseModel({
      inputs: 7,
      hidden: [16, 8],
      activation: 'tanh',
      head: 'multiclass',
      seed: 5,
    });
    const files = await serializeModel(model);
    const loaded = await loadModel(files);
    const features = randomFeatures(64, 7, 11);
    expect(outputs(loaded, features, 64, 7)).toEqual(outputs(model, features, 64, 7));
    const again = await serializeModel(loaded);
    expect(Buffer.from(again['model.json']).equals(Buffer.from(files['model.json']))).toBe(true);
    expect(Buffer.from(again['weights.bin']).equals(Buffer.from(files['weights.bin']))).toBe(true);
    model.dispose();
    loaded.dispose();
  });

  it('refuses truncated weights, a missing weight file and broken JSON, naming the problem', async () => {
    const model = randomDenseModel({
      inputs: 3,
      hidden: [],
      activation: 'linear',
      head: 'regression',
      seed: 1,
    });
    const files = await serializeModel(model);
    model.dispose();
    const before = tf.memory().numTensors;
    await expect(
      loadModel({ ...files, 'weights.bin': files['weights.bin'].slice(0, 8) }),
    ).rejects.toMatchObject({
      code: 'TANDEM_MODEL_FILES_INVALID',
      message: 'weights hold 8 bytes, model.json describes 16',
    });
    await expect(loadModel({ 'model.json': files['model.json'] })).rejects.toMatchObject({
      message: 'model.json lists weight file weights.bin, which is missing',
    });
    await expect(
      loadModel({ ...files, 'model.json': new TextEncoder().encode('{"modelTopology": ') }),
    ).rejects.toMatchObject({ message: expect.stringContaining('model.json is not valid JSON') });
    expect(tf.memory().numTensors).toBe(before);
  });
});
