import type { RawRow } from '@tandem/features';
import type { FileModelStore, Task } from '@tandem/model-store';
import { describe, expect, it } from 'vitest';
import {
  type PredictionBatch,
  Predictor,
  type PredictorReplica,
  predictorFromParts,
  predictorFromStoredVersion,
  type RuntimeError,
  type tf,
} from '../src/index.ts';
import { randomDenseModel } from './fixtures/random-models.ts';
import { useTempStore } from './fixtures/temp-store.ts';
import {
  binaryModel,
  labels,
  multiclassModel,
  regressionModel,
  species,
  storeTinyVersion,
  targetScaler,
  tinyPipeline,
} from './fixtures/tiny.ts';

const quiet = { log: () => {} };
let store: FileModelStore;
useTempStore('tandem-replica-', (created) => {
  store = created;
});

/** Missing values, out-of-range values, unseen and missing categories, and one invalid row. */
const ROWS: RawRow[] = [
  { x: 10, c: 'a' },
  { x: null, c: 'b' },
  { c: 'a' },
  { x: '', c: null },
  { x: 20, c: 'zz' },
  { x: 'abc', c: 'a' },
  { x: -5, c: 'b' },
  ...Array.from({ length: 40 }, (_, i) => ({ x: i / 4, c: i % 3 ? 'a' : 'b' })),
];

const classesOf = (task: Task) =>
  task === 'binary' ? labels : task === 'multiclass' ? species : null;

function partsFor(task: Task, model: tf.LayersModel) {
  return {
    manifest: { name: `replica-${task}`, version: 7, task, target: 'y', sample: { x: 5, c: 'a' } },
    pipeline: tinyPipeline(),
    labels: classesOf(task),
    targetScaler: task === 'regression' ? targetScaler : null,
    model,
  };
}

/** The float32 bit patterns: equal bits, not merely equal numbers (NaN, −0 included). */
function bits(outputs: Float32Array): number[] {
  return Array.from(new Uint32Array(outputs.buffer, outputs.byteOffset, outputs.length));
}

function expectSameBatch(actual: PredictionBatch, expected: PredictionBatch): void {
  expect(bits(actual.outputs)).toEqual(bits(expected.outputs));
  expect([actual.rows, actual.width]).toEqual([expected.rows, expected.width]);
  expect(actual.issues).toEqual(expected.issues);
  expect(actual.errors).toEqual(expected.errors);
  expect(actual.rejected).toEqual(expected.rejected);
}

function expectSamePredictor(copy: Predictor, original: Predictor): void {
  expect(copy.engine).toBe('dense');
  expect([copy.name, copy.version, copy.task, copy.width]).toEqual([
    original.name,
    original.version,
    original.task,
    original.width,
  ]);
  expect(copy.classes).toEqual(original.classes);
  expect(copy.inputSchema).toEqual(original.inputSchema);
  expect(copy.manifest).toEqual(original.manifest);
  const expected = original.predictBatch(ROWS, { errors: 'collect' });
  expect(expected.rejected).toEqual([5]);
  expectSameBatch(copy.predictBatch(ROWS, { errors: 'collect' }), expected);
}

function replicaOf(predictor: Predictor): PredictorReplica {
  const replica = predictor.replica();
  if (!replica) throw new Error(`predictor ${predictor.name} has no replica`);
  return replica;
}

describe('Predictor replica', () => {
  // binary: one sigmoid unit; multiclass: relu, dropout, softmax; regression: a target scaler.
  it.each([
    ['binary', binaryModel],
    ['multiclass', multiclassModel],
    ['regression', regressionModel],
  ] as const)('predicts %s rows bit-identically, before and after structuredClone', (task, build) => {
    const model = build();
    const original = predictorFromParts(partsFor(task, model), { engine: 'dense', ...quiet });
    const replica = replicaOf(original);
    expectSamePredictor(Predictor.fromReplica(replica), original);
    // What worker.postMessage does to it.
    expectSamePredictor(Predictor.fromReplica(structuredClone(replica)), original);
    model.dispose();
  });

  it.each([
    'binary',
    'multiclass',
    'regression',
  ] as const)('predicts bit-identically for a seeded %s MLP at trained scale', (task) => {
    const model = randomDenseModel({
      inputs: tinyPipeline().width,
      hidden: [16, 8],
      activation: 'tanh',
      head: task,
      classes: 3,
      seed: 11,
      spread: 2,
    });
    const original = predictorFromParts(partsFor(task, model), { engine: 'dense', ...quiet });
    expectSamePredictor(Predictor.fromReplica(structuredClone(replicaOf(original))), original);
    model.dispose();
  });

  it('carries the manifest of a stored version', async () => {
    const model = binaryModel();
    const version = await storeTinyVersion(store, 'stored', 'binary', model);
    model.dispose();
    const original = await predictorFromStoredVersion(await store.readVersion('stored', version), {
      engine: 'dense',
      ...quiet,
    });
    const copy = Predictor.fromReplica(structuredClone(replicaOf(original)));
    expect(copy.manifest?.name).toBe('stored');
    expectSamePredictor(copy, original);
    original.dispose();
  });

  it('is a copy: changing or transferring it leaves the original whole', () => {
    const model = multiclassModel();
    const original = predictorFromParts(partsFor('multiclass', model), {
      engine: 'dense',
      ...quiet,
    });
    model.dispose();
    const before = original.predictBatch(ROWS, { errors: 'collect' });
    const replica = replicaOf(original);
    const stack = replica.stack!;
    for (const step of stack.steps) step.weights?.fill(0);
    // As postMessage(replica, transferList) does: the weights' buffers move and are detached here.
    const buffers = stack.steps.flatMap((s) => (s.weights ? [s.weights.buffer] : []));
    structuredClone(replica, { transfer: buffers as ArrayBuffer[] });
    expect(stack.steps[0]?.weights?.length).toBe(0);
    expectSameBatch(original.predictBatch(ROWS, { errors: 'collect' }), before);
    expectSamePredictor(Predictor.fromReplica(replicaOf(original)), original);
  });

  it('is undefined on the tfjs engine', () => {
    const model = binaryModel();
    const predictor = predictorFromParts(partsFor('binary', model), { engine: 'tfjs', ...quiet });
    expect(predictor.engine).toBe('tfjs');
    expect(predictor.replica()).toBeUndefined();
    model.dispose();
  });

  it('refuses a replica whose warm-up fails or whose features are damaged', () => {
    const model = binaryModel();
    const replica = replicaOf(
      predictorFromParts(partsFor('binary', model), { engine: 'dense', ...quiet }),
    );
    model.dispose();
    const failure = (broken: PredictorReplica): RuntimeError => {
      try {
        Predictor.fromReplica(broken);
      } catch (error) {
        return error as RuntimeError;
      }
      throw new Error('expected fromReplica to throw');
    };

    const badSample = failure({
      ...replica,
      meta: { ...replica.meta, sample: { x: 'no', c: 'a' } },
    });
    expect(badSample.code).toBe('TANDEM_MODEL_LOAD_FAILED');
    expect(badSample.message).toContain('replica-binary/7');
    expect(badSample.message).toContain('column "x"');

    const damaged = failure({ ...replica, features: new TextEncoder().encode('{"format": 1}') });
    expect(damaged.code).toBe('TANDEM_MODEL_LOAD_FAILED');
    expect(damaged.message).toContain('features.json field "pipeline"');
  });
});
