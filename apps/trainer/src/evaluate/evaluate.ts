import type { RawRow } from '@tandem/features';
import type { Metrics, Task } from '@tandem/model-store';
import type { Predictor } from '@tandem/runtime';
import { toNumber } from '../data/cells.ts';
import { classOf } from '../data/target.ts';
import {
  accuracy,
  argmaxRows,
  classScores,
  confusionMatrix,
  logLoss,
  macroF1,
  mae,
  r2,
  rmse,
  rocAuc,
} from './metrics.ts';

/** Model outputs computed elsewhere: rows × classes probabilities, or one value per row. */
export interface ModelOutputs {
  outputs: Float32Array;
  /** Class names in output order; absent for regression. */
  classes?: readonly string[];
}

export interface ClassificationDetail {
  classes: string[];
  /** counts[actual][predicted]. */
  confusionMatrix: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
}

export interface Evaluation {
  task: Task;
  /** Rows the metrics cover. */
  rows: number;
  /** Rows the predictor rejected as invalid input: left out of the metrics. */
  rejected: number;
  metrics: Metrics;
  /** Per-class figures (classification only). */
  detail?: ClassificationDetail;
}

/**
 * Scores a model on rows holding the target, through the same Predictor the server uses, or
 * scores outputs computed elsewhere against the true targets (class names or numbers).
 *
 * @example
 *   const { metrics } = evaluate('binary', predictor, testRows, 'Status');
 *   const same = evaluate('binary', { outputs, classes: ['bad', 'good'] }, targets);
 */
export function evaluate(
  task: Task,
  predictor: Predictor,
  rows: readonly RawRow[],
  target: string,
): Evaluation;
export function evaluate(
  task: Task,
  outputs: ModelOutputs,
  targets: readonly unknown[],
): Evaluation;
export function evaluate(
  task: Task,
  source: Predictor | ModelOutputs,
  data: readonly RawRow[] | readonly unknown[],
  target?: string,
): Evaluation {
  if (!('predictBatch' in source)) return scoreOutputs(task, source, data, 0);
  if (target === undefined)
    throw new TypeError('evaluate(task, predictor, rows, target) needs the target column');
  const rows = data as readonly RawRow[];
  const batch = source.predictBatch(rows, { errors: 'collect' });
  const rejected = new Set(batch.rejected);
  const width = batch.width;
  const outputs = new Float32Array((rows.length - rejected.size) * width);
  const targets: unknown[] = [];
  let kept = 0;
  rows.forEach((row, index) => {
    if (rejected.has(index)) return;
    outputs.set(batch.outputs.subarray(index * width, (index + 1) * width), kept * width);
    targets.push(row[target]);
    kept++;
  });
  const classes = source.classes;
  return scoreOutputs(task, classes ? { outputs, classes } : { outputs }, targets, rejected.size);
}

function scoreOutputs(
  task: Task,
  source: ModelOutputs,
  targets: readonly unknown[],
  rejected: number,
): Evaluation {
  if (task === 'regression') {
    const truth = Float64Array.from(targets, (value) => toNumber(value) ?? Number.NaN);
    const predicted = source.outputs.subarray(0, truth.length);
    return {
      task,
      rows: truth.length,
      rejected,
      metrics: finite({
        rmse: rmse(truth, predicted),
        mae: mae(truth, predicted),
        r2: r2(truth, predicted),
      }),
    };
  }
  const classes = [...(source.classes ?? [])];
  const k = classes.length;
  const index = new Map(classes.map((name, position) => [name, position]));
  // A class the model never saw gets -1: always wrong, probability 0 in the log loss.
  const truth = Int32Array.from(targets, (value) => index.get(classOf(value)) ?? -1);
  const predicted = argmaxRows(source.outputs, k);
  const confusion = confusionMatrix(truth, predicted, k);
  const scores = classScores(confusion);
  const metrics: Metrics = {
    accuracy: accuracy(truth, predicted),
    logLoss: logLoss(source.outputs, truth, k),
    macroF1: macroF1(confusion),
  };
  if (task === 'binary') {
    // The positive class is classes[1], the alphabetically second, as in scikit-learn.
    const scoresOfPositive = Float64Array.from(
      { length: truth.length },
      (_, i) => source.outputs[i * k + 1] ?? 0,
    );
    metrics.auc = rocAuc(
      scoresOfPositive,
      Array.from(truth, (label) => label === 1),
    );
    metrics.precision = scores.precision[1] ?? 0;
    metrics.recall = scores.recall[1] ?? 0;
    metrics.f1 = scores.f1[1] ?? 0;
  }
  metrics.confusionMatrix = confusion;
  return {
    task,
    rows: truth.length,
    rejected,
    metrics: finite(metrics),
    detail: { classes, confusionMatrix: confusion, ...scores },
  };
}

/** Drops undefined figures (AUC with a single class present): JSON has no NaN. */
function finite(metrics: Metrics): Metrics {
  const result: Metrics = {};
  for (const [key, value] of Object.entries(metrics) as Array<
    [keyof Metrics, Metrics[keyof Metrics]]
  >) {
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    (result as Record<string, unknown>)[key] = value;
  }
  return result;
}
