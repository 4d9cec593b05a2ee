import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { Predictor, predictorFromStoredVersion } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_EARLY_STOPPING_ROWS, stopsEarly } from '../src/gbdt/train-gbdt.ts';
import { type TrainConfig, train } from '../src/index.ts';
import { DATA, tempDir } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('gbdt'));
});
afterAll(() => remove());

const TITANIC: TrainConfig = {
  name: 'titanic',
  data: path.join(DATA, 'titanic.csv'),
  target: 'survived',
  task: 'binary',
  model: { type: 'gbdt', maxIter: 30 },
};

const bits = (values: Float32Array | Float64Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength);

describe('gbdt training', () => {
  it('gives byte-identical artifacts for the same config and seed', async () => {
    const artifacts = path.join(dir, 'determinism');
    const run = async () => {
      const result = await train({ config: TITANIC, artifacts, seed: 5 });
      result.predictor.dispose();
      const file = (name: string) => readFile(path.join(result.path, name));
      return { result, trees: await file('trees.bin'), features: await file('features.json') };
    };
    const first = await run();
    const second = await run();
    expect(second.trees.equals(first.trees)).toBe(true);
    expect(second.features.equals(first.features)).toBe(true);
    expect(second.result.metrics).toEqual(first.result.metrics);
    expect(first.result.history.epochsRun).toBeGreaterThan(0);
  });

  it('predicts the same bits in training, from the stored version and on a replica', async () => {
    const artifacts = path.join(dir, 'parity');
    const result = await train({ config: TITANIC, artifacts });
    const store = new FileModelStore(artifacts);
    const stored = await store.readVersion('titanic', result.version);
    // A tree version holds trees.bin and no tfjs model (other files, reports, may come along).
    const files = Object.keys(stored.manifest.files);
    expect(files).toEqual(expect.arrayContaining(['features.json', 'trees.bin']));
    expect(files).not.toContain('model.json');
    expect(files).not.toContain('weights.bin');
    const importance = (
      stored.manifest.metrics.extra as {
        featureImportance: Array<{ column: string; gain: number }>;
      }
    ).featureImportance;
    expect(importance.map((entry) => entry.column).sort()).toEqual([
      'age',
      'passengerClass',
      'sex',
    ]);
    expect(importance.every((entry) => entry.gain >= 0)).toBe(true);

    const served = await predictorFromStoredVersion(stored);
    const rows = result.testRows.map(({ survived: _target, ...row }) => row);
    const inTraining = result.predictor.predictBatch(rows, { errors: 'collect' });
    const fromStore = served.predictBatch(rows, { errors: 'collect' });
    const onReplica = Predictor.fromReplica(structuredClone(served.replica()!)).predictBatch(rows, {
      errors: 'collect',
    });
    expect(served.engine).toBe('trees');
    expect(bits(fromStore.outputs).equals(bits(inTraining.outputs))).toBe(true);
    expect(bits(onReplica.outputs).equals(bits(inTraining.outputs))).toBe(true);
    // The evaluation the manifest records is this predictor's, row for row.
    expect(stored.manifest.metrics.test).toEqual(result.metrics);
    const margins = served.predictMargins(rows);
    expect(margins.margins[0]).toBeCloseTo(
      Math.log(fromStore.outputs[1]! / fromStore.outputs[0]!),
      5,
    );
    served.dispose();
    result.predictor.dispose();
  });

  it('auto: records every candidate and skips those the time budget leaves no room for', async () => {
    const artifacts = path.join(dir, 'auto');
    const { model: _model, ...withoutModel } = TITANIC;
    const result = await train({
      config: { ...withoutModel, model: { type: 'auto', budgetSeconds: 0.001 } },
      artifacts,
    });
    result.predictor.dispose();
    expect(result.config.model.type).toBe('gbdt');
    expect(
      result.candidates?.map((c) => ('skipped' in c ? `${c.model}: skipped` : c.model)),
    ).toEqual(['gbdt', 'linear: skipped', 'mlp: skipped']);
    const stored = await new FileModelStore(artifacts).readVersion('titanic', result.version);
    const auto = (
      stored.manifest.metrics.extra as { auto: { candidates: Array<Record<string, unknown>> } }
    ).auto;
    // Every fold of gbdt reached the budget after its first iteration and stopped there.
    expect(auto.candidates[0]).toMatchObject({ model: 'gbdt', chosen: true, stoppedByBudget: 5 });
    expect((auto.candidates[0] as { test: { accuracy: number } }).test.accuracy).toBe(
      result.metrics.accuracy,
    );
  });

  it('refuses a bad gbdt setting, naming the key', async () => {
    const bad = (model: Record<string, unknown>) =>
      train({ config: { ...TITANIC, model: model as TrainConfig['model'] }, artifacts: dir });
    await expect(bad({ type: 'gbdt', maxLeafNodes: 1 })).rejects.toThrow(/model\.maxLeafNodes/);
    await expect(bad({ type: 'gbdt', maxLeaves: 8 })).rejects.toThrow(/model\.maxLeaves/);
    await expect(bad({ type: 'gbdt', maxBins: 256 })).rejects.toThrow(/model\.maxBins/);
    await expect(bad({ type: 'auto', candidates: ['gbdt', 'forest'] })).rejects.toThrow(
      /model\.candidates\[1\]/,
    );
  });
});

/**
 * Early stopping as scikit-learn's `early_stopping='auto'`: off at or below 10,000 training +
 * validation rows (every non-test row trains for maxIter iterations), on above.
 */
describe('gbdt early stopping', () => {
  it("'auto' is on above 10,000 training + validation rows, and never without validation rows", () => {
    expect(AUTO_EARLY_STOPPING_ROWS).toBe(10_000);
    expect(stopsEarly('auto', 10_000, 1_000)).toBe(false);
    expect(stopsEarly('auto', 10_001, 1_000)).toBe(true);
    expect(stopsEarly('auto', 50_000, 0)).toBe(false);
    expect(stopsEarly(true, 100, 10)).toBe(true);
    expect(stopsEarly(true, 100, 0)).toBe(false);
    expect(stopsEarly(false, 50_000, 5_000)).toBe(false);
  });

  it('below 10,000 rows the default trains maxIter iterations on every non-test row', async () => {
    const result = await train({
      config: { ...TITANIC, model: { type: 'gbdt', maxIter: 40 } },
      artifacts: path.join(dir, 'default'),
    });
    result.predictor.dispose();
    expect(result.split.validation.length).toBeGreaterThan(0);
    expect(result.history.epochsRun).toBe(40);
    expect(result.history.stoppedEarly).toBe(false);
    expect(result.history.valLoss).toEqual([]);

    const stopping = await train({
      config: { ...TITANIC, model: { type: 'gbdt', maxIter: 200, earlyStopping: true } },
      artifacts: path.join(dir, 'on'),
    });
    stopping.predictor.dispose();
    expect(stopping.history.valLoss.length).toBe(stopping.history.epochsRun);
    expect(stopping.history.stoppedEarly).toBe(true);
    expect(stopping.history.epochsRun).toBeLessThan(200);
  });
});
