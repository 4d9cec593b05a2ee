/**
 * Metric functions on plain arrays, matching scikit-learn's definitions. Class indices refer
 * to a `classes` list; probabilities are row-major (rows × classes).
 */

/** Share of rows whose predicted class equals the true class. */
export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hits++;
  return hits / truth.length;
}

/**
 * Area under the ROC curve from scores (higher = more likely positive): the Mann–Whitney
 * statistic with tied scores given their average rank, so a tie counts one half.
 * NaN when only one class is present.
 */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let rankSum = 0;
  let start = 0;
  while (start < n) {
    let end = start;
    const score = scores[order[start] as number] as number;
    while (end + 1 < n && scores[order[end + 1] as number] === score) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (positive[order[k] as number]) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** scikit-learn clips probabilities to [eps, 1 - eps] so one confident mistake stays finite. */
export const LOG_LOSS_EPSILON = 1e-15;

/**
 * Mean negative log-likelihood of the true class. A true class index outside [0, classes)
 * (a class the model never saw) counts as probability 0.
 */
export function logLoss(
  probabilities: ArrayLike<number>,
  truth: ArrayLike<number>,
  classCount: number,
): number {
  if (truth.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    const label = truth[i] as number;
    const p =
      label >= 0 && label < classCount ? (probabilities[i * classCount + label] as number) : 0;
    total -= Math.log(Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p)));
  }
  return total / truth.length;
}

/** The index of the largest value in each row (the first on ties). */
export function argmaxRows(values: ArrayLike<number>, columns: number): Int32Array {
  const rows = Math.floor(values.length / columns);
  const result = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++) {
      if ((values[r * columns + c] as number) > (values[r * columns + best] as number)) best = c;
    }
    result[r] = best;
  }
  return result;
}

/** counts[actual][predicted]: the report's confusion matrix, which the metrics are read from. */
export { confusion as confusionMatrix } from '@tandem/report';

export interface ClassScores {
  precision: number[];
  recall: number[];
  f1: number[];
  /** True rows of each class. */
  support: number[];
}

/** Precision, recall and F1 of each class; an undefined ratio is 0 (scikit-learn's zero_division). */
export function classScores(confusion: readonly (readonly number[])[]): ClassScores {
  const k = confusion.length;
  const scores: ClassScores = { precision: [], recall: [], f1: [], support: [] };
  for (let c = 0; c < k; c++) {
    const truePositives = confusion[c]?.[c] ?? 0;
    let predictedCount = 0;
    let actualCount = 0;
    for (let other = 0; other < k; other++) {
      predictedCount += confusion[other]?.[c] ?? 0;
      actualCount += confusion[c]?.[other] ?? 0;
    }
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = actualCount === 0 ? 0 : truePositives / actualCount;
    scores.precision.push(precision);
    scores.recall.push(recall);
    scores.f1.push(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));
    scores.support.push(actualCount);
  }
  return scores;
}

/** Unweighted mean of the per-class F1 scores. */
export function macroF1(confusion: readonly (readonly number[])[]): number {
  const { f1 } = classScores(confusion);
  return f1.length === 0 ? Number.NaN : f1.reduce((sum, value) => sum + value, 0) / f1.length;
}

export function rmse(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < truth.length; i++)
    total += ((truth[i] as number) - (predicted[i] as number)) ** 2;
  return Math.sqrt(total / truth.length);
}

export function mae(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length === 0) return Number.NaN;
  let total = 0;
  for (let i = 0; i < truth.length; i++)
    total += Math.abs((truth[i] as number) - (predicted[i] as number));
  return total / truth.length;
}

/**
 * Coefficient of determination, 1 − SS_res / SS_tot. A constant truth gives 1 for a perfect
 * prediction and 0 otherwise, as scikit-learn does.
 */
export function r2(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const n = truth.length;
  if (n === 0) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i] as number;
  mean /= n;
  let residual = 0;
  let spread = 0;
  for (let i = 0; i < n; i++) {
    residual += ((truth[i] as number) - (predicted[i] as number)) ** 2;
    spread += ((truth[i] as number) - mean) ** 2;
  }
  if (spread === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / spread;
}
