import type { RawRow } from '@tandem/features';
import type { Predictor } from '@tandem/runtime';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTO, DEFAULT_TRAINING } from '../src/config/defaults.ts';
import type { ModelConfig, TrainingConfig } from '../src/config/types.ts';
import { deriveSeed } from '../src/split/prng.ts';
import { crossValidates, type TrainedRecord, trainAuto } from '../src/train/auto.ts';
import type { CandidateInputs, TrainedCandidate } from '../src/train/candidate.ts';
import { crossValidate } from '../src/train/cross-validate.ts';
import { carveStopping, complementOf, stratifiedFolds } from '../src/train/folds.ts';
import { chooseCandidate, lowestLoss } from '../src/train/ranking.ts';
import { planRefit } from '../src/train/refit.ts';

/** 103 rows, one in four of class "b"; `id` tells rows apart. */
const ROWS: RawRow[] = Array.from({ length: 103 }, (_, i) => ({
  id: String(i),
  y: i % 4 === 0 ? 'b' : 'a',
}));

function inputsOf(
  trainRows: readonly RawRow[],
  validationRows: readonly RawRow[],
  task: CandidateInputs['task'] = 'binary',
): CandidateInputs {
  return {
    task,
    target: 'y',
    spec: { columns: [] } as unknown as CandidateInputs['spec'],
    trainRows,
    validationRows,
    training: { ...DEFAULT_TRAINING, seed: 7 },
    log: () => {},
    progress: false,
  };
}

/** What a fake training was given. */
interface Call {
  model: ModelConfig;
  trainRows: readonly RawRow[];
  validationRows: readonly RawRow[];
  training: TrainingConfig;
  deadline?: number;
}

/**
 * A stand-in for a model family: it "learns" the share of class b in its training rows and
 * predicts `p(b)` from it through `predictOf`; its early stopping "keeps" `best(call number)`.
 * Every call is recorded, so a test can check which rows each training saw.
 */
function fakeFamily(
  predictOf: (model: ModelConfig, trainRows: readonly RawRow[]) => (row: RawRow) => number,
  options: { best?: (call: number) => number; waitMs?: number } = {},
) {
  const calls: Call[] = [];
  const trainFn = async (model: ModelConfig, inputs: CandidateInputs) => {
    calls.push({ model, ...inputs });
    if (options.waitMs) await new Promise((resolve) => setTimeout(resolve, options.waitMs));
    const predict = predictOf(model, inputs.trainRows);
    const regression = inputs.task === 'regression';
    const best = options.best?.(calls.length) ?? 10;
    const predictor = {
      classes: regression ? undefined : ['a', 'b'],
      predictBatch: (rows: readonly RawRow[]) => {
        const width = regression ? 1 : 2;
        const outputs = new Float32Array(rows.length * width);
        rows.forEach((row, i) => {
          const value = predict(row);
          if (regression) outputs[i] = value;
          else outputs.set([1 - value, value], i * 2);
        });
        return { rows: rows.length, width, outputs, issues: [], errors: [], rejected: [] };
      },
      dispose: () => {},
    } as unknown as Predictor;
    return {
      model,
      pipeline: null as unknown as TrainedCandidate['pipeline'],
      labels: null,
      targetScaler: null,
      trainSeconds: 0.001,
      history: {
        epochsRun: best,
        bestEpoch: best,
        bestValLoss: 0,
        stoppedEarly: true,
        // As a loop does: it stops at the deadline when its training reaches it.
        stoppedByDeadline: inputs.deadline !== undefined && performance.now() >= inputs.deadline,
        loss: [],
        valLoss: [],
      },
      backend: 'none',
      extra: {},
      files: async () => ({}),
      predictor: () => predictor,
      dispose: () => {},
    } satisfies TrainedCandidate;
  };
  return { calls, trainFn };
}

const shareOfB = (rows: readonly RawRow[]) =>
  rows.filter((row) => row.y === 'b').length / rows.length;

describe('stratifiedFolds', () => {
  const folds = stratifiedFolds('binary', 'y', ROWS, 5, 11);

  it('is a partition of the rows into folds whose sizes differ by at most one', () => {
    const all = folds.flat();
    expect(all).toHaveLength(ROWS.length);
    expect(new Set(all).size).toBe(ROWS.length);
    expect([...all].sort((a, b) => a - b)).toEqual(ROWS.map((_, i) => i));
    expect(folds.map((fold) => fold.length).sort()).toEqual([20, 20, 21, 21, 21]);
    for (const fold of folds) expect(fold).toEqual([...fold].sort((a, b) => a - b));
  });

  it('is stratified: each fold holds 5 or 6 of the 26 rows of class b', () => {
    const counts = folds.map((fold) => fold.filter((i) => ROWS[i]?.y === 'b').length);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(26);
    for (const count of counts) expect([5, 6]).toContain(count);
  });

  it('stratifies a regression target by deciles', () => {
    const values = Array.from({ length: 100 }, (_, i) => ({ y: String(i * i) }));
    const byValue = stratifiedFolds('regression', 'y', values, 5, 3);
    // Each decile (10 rows) spreads 2 rows to each fold.
    for (const fold of byValue) {
      const deciles = fold.map((i) => Math.floor(i / 10));
      for (let d = 0; d < 10; d++) expect(deciles.filter((x) => x === d)).toHaveLength(2);
    }
  });

  it('is seeded: the same seed gives the same folds, another seed others', () => {
    expect(stratifiedFolds('binary', 'y', ROWS, 5, 11)).toEqual(folds);
    expect(stratifiedFolds('binary', 'y', ROWS, 5, 12)).not.toEqual(folds);
  });

  it('refuses fewer than two folds or fewer rows than folds', () => {
    expect(() => stratifiedFolds('binary', 'y', ROWS, 1, 1)).toThrow(/folds must be/);
    expect(() => stratifiedFolds('binary', 'y', ROWS.slice(0, 3), 5, 1)).toThrow(/at least 5/);
  });

  it('complementOf gives the other rows, and carveStopping a stratified share of them', () => {
    const rest = complementOf(folds[0]!, ROWS.length);
    expect(rest.length + folds[0]!.length).toBe(ROWS.length);
    expect(rest.some((i) => folds[0]!.includes(i))).toBe(false);
    const learn = rest.map((i) => ROWS[i]!);
    const { fit, stopping } = carveStopping('binary', 'y', learn, 0.25, 5);
    expect(stopping).toHaveLength(Math.round(learn.length * 0.25));
    expect(fit.length + stopping.length).toBe(learn.length);
    expect(shareOfB(stopping)).toBeCloseTo(shareOfB(learn), 1);
  });
});

describe('crossValidate', () => {
  it('never trains a fold model on the rows it is judged by, nor stops early on them', async () => {
    const folds = stratifiedFolds('binary', 'y', ROWS, 5, 11);
    const family = fakeFamily((_, trainRows) => {
      const p = shareOfB(trainRows);
      return () => p;
    });
    const inputs = inputsOf(ROWS, []);
    const cv = await crossValidate(
      { type: 'linear', l2: 0 },
      inputs,
      ROWS,
      folds,
      0.1,
      family.trainFn,
    );
    expect(family.calls).toHaveLength(5);
    family.calls.forEach((call, f) => {
      const judged = new Set(folds[f]!.map((i) => ROWS[i]));
      const seen = [...call.trainRows, ...call.validationRows];
      expect(seen.filter((row) => judged.has(row))).toEqual([]);
      // It saw every other row: its training folds, split into fitting and stopping rows.
      expect(new Set(seen).size).toBe(ROWS.length - judged.size);
      expect(call.validationRows).toHaveLength(Math.round(0.1 * seen.length));
      expect(cv.folds[f]).toMatchObject({
        fitRows: call.trainRows.length,
        stoppingRows: call.validationRows.length,
        judgedRows: judged.size,
        best: 10,
      });
    });
  });

  it('a hand-checked case: the pooled RMSE is over all rows, not the mean of the folds', async () => {
    // Targets 1..10 and a model that always answers 0: the error of each row is its target.
    const rows = Array.from({ length: 10 }, (_, i) => ({ y: String(i + 1) }));
    const folds = [
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const family = fakeFamily(() => () => 0);
    const cv = await crossValidate(
      { type: 'linear', l2: 0 },
      inputsOf(rows, [], 'regression'),
      rows,
      folds,
      0.2,
      family.trainFn,
    );
    // sqrt((1 + 4 + ... + 100) / 10) = sqrt(38.5); the folds: sqrt(30/4), sqrt(110/3), sqrt(245/3).
    expect(cv.loss).toBeCloseTo(Math.sqrt(38.5), 5);
    expect(cv.folds.map((fold) => fold.loss)).toEqual([
      expect.closeTo(Math.sqrt(30 / 4), 5),
      expect.closeTo(Math.sqrt(110 / 3), 5),
      expect.closeTo(Math.sqrt(245 / 3), 5),
    ]);
    expect(cv.meanFoldLoss).toBeCloseTo(
      (Math.sqrt(30 / 4) + Math.sqrt(110 / 3) + Math.sqrt(245 / 3)) / 3,
      5,
    );
    expect(cv.metrics.rmse).toBeCloseTo(Math.sqrt(38.5), 5);
  });

  it('a hand-checked case: the pooled log loss of a fold model that predicts a constant', async () => {
    // 8 rows, 4 of each class, 2 folds; fold 1's model says p(b) = 0.25, fold 2's 0.5.
    const rows = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'].map((y) => ({ y }));
    let call = 0;
    const family = fakeFamily(() => {
      const p = ++call === 1 ? 0.25 : 0.5;
      return () => p;
    });
    const cv = await crossValidate(
      { type: 'linear', l2: 0 },
      inputsOf(rows, []),
      rows,
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
      0.25,
      family.trainFn,
    );
    const fold1 = (2 * -Math.log(0.75) + 2 * -Math.log(0.25)) / 4;
    const fold2 = -Math.log(0.5);
    expect(cv.folds[0]!.loss).toBeCloseTo(fold1, 6);
    expect(cv.folds[1]!.loss).toBeCloseTo(fold2, 6);
    expect(cv.loss).toBeCloseTo((fold1 + fold2) / 2, 6);
    expect(cv.metrics.accuracy).toBe(0.5);
  });
});

describe('planRefit', () => {
  const fold = (best: number, fitRows: number) => ({
    fitRows,
    stoppingRows: 0,
    judgedRows: 0,
    loss: 0,
    best,
    seconds: 0,
  });

  it('gbdt: the mean best iteration scaled by rows / mean fit rows, early stopping off', () => {
    const plan = planRefit(
      { type: 'gbdt', maxIter: 100, earlyStopping: true } as ModelConfig,
      DEFAULT_TRAINING,
      [fold(31, 750), fold(67, 754), fold(20, 754), fold(19, 754), fold(28, 754)],
      1047,
    );
    // mean best 33, mean fit rows 753.2: 33 × 1047 / 753.2 = 45.87.
    expect(plan).toMatchObject({ unit: 'iteration', length: 46, rows: 1047 });
    expect(plan.model).toMatchObject({ type: 'gbdt', maxIter: 46, earlyStopping: false });
    expect(plan.training).toBe(DEFAULT_TRAINING);
  });

  it('networks: the mean best epoch, unscaled, as a fixed epoch count', () => {
    const plan = planRefit(
      { type: 'mlp', hidden: [4], dropout: 0, l2: 0, activation: 'relu' },
      DEFAULT_TRAINING,
      [fold(37, 750), fold(28, 750), fold(26, 750), fold(6, 750), fold(11, 750)],
      1047,
    );
    expect(plan).toMatchObject({ unit: 'epoch', length: 22, foldBest: [37, 28, 26, 6, 11] });
    expect(plan.training).toMatchObject({ epochs: 22, earlyStopping: false, seed: 42 });
  });

  it('never trains for zero iterations', () => {
    const plan = planRefit({ type: 'linear', l2: 0 }, DEFAULT_TRAINING, [fold(0, 10)], 12);
    expect(plan.length).toBe(1);
  });
});

describe('lowestLoss', () => {
  it('picks the lowest, the earlier on a tie, a number over NaN, the first when none is one', () => {
    expect(lowestLoss([0.5, 0.4, 0.45])).toBe(1);
    expect(lowestLoss([0.4, 0.5, 0.4])).toBe(0);
    expect(lowestLoss([Number.NaN, 0.7, 0.6])).toBe(2);
    expect(lowestLoss([0.7, Number.NaN])).toBe(0);
    expect(lowestLoss([Number.NaN, Number.NaN])).toBe(0);
  });
});

describe('trainAuto with cross-validation', () => {
  const AUTO = { ...DEFAULT_AUTO, candidates: [...DEFAULT_AUTO.candidates] };
  const TRAIN = ROWS.slice(0, 83);
  const VALIDATION = ROWS.slice(83);
  const TEST: RawRow[] = [
    { id: 't1', y: 'a' },
    { id: 't2', y: 'b' },
  ];
  // gbdt predicts the prior of its rows (the best log loss here), linear 0.5, mlp 0.9.
  const byFamily = (model: ModelConfig, trainRows: readonly RawRow[]) => {
    const p = model.type === 'gbdt' ? shareOfB(trainRows) : model.type === 'linear' ? 0.5 : 0.9;
    return () => p;
  };

  it('cross-validates on small data only, with two rows per fold at least', () => {
    expect(crossValidates(AUTO, 10_000)).toBe(true);
    expect(crossValidates(AUTO, 10_001)).toBe(false);
    expect(crossValidates(AUTO, 9)).toBe(false);
    expect(crossValidates({ ...AUTO, foldsMaxRows: 0 }, 100)).toBe(false);
  });

  it('ranks by the pooled out-of-fold loss and refits the chosen on every non-test row', async () => {
    // The folds' early stopping keeps 20, 30, ... iterations or epochs, call after call.
    const family = fakeFamily(byFamily, { best: (call) => 10 * ((call % 6) + 1) });
    const { chosen, records, summary } = await trainAuto(
      { ...AUTO, candidates: ['mlp', 'linear', 'gbdt'] },
      inputsOf(TRAIN, VALIDATION),
      TEST,
      'm',
      family.trainFn,
    );
    expect(summary).toMatchObject({ ranking: 'cross-validation', rows: 103, folds: 5 });
    // linear's folds are ln 2 − about 0.56 above gbdt's, far beyond their spread.
    expect(summary.choice).toEqual({ rule: 'lowest-loss', lowest: 'gbdt' });
    // 5 folds and a refit per candidate.
    expect(family.calls).toHaveLength(18);
    // Ensemble selection keeps gbdt alone (no blend beats it): no ensemble to rank.
    expect(records.at(-1)).toEqual({
      model: 'ensemble',
      skipped: 'ensemble selection kept gbdt alone',
    });
    const trained = records.slice(0, -1) as TrainedRecord[];
    expect(trained.map((r) => [r.model, r.chosen])).toEqual([
      ['mlp', false],
      ['linear', false],
      ['gbdt', true],
    ]);
    const losses = trained.map((r) => r.validationLoss);
    expect(losses[2]).toBeLessThan(losses[1]!);
    expect(losses[1]).toBeLessThan(losses[0]!);
    // linear says 0.5 for every row: its pooled log loss is ln 2 exactly.
    expect(losses[1]).toBeCloseTo(Math.LN2, 6);
    const gbdtRefit = family.calls[17]!;
    expect(new Set(gbdtRefit.trainRows)).toEqual(new Set([...TRAIN, ...VALIDATION]));
    expect(gbdtRefit.validationRows).toEqual([]);
    // gbdt's folds (calls 13..17) kept 20, 30, 40, 50, 60: mean 40, scaled by 103 / mean fit rows.
    const folds = trained[2]!.crossValidation!.folds;
    expect(folds.map((fold) => fold.best)).toEqual([20, 30, 40, 50, 60]);
    const meanFit = folds.reduce((sum, fold) => sum + fold.fitRows, 0) / 5;
    const length = Math.round((40 * 103) / meanFit);
    expect(gbdtRefit.model).toMatchObject({ type: 'gbdt', maxIter: length, earlyStopping: false });
    expect(trained[2]!.refit).toMatchObject({ rows: 103, unit: 'iteration', length });
    expect(chosen.model).toBe(gbdtRefit.model);
    // The mlp's refit: a fixed epoch count, the mean of its folds' (20..60: 40), no stopping.
    const mlpRefit = family.calls[5]!;
    expect(mlpRefit.trainRows).toHaveLength(103);
    expect(mlpRefit.training).toMatchObject({ epochs: 40, earlyStopping: false });
    // Test metrics are the refit's: p(b) = 26 / 103 on both test rows.
    expect(trained[2]!.test.logLoss).toBeCloseTo(
      (-Math.log(1 - 26 / 103) - Math.log(26 / 103)) / 2,
      6,
    );
  });

  it('skips a candidate not started once the budget is spent; a started one runs all folds', async () => {
    const family = fakeFamily(byFamily, { waitMs: 5 });
    const { records, summary } = await trainAuto(
      { ...AUTO, budgetSeconds: 0.001 },
      inputsOf(TRAIN, VALIDATION),
      TEST,
      'm',
      family.trainFn,
    );
    expect(records.map((r) => ('skipped' in r ? `${r.model}: skipped` : r.model))).toEqual([
      'gbdt',
      'linear: skipped',
      'mlp: skipped',
    ]);
    expect(family.calls).toHaveLength(6);
    expect(summary.trainSeconds).toBe((records[0] as TrainedRecord).trainSeconds);
    // Each fold trained past the budget and stopped there; the refit is bounded by the folds.
    const folds = (records[0] as TrainedRecord).crossValidation!.folds;
    expect(folds.map((fold) => fold.stoppedByBudget)).toEqual([true, true, true, true, true]);
    expect((records[0] as TrainedRecord).stoppedByBudget).toBe(5);
    for (const call of family.calls.slice(0, 5)) expect(call.deadline).toBeTypeOf('number');
    expect(family.calls[5]!.deadline).toBeUndefined();
  });

  it('gives every training the budget as a deadline, and records none cut within it', async () => {
    const family = fakeFamily(byFamily);
    const before = performance.now();
    const { records } = await trainAuto(
      { ...AUTO, foldsMaxRows: 50, budgetSeconds: 3600 },
      inputsOf(TRAIN, VALIDATION),
      TEST,
      'm',
      family.trainFn,
    );
    for (const call of family.calls) {
      expect(call.deadline).toBeGreaterThanOrEqual(before + 3600 * 1000);
      expect(call.deadline).toBeLessThanOrEqual(performance.now() + 3600 * 1000);
    }
    const trained = records.filter((r) => !('skipped' in r)) as TrainedRecord[];
    expect(trained.map((r) => r.stoppedByBudget)).toEqual([0, 0, 0]);
  });

  it('is seeded: the same seed gives the same folds and figures', async () => {
    const run = async (seed: number) => {
      const family = fakeFamily(byFamily);
      const inputs = { ...inputsOf(TRAIN, VALIDATION), training: { ...DEFAULT_TRAINING, seed } };
      const outcome = await trainAuto(AUTO, inputs, TEST, 'm', family.trainFn);
      return {
        rows: family.calls.map((call) => call.trainRows.map((row) => row.id).join()),
        losses: (outcome.records as TrainedRecord[]).map((r) => r.validationLoss),
      };
    };
    expect(await run(3)).toEqual(await run(3));
    expect((await run(4)).rows).not.toEqual((await run(3)).rows);
    expect(deriveSeed(3, 'auto-folds')).not.toBe(deriveSeed(4, 'auto-folds'));
  });

  it('keeps the holdout ranking above foldsMaxRows', async () => {
    const family = fakeFamily(byFamily);
    const { summary } = await trainAuto(
      { ...AUTO, foldsMaxRows: 50 },
      inputsOf(TRAIN, VALIDATION),
      TEST,
      'm',
      family.trainFn,
    );
    expect(summary.ranking).toBe('holdout');
    expect(family.calls).toHaveLength(3);
    for (const call of family.calls) {
      expect(call.trainRows.some((row) => VALIDATION.includes(row))).toBe(false);
    }
  });
});

describe('chooseCandidate', () => {
  // Hand-checked: gbdt's fold losses minus mlp's are 0.02, 0.00, 0.04, −0.01, 0.05: mean 0.02,
  // sample variance (0 + 0.0004 + 0.0004 + 0.0009 + 0.0009) / 4 = 0.00065, standard error
  // √(0.00065 / 5) = 0.011402; gbdt's mean difference 0.02 is above it: it is not kept.
  const mlp = { loss: 0.45, foldLosses: [0.44, 0.46, 0.43, 0.47, 0.45] };
  const gbdtApart = { loss: 0.47, foldLosses: [0.46, 0.46, 0.47, 0.46, 0.5] };
  // Here the differences are 0.03, −0.02, 0.04, −0.01, 0.01: mean 0.01, standard error
  // √(((0.02)² + (0.03)² + (0.03)² + (0.02)² + 0²) / 4 / 5) = 0.011402 ≥ 0.01: kept.
  const gbdtLevel = { loss: 0.46, foldLosses: [0.47, 0.44, 0.47, 0.46, 0.46] };

  it('keeps the lowest when the earlier candidates are more than one standard error above it', () => {
    expect(chooseCandidate([gbdtApart, mlp], 'one-standard-error')).toEqual({
      index: 1,
      lowest: 1,
      rule: 'lowest-loss',
    });
  });

  it('keeps the first candidate within one standard error of the lowest, with the figures', () => {
    const choice = chooseCandidate([gbdtLevel, gbdtApart, mlp], 'one-standard-error');
    expect(choice).toMatchObject({ index: 0, lowest: 2, rule: 'one-standard-error' });
    expect(choice.difference).toBeCloseTo(0.01, 12);
    expect(choice.standardError).toBeCloseTo(Math.sqrt(0.0026 / 4 / 5), 12);
    // Listed after a candidate that is apart, the level one is still found.
    expect(chooseCandidate([gbdtApart, gbdtLevel, mlp], 'one-standard-error').index).toBe(1);
  });

  it('keeps the lowest under lowest-loss, without fold losses, or with folds that do not pair', () => {
    expect(chooseCandidate([gbdtLevel, mlp], 'lowest-loss').index).toBe(1);
    const holdout = [{ loss: 0.46 }, { loss: 0.45 }];
    expect(chooseCandidate(holdout, 'one-standard-error')).toEqual({
      index: 1,
      lowest: 1,
      rule: 'lowest-loss',
    });
    const fewer = { loss: 0.46, foldLosses: [0.47, 0.44, 0.47] };
    expect(chooseCandidate([fewer, mlp], 'one-standard-error').index).toBe(1);
    const failed = { loss: 0.46, foldLosses: [Number.NaN, 0.44, 0.47, 0.46, 0.46] };
    expect(chooseCandidate([failed, mlp], 'one-standard-error').index).toBe(1);
  });
});
