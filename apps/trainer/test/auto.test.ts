import path from 'node:path';
import type { RawRow } from '@tandem/features';
import { FileModelStore } from '@tandem/model-store';
import { decodeTreeFile } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/data/load.ts';
import { evaluate } from '../src/evaluate/evaluate.ts';
import { type TrainConfig, train } from '../src/index.ts';
import { stoppingInputs, type TrainedRecord } from '../src/train/auto.ts';
import type { CandidateInputs } from '../src/train/candidate.ts';
import { DATA, tempDir } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('auto'));
});
afterAll(() => remove());

function inputsOf(trainRows: RawRow[], validationRows: RawRow[], seed = 7): CandidateInputs {
  return {
    task: 'binary',
    target: 'y',
    spec: { columns: [] } as unknown as CandidateInputs['spec'],
    trainRows,
    validationRows,
    training: { seed } as CandidateInputs['training'],
    log: () => {},
    progress: false,
  };
}

// 200 training rows, one in four of class "b"; 50 validation rows.
const rows = (count: number, from: number): RawRow[] =>
  Array.from({ length: count }, (_, i) => ({
    x: String(from + i),
    y: (from + i) % 4 === 0 ? 'b' : 'a',
  }));
const TRAIN = rows(200, 0);
const VALIDATION = rows(50, 1000);

describe('auto: the candidates early-stop on rows carved from the training part', () => {
  it('carves the validation share of the training part, stratified, never a validation row', () => {
    const carved = stoppingInputs(inputsOf(TRAIN, VALIDATION));
    // 50 of 250 non-test rows validate: the same fifth of the 200 training rows early-stops.
    expect(carved.validationRows).toHaveLength(40);
    expect(carved.trainRows).toHaveLength(160);
    const all = new Set([...carved.trainRows, ...carved.validationRows]);
    expect(all.size).toBe(200);
    for (const row of all) expect(TRAIN).toContain(row);
    expect(carved.validationRows.filter((row) => row.y === 'b')).toHaveLength(10);
    expect(carved.trainRows.filter((row) => row.y === 'b')).toHaveLength(40);
  });

  it('is seeded: the same seed carves the same rows, another seed others', () => {
    const first = stoppingInputs(inputsOf(TRAIN, VALIDATION, 7)).validationRows;
    const again = stoppingInputs(inputsOf(TRAIN, VALIDATION, 7)).validationRows;
    const other = stoppingInputs(inputsOf(TRAIN, VALIDATION, 8)).validationRows;
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('leaves the inputs as they are without validation rows', () => {
    const inputs = inputsOf(TRAIN, []);
    expect(stoppingInputs(inputs)).toBe(inputs);
  });

  it('judges the stored model itself, on validation rows it never trained on', async () => {
    const titanic: TrainConfig = {
      name: 'titanic',
      data: path.join(DATA, 'titanic.csv'),
      target: 'survived',
      task: 'binary',
    };
    const auto = await train({
      // foldsMaxRows 0: the holdout ranking that larger data gets.
      config: { ...titanic, model: { type: 'auto', candidates: ['gbdt'], foldsMaxRows: 0 } },
      artifacts: path.join(dir, 'auto'),
    });
    const plain = await train({
      config: { ...titanic, model: { type: 'gbdt' } },
      artifacts: path.join(dir, 'plain'),
    });
    const dataset = await loadDataset({ ...titanic, drop: [], features: {} });
    const validationRows = auto.split.validation.map((i) => dataset.rows[i]!);
    expect(plain.split.validation).toEqual(auto.split.validation);
    const judged = evaluate('binary', auto.predictor, validationRows, 'survived').metrics;
    const seen = evaluate('binary', plain.predictor, validationRows, 'survived').metrics;
    auto.predictor.dispose();
    plain.predictor.dispose();
    const record = auto.candidates?.[0] as TrainedRecord;
    expect(record.model).toBe('gbdt');
    // It stopped early on its carved rows, though titanic is far below the 'auto' size.
    expect(record.config).toMatchObject({ type: 'gbdt', earlyStopping: true });
    expect(auto.history.valLoss.length).toBe(auto.history.epochsRun);
    // The recorded loss is the stored model's own on the validation rows...
    expect(judged.logLoss).toBeCloseTo(record.validationLoss, 12);
    // ...which it did not train on: the same settings trained on them fit them far better.
    expect(seen.logLoss).toBeLessThan(record.validationLoss - 0.02);
  });
});

describe('auto on small data: cross-validated ranking, then a refit on every non-test row', () => {
  const titanic: TrainConfig = {
    name: 'titanic',
    data: path.join(DATA, 'titanic.csv'),
    target: 'survived',
    task: 'binary',
    // Few epochs: the network candidate is here for the artifacts, not for its quality.
    training: { epochs: 4 },
  };

  async function trainTwice(model: TrainConfig['model'], where: string) {
    const artifacts = path.join(dir, where);
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const result = await train({ config: { ...titanic, model }, artifacts, seed: 5 });
      result.predictor.dispose();
      runs.push({
        result,
        stored: await new FileModelStore(artifacts).readVersion('titanic', result.version),
      });
    }
    return runs;
  }

  it('stores gbdt refitted on all training + validation rows for the found iteration count', async () => {
    const [first, again] = await trainTwice({ type: 'auto', candidates: ['gbdt'] }, 'cv-gbdt');
    const { result, stored } = first!;
    const record = result.candidates?.[0] as TrainedRecord;
    const rows = result.split.train.length + result.split.validation.length;
    const folds = record.crossValidation!.folds;
    expect(folds).toHaveLength(5);
    expect(folds.reduce((sum, fold) => sum + fold.judgedRows, 0)).toBe(rows);
    const meanBest = folds.reduce((sum, fold) => sum + fold.best, 0) / 5;
    const meanFit = folds.reduce((sum, fold) => sum + fold.fitRows, 0) / 5;
    const length = Math.max(1, Math.round((meanBest * rows) / meanFit));
    expect(record.refit).toMatchObject({ rows, unit: 'iteration', length });
    expect(result.config.model).toMatchObject({
      type: 'gbdt',
      maxIter: length,
      earlyStopping: false,
    });
    // Every tree's root was reached by every non-test row: the refit trained on all of them.
    const trees = decodeTreeFile(stored.files['trees.bin']!);
    expect(trees.treeStart.length - 1).toBe(length);
    expect(trees.cover[0]).toBe(rows);
    const auto = (stored.manifest.metrics.extra as { auto: Record<string, unknown> }).auto;
    expect(auto).toMatchObject({
      ranking: 'cross-validation',
      rows,
      folds: 5,
      foldsMaxRows: 10_000,
    });
    expect(record.test.accuracy).toBe(result.metrics.accuracy);
    // Same config and seed: the same file, byte for byte.
    expect(
      Buffer.from(again!.stored.files['trees.bin']!).equals(
        Buffer.from(stored.files['trees.bin']!),
      ),
    ).toBe(true);
  });

  it('gives byte-identical network artifacts for the same config and seed', async () => {
    const [first, second] = await trainTwice({ type: 'auto', candidates: ['linear'] }, 'cv-linear');
    const record = first!.result.candidates?.[0] as TrainedRecord;
    // The refit trained every non-test row for the folds' mean best epoch, without stopping.
    const folds = record.crossValidation!.folds;
    const meanBest = folds.reduce((sum, fold) => sum + fold.best, 0) / folds.length;
    const { split } = first!.result;
    expect(record.refit).toMatchObject({
      rows: split.train.length + split.validation.length,
      unit: 'epoch',
      length: Math.max(1, Math.round(meanBest)),
    });
    expect(first!.result.history).toMatchObject({
      epochsRun: record.refit!.length,
      stoppedEarly: false,
    });
    expect(first!.stored.manifest.metrics.extra).toMatchObject({ epochs: record.refit!.length });
    for (const file of ['weights.bin', 'model.json', 'features.json']) {
      expect(
        Buffer.from(second!.stored.files[file]!).equals(Buffer.from(first!.stored.files[file]!)),
      ).toBe(true);
    }
    expect(second!.result.candidates).toEqual(
      first!.result.candidates?.map((c) => ({
        ...c,
        trainSeconds: expect.any(Number),
        crossValidation: expect.any(Object),
        refit: { ...(c as TrainedRecord).refit, seconds: expect.any(Number) },
      })),
    );
  });
});
