/**
 * Classifier curves from scores and 0/1 truths, computed the way scikit-learn does: one point per
 * distinct score (ties move together), trapezoidal ROC AUC, step-wise average precision.
 */

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
}

/** Distinct scores from high to low with the true and false positives at or above each. */
function cumulative(scores: ArrayLike<number>, truths: ArrayLike<number>) {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number),
  );
  const points: Array<{ threshold: number; tp: number; fp: number }> = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (truths[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      points.push({ threshold: scores[i] as number, tp, fp });
    }
  }
  return { points, positives: tp, negatives: fp };
}

export function rocCurve(scores: ArrayLike<number>, truths: ArrayLike<number>): RocPoint[] {
  const { points, positives, negatives } = cumulative(scores, truths);
  const curve: RocPoint[] = [{ threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 }];
  for (const p of points) {
    curve.push({
      threshold: p.threshold,
      fpr: negatives === 0 ? 0 : p.fp / negatives,
      tpr: positives === 0 ? 0 : p.tp / positives,
    });
  }
  return curve;
}

/** Area under the ROC curve by the trapezoidal rule; NaN with one class only. */
export function rocAuc(curve: readonly RocPoint[]): number {
  let area = 0;
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1] as RocPoint;
    const b = curve[k] as RocPoint;
    area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
  }
  const last = curve[curve.length - 1];
  return last && last.fpr === 1 && last.tpr === 1 ? area : Number.NaN;
}

export function prCurve(scores: ArrayLike<number>, truths: ArrayLike<number>): PrPoint[] {
  const { points, positives } = cumulative(scores, truths);
  return points.map((p) => ({
    threshold: p.threshold,
    precision: p.tp / (p.tp + p.fp),
    recall: positives === 0 ? 0 : p.tp / positives,
  }));
}

/** Average precision: Σ (R_n − R_{n−1}) · P_n (scikit-learn's average_precision_score). */
export function averagePrecision(curve: readonly PrPoint[]): number {
  let area = 0;
  let previous = 0;
  for (const p of curve) {
    area += (p.recall - previous) * p.precision;
    previous = p.recall;
  }
  return area;
}

export interface CalibrationBin {
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Share of positives in the bin. */
  observed: number;
  rows: number;
}

/** Reliability diagram over equal-width bins of [0, 1]; empty bins are left out. */
export function calibrationBins(
  scores: ArrayLike<number>,
  truths: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  const sums = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(s * bins)));
    sums[b] = (sums[b] as number) + s;
    hits[b] = (hits[b] as number) + (truths[i] === 1 ? 1 : 0);
    counts[b] = (counts[b] as number) + 1;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = counts[b] as number;
    if (n > 0)
      out.push({ predicted: (sums[b] as number) / n, observed: (hits[b] as number) / n, rows: n });
  }
  return out;
}

export interface ThresholdRow {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of rows at or above the threshold (predicted positive). */
  positiveRate: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Confusion counts and scores when the positive class is predicted at score ≥ threshold. */
export function thresholdTable(
  scores: ArrayLike<number>,
  truths: ArrayLike<number>,
  thresholds: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
): ThresholdRow[] {
  return thresholds.map((threshold) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (let i = 0; i < scores.length; i++) {
      const positive = (scores[i] as number) >= threshold;
      if (truths[i] === 1) positive ? tp++ : fn++;
      else positive ? fp++ : tn++;
    }
    const precision = tp + fp === 0 ? Number.NaN : tp / (tp + fp);
    const recall = tp + fn === 0 ? Number.NaN : tp / (tp + fn);
    const f1 = tp === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return {
      threshold,
      precision,
      recall,
      f1,
      positiveRate: (tp + fp) / scores.length,
      tp,
      fp,
      fn,
      tn,
    };
  });
}

/**
 * counts[actual][predicted] from class indices; a row whose actual or predicted class is outside
 * [0, k) (a class the model never saw: -1) is not counted.
 */
export function confusion(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  k: number,
): number[][] {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const row = counts[actual[i] as number];
    const column = predicted[i] as number;
    if (row !== undefined && column >= 0 && column < k) row[column] = (row[column] ?? 0) + 1;
  }
  return counts;
}
