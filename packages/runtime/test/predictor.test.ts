import type { FileModelStore, Task } from '@tandem/model-store';
import { describe, expect, it } from 'vitest';
import {
  type EngineChoice,
  encodeFeaturesFile,
  type Predictor,
  predictorFromParts,
  predictorFromStoredVersion,
  type RuntimeError,
  serializeModel,
  tf,
  toPredictions,
} from '../src/index.ts';
import { useTempStore } from './fixtures/temp-store.ts';
import {
  binaryModel,
  draftFor,
  labels,
  multiclassModel,
  regressionModel,
  sigmoid,
  species,
  storeTinyVersion,
  targetScaler,
  tinyPipeline,
} from './fixtures/tiny.ts';

const quiet = { log: () => {} };
let store: FileModelStore;
useTempStore('tandem-runtime-', (created) => {
  store = created;
});

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Stores a model with its features and loads it back the way the server does. */
async function storeAndLoad(
  name: string,
  task: Task,
  model: tf.LayersModel,
  engine: EngineChoice,
): Promise<Predictor> {
  const version = await storeTinyVersion(store, name, task, model);
  return predictorFromStoredVersion(await store.readVersion(name, version), { engine, ...quiet });
}

async function failure(promise: Promise<unknown>): Promise<RuntimeError> {
  try {
    await promise;
  } catch (error) {
    return error as RuntimeError;
  }
  throw new Error('expected a rejection');
}

const rows = [
  { x: 10, c: 'a' },
  { x: 5, c: 'b' },
  { x: 0, c: 'a' },
];

describe.each(['tfjs', 'dense'] as const)('Predictor with the %s engine', (engine) => {
  it('gives hand-computed binary probabilities, both classes', () => {
    const model = binaryModel();
    const predictor = predictorFromParts(
      { manifest: { name: 'b', task: 'binary' }, pipeline: tinyPipeline(), labels, model },
      { engine, ...quiet },
    );
    expect(predictor.engine).toBe(engine);
    const batch = predictor.predictBatch(rows);
    expect([batch.rows, batch.width, batch.outputs.length]).toEqual([3, 2, 6]);
    const p = [sigmoid(2), sigmoid(-1), sigmoid(0)];
    p.forEach((pYes, i) => {
      expect(batch.outputs[2 * i + 1]).toBeCloseTo(pYes, 6);
      expect(batch.outputs[2 * i]).toBe(Math.fround(1 - (batch.outputs[2 * i + 1] as number)));
    });
    const predictions = toPredictions(predictor, batch);
    // Row 3 has p = 0.5 exactly: the tie goes to the first class.
    expect(predictions.map((x) => (x && 'label' in x ? x.label : null))).toEqual([
      'yes',
      'no',
      'no',
    ]);
    expect(predictions[0]).toEqual({
      label: 'yes',
      probabilities: { no: batch.outputs[0], yes: batch.outputs[1] },
    });
    model.dispose();
  });

  it('gives hand-computed multiclass probabilities', () => {
    const model = multiclassModel();
    const predictor = predictorFromParts(
      {
        manifest: { name: 'm', task: 'multiclass' },
        pipeline: tinyPipeline(),
        labels: species,
        model,
      },
      { engine, ...quiet },
    );
    const batch = predictor.predictBatch(rows);
    expect(batch.width).toBe(3);
    const expected = [softmax([1, 2, 0]), softmax([0.5, 0, 3]), softmax([0, 2, 0])];
    expected.flat().forEach((p, i) => {
      expect(batch.outputs[i]).toBeCloseTo(p, 6);
    });
    expect(toPredictions(predictor, batch).map((x) => x && 'label' in x && x.label)).toEqual([
      'chinstrap',
      'gentoo',
      'chinstrap',
    ]);
    model.dispose();
  });

  it('restores regression values to the target scale', () => {
    const model = regressionModel();
    const predictor = predictorFromParts(
      {
        manifest: { name: 'r', task: 'regression' },
        pipeline: tinyPipeline(),
        targetScaler,
        model,
      },
      { engine, ...quiet },
    );
    const batch = predictor.predictBatch(rows);
    const std = targetScaler.toJSON().std;
    const expected = [20 + 2 * std, 20 + 0.5 * std, 20 - std];
    expected.forEach((value, i) => {
      expect(batch.outputs[i]).toBeCloseTo(value, 4);
    });
    expect(toPredictions(predictor, batch)[0]).toEqual({ value: batch.outputs[0] });
    model.dispose();
  });

  it.each([
    'binary',
    'multiclass',
    'regression',
  ] as const)('gives bit-identical %s outputs after store → load', async (task) => {
    const model =
      task === 'binary'
        ? binaryModel()
        : task === 'multiclass'
          ? multiclassModel()
          : regressionModel();
    const inMemory = predictorFromParts(
      {
        manifest: { name: 'x', task },
        pipeline: tinyPipeline(),
        labels: task === 'binary' ? labels : task === 'multiclass' ? species : null,
        targetScaler: task === 'regression' ? targetScaler : null,
        model,
      },
      { engine, ...quiet },
    );
    const loaded = await storeAndLoad(`${task}-${engine}`, task, model, engine);
    expect(loaded.engine).toBe(engine);
    expect([loaded.name, loaded.version, loaded.task]).toEqual([`${task}-${engine}`, 1, task]);
    const many = Array.from({ length: 50 }, (_, i) => ({ x: i / 5, c: i % 3 ? 'a' : 'b' }));
    expect(Array.from(loaded.predictBatch(many).outputs)).toEqual(
      Array.from(inMemory.predictBatch(many).outputs),
    );
    loaded.dispose();
    model.dispose();
  });
});

describe('Predictor resources and failures', () => {
  it.each([
    'tfjs',
    'dense',
  ] as const)('leaks no tensor over many predictions (%s engine)', async (engine) => {
    const predictor = await storeAndLoad(`leak-${engine}`, 'binary', binaryModel(), engine);
    predictor.predictBatch(rows);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 500; i++) predictor.predictBatch(i % 2 ? rows : [rows[0]!]);
    predictor.predictBatch([...rows, { x: 'abc', c: 'a' }], { errors: 'collect' });
    expect(() => predictor.predictBatch([{ x: 'abc', c: 'a' }])).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    predictor.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(() => predictor.predictBatch(rows)).toThrow(/was disposed/);
  });

  it('rejects invalid rows in collect mode with NaN outputs and a null prediction', () => {
    const model = binaryModel();
    const predictor = predictorFromParts(
      { manifest: { name: 'b', task: 'binary' }, pipeline: tinyPipeline(), labels, model },
      quiet,
    );
    const batch = predictor.predictBatch([rows[0]!, { x: 'abc', c: 'a' }, { x: 1, c: 'zz' }], {
      errors: 'collect',
    });
    expect(batch.rejected).toEqual([1]);
    expect(batch.errors.map((e) => [e.row, e.column, e.problem])).toEqual([[1, 'x', 'wrong_type']]);
    expect(batch.issues).toEqual([{ row: 2, column: 'c', kind: 'unseen_category' }]);
    expect(Number.isNaN(batch.outputs[2]) && Number.isNaN(batch.outputs[3])).toBe(true);
    expect(batch.outputs[1]).toBeCloseTo(sigmoid(2), 6);
    // An unseen level encodes as all zeros: z = 2 · 0.1 − 1.
    expect(batch.outputs[5]).toBeCloseTo(sigmoid(-0.8), 6);
    expect(toPredictions(predictor, batch)[1]).toBeNull();
    expect(() => predictor.predictBatch([{ x: 'abc', c: 'a' }])).toThrow(
      expect.objectContaining({ code: 'TANDEM_INPUT_INVALID' }),
    );
    model.dispose();
  });

  it('refuses a model whose input width differs from the pipeline, leaving nothing allocated', async () => {
    const wide = tf.sequential({
      layers: [tf.layers.dense({ units: 1, inputShape: [4], activation: 'sigmoid' })],
    });
    const files = {
      ...(await serializeModel(wide)),
      'features.json': encodeFeaturesFile({ pipeline: tinyPipeline(), labels }),
    };
    wide.dispose();
    const { version } = await store.writeVersion('wide', files, () =>
      draftFor('binary', labels.classes),
    );
    const stored = await store.readVersion('wide', version);
    const before = tf.memory().numTensors;
    const error = await failure(predictorFromStoredVersion(stored, quiet));
    expect(error.code).toBe('TANDEM_MODEL_LOAD_FAILED');
    expect(error.message).toContain('wide/1');
    expect(error.message).toContain('takes 4 inputs but the feature pipeline gives 3');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a version whose warm-up row fails, or whose features.json is damaged', async () => {
    const model = binaryModel();
    const files = {
      ...(await serializeModel(model)),
      'features.json': encodeFeaturesFile({ pipeline: tinyPipeline(), labels }),
    };
    const badSample = await store.writeVersion('sample', files, () => ({
      ...draftFor('binary', labels.classes),
      sample: { x: 'not a number', c: 'a' },
    }));
    const sampleError = await failure(
      store
        .readVersion('sample', badSample.version)
        .then((s) => predictorFromStoredVersion(s, quiet)),
    );
    expect(sampleError.code).toBe('TANDEM_MODEL_LOAD_FAILED');
    expect(sampleError.message).toContain('column "x"');

    const damaged = await store.writeVersion(
      'damaged',
      { ...files, 'features.json': new TextEncoder().encode('{"format": 1, "pipeline": {}}') },
      () => draftFor('binary', labels.classes),
    );
    const featuresError = await failure(
      store
        .readVersion('damaged', damaged.version)
        .then((s) => predictorFromStoredVersion(s, quiet)),
    );
    expect(featuresError.code).toBe('TANDEM_MODEL_LOAD_FAILED');
    expect(featuresError.message).toContain('features.json field "pipeline"');

    const wrongClasses = await store.writeVersion('classes', files, () =>
      draftFor('binary', ['bad', 'good']),
    );
    const classesError = await failure(
      store
        .readVersion('classes', wrongClasses.version)
        .then((s) => predictorFromStoredVersion(s, quiet)),
    );
    expect(classesError.message).toContain('["bad","good"]');
    model.dispose();
  });

  it('refuses parts that do not fit together', () => {
    const model = multiclassModel();
    expect(() =>
      predictorFromParts(
        { manifest: { name: 'm', task: 'multiclass' }, pipeline: tinyPipeline(), labels, model },
        quiet,
      ),
    ).toThrow(/m: the model has 3 outputs for 2 classes/);
    expect(() =>
      predictorFromParts(
        { manifest: { name: 'm', task: 'binary' }, pipeline: tinyPipeline(), model },
        quiet,
      ),
    ).toThrow(expect.objectContaining({ code: 'TANDEM_MODEL_LOAD_FAILED' }));
    model.dispose();
  });
});
