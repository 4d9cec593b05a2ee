import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  calibrationBins,
  confusion,
  prCurve,
  rocAuc,
  rocCurve,
  thresholdTable,
} from '../src/index.ts';

// scikit-learn: roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75,
// average_precision_score(same) = 0.8333…
const scores = [0.1, 0.4, 0.35, 0.8];
const truths = [0, 0, 1, 1];

describe('classifier curves', () => {
  it('ROC AUC and average precision equal scikit-learn on its documented example', () => {
    expect(rocAuc(rocCurve(scores, truths))).toBeCloseTo(0.75, 12);
    expect(averagePrecision(prCurve(scores, truths))).toBeCloseTo(5 / 6, 12);
  });

  it('tied scores move together (one ROC point per distinct score)', () => {
    const curve = rocCurve([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]);
    expect(curve.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(rocAuc(curve)).toBe(0.5);
  });

  it('is NaN with one class only', () => {
    expect(rocAuc(rocCurve([0.2, 0.9], [1, 1]))).toBeNaN();
  });

  it('calibration bins average scores and truths per tenth', () => {
    expect(calibrationBins([0.05, 0.15, 0.12, 0.95], [0, 1, 0, 1])).toEqual([
      { predicted: 0.05, observed: 0, rows: 1 },
      { predicted: 0.135, observed: 0.5, rows: 2 },
      { predicted: 0.95, observed: 1, rows: 1 },
    ]);
  });

  it('threshold table counts each cell of the confusion matrix', () => {
    const [row] = thresholdTable(scores, truths, [0.38]);
    expect(row).toMatchObject({
      tp: 1,
      fp: 1,
      fn: 1,
      tn: 1,
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
      positiveRate: 0.5,
    });
    expect(confusion([0, 1, 2, 2], [0, 2, 2, 1], 3)).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 1],
    ]);
  });
});
