import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate/evaluate.ts';
import {
  accuracy,
  classScores,
  confusionMatrix,
  LOG_LOSS_EPSILON,
  logLoss,
  macroF1,
  mae,
  r2,
  rmse,
  rocAuc,
} from '../src/evaluate/metrics.ts';

describe('rocAuc', () => {
  it('matches the scikit-learn documentation example', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Pairs (pos, neg): (0.5, 0.5) ½, (0.5, 0.5) ½, (0.9, 0.5) 1, (0.9, 0.5) 1 → 3 / 4.
    expect(rocAuc([0.5, 0.5, 0.5, 0.9], [false, true, false, true])).toBeCloseTo(0.75, 12);
    // (0.2, 0.2) ½, (0.2, 0.8) 0, (0.8, 0.2) 1, (0.8, 0.8) ½ → 2 / 4.
    expect(rocAuc([0.2, 0.2, 0.8, 0.8], [false, true, false, true])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0.3, 0.3, 0.3], [true, false, true])).toBeCloseTo(0.5, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, NaN with one class', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNaN();
  });
});

describe('logLoss', () => {
  it('is the mean negative log-probability of the true class', () => {
    const probabilities = [0.9, 0.1, 0.2, 0.8, 0.6, 0.4];
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4)) / 3;
    expect(logLoss(probabilities, [0, 1, 1], 2)).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(0.4149316, 6);
  });

  it('clips a zero probability like scikit-learn', () => {
    expect(logLoss([1, 0], [1], 2)).toBeCloseTo(-Math.log(LOG_LOSS_EPSILON), 9);
    expect(logLoss([1, 0], [1], 2)).toBeCloseTo(34.538776, 5);
  });

  it('treats a class outside the model as probability 0', () => {
    expect(logLoss([0.5, 0.5], [-1], 2)).toBeCloseTo(34.538776, 5);
  });
});

describe('classification counts', () => {
  const truth = [0, 0, 1, 1, 2, 2];
  const predicted = [0, 1, 1, 1, 2, 0];

  it('builds the confusion matrix as counts[actual][predicted]', () => {
    expect(confusionMatrix(truth, predicted, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
    expect(accuracy(truth, predicted)).toBeCloseTo(4 / 6, 12);
  });

  it('computes per-class precision, recall, F1 and macro-F1 by hand', () => {
    const scores = classScores(confusionMatrix(truth, predicted, 3));
    expect(scores.precision).toEqual([0.5, 2 / 3, 1]);
    expect(scores.recall).toEqual([0.5, 1, 0.5]);
    expect(scores.f1[0]).toBeCloseTo(0.5, 12);
    expect(scores.f1[1]).toBeCloseTo(0.8, 12);
    expect(scores.f1[2]).toBeCloseTo(2 / 3, 12);
    expect(macroF1(confusionMatrix(truth, predicted, 3))).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
  });

  it('gives 0 for a class never predicted (zero_division=0)', () => {
    const scores = classScores(confusionMatrix([0, 1, 1], [1, 1, 1], 2));
    expect(scores.precision[0]).toBe(0);
    expect(scores.f1[0]).toBe(0);
    expect(scores.f1[1]).toBeCloseTo(0.8, 12);
  });
});

describe('regression metrics', () => {
  const truth = [3, -0.5, 2, 7];
  const predicted = [2.5, 0, 2, 8];

  it('match hand-computed values (scikit-learn r2_score example)', () => {
    expect(rmse(truth, predicted)).toBeCloseTo(Math.sqrt(0.375), 12);
    expect(mae(truth, predicted)).toBeCloseTo(0.5, 12);
    expect(r2(truth, predicted)).toBeCloseTo(0.9486081370449679, 12);
  });

  it('gives R² 0 for predicting the mean, negative when worse, and handles constant truth', () => {
    expect(r2([1, 2, 3], [2, 2, 2])).toBeCloseTo(0, 12);
    expect(r2([1, 2, 3], [3, 2, 1])).toBeCloseTo(-3, 12);
    expect(r2([5, 5], [5, 5])).toBe(1);
    expect(r2([5, 5], [4, 5])).toBe(0);
  });
});

describe('evaluate on given outputs', () => {
  it('takes classes[1] as the positive class of a binary task', () => {
    const outputs = new Float32Array([0.8, 0.2, 0.3, 0.7, 0.4, 0.6, 0.9, 0.1]);
    const { metrics, detail } = evaluate('binary', { outputs, classes: ['bad', 'good'] }, [
      'bad',
      'good',
      'bad',
      'good',
    ]);
    expect(metrics.accuracy).toBeCloseTo(0.5, 6);
    // Positive-class scores 0.2, 0.7, 0.6, 0.1 against truth good at rows 1 and 3.
    expect(metrics.auc).toBeCloseTo(rocAuc([0.2, 0.7, 0.6, 0.1], [false, true, false, true]), 12);
    expect(metrics.auc).toBeCloseTo(0.5, 12);
    expect(metrics.precision).toBeCloseTo(0.5, 12);
    expect(metrics.recall).toBeCloseTo(0.5, 12);
    expect(metrics.confusionMatrix).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(detail?.classes).toEqual(['bad', 'good']);
  });

  it('scores regression outputs against numeric-string targets', () => {
    const { metrics } = evaluate('regression', { outputs: new Float32Array([2.5, 0, 2, 8]) }, [
      '3',
      '-0.5',
      2,
      7,
    ]);
    expect(metrics.r2).toBeCloseTo(0.9486081370449679, 6);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(0.375), 6);
  });

  it('leaves out an undefined AUC instead of writing NaN', () => {
    const { metrics } = evaluate(
      'binary',
      { outputs: new Float32Array([0.6, 0.4]), classes: ['a', 'b'] },
      ['a'],
    );
    expect(metrics.auc).toBeUndefined();
    expect(metrics.accuracy).toBe(1);
  });
});
