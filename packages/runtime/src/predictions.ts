import type { PredictionBatch, Predictor } from './predictor.ts';

export interface ClassPrediction {
  label: string;
  /** class → probability, in class order. */
  probabilities: Record<string, number>;
}

export interface ValuePrediction {
  value: number;
}

export type Prediction = ClassPrediction | ValuePrediction;

/**
 * One object per row: the most probable class (the first on a tie) with every class
 * probability, or the regression value. Rejected rows (errors: 'collect') are null.
 */
export function toPredictions(
  predictor: Pick<Predictor, 'classes'>,
  batch: PredictionBatch,
): Array<Prediction | null> {
  const { classes } = predictor;
  const rejected = new Set(batch.rejected);
  const out: Array<Prediction | null> = new Array(batch.rows);
  for (let row = 0; row < batch.rows; row++) {
    if (rejected.has(row)) {
      out[row] = null;
      continue;
    }
    const offset = row * batch.width;
    if (!classes) {
      out[row] = { value: batch.outputs[offset] as number };
      continue;
    }
    const probabilities: Record<string, number> = {};
    for (let k = 0; k < classes.length; k++) {
      probabilities[classes[k] as string] = batch.outputs[offset + k] as number;
    }
    const best = predictedClass(batch.outputs, offset, classes.length);
    out[row] = { label: classes[best] as string, probabilities };
  }
  return out;
}

/**
 * The flat column names of a prediction, shared by every tabular output (the server's CSV and
 * NDJSON answers, batch scoring): classifiers `label` and `probability_<class>` per class in class
 * order; regressors `value`. They match the JSON prediction's field names.
 */
export function predictionColumns(classes: readonly string[] | undefined): string[] {
  if (classes === undefined) return ['value'];
  return ['label', ...classes.map((name) => `probability_${name}`)];
}

/**
 * The most probable class of one row of probabilities, out[offset, offset + width): the index of
 * the largest value. Tie rule: the first (lowest) index wins, as numpy's argmax and
 * toPredictions; a NaN never wins, so a row of NaN gives 0.
 *
 * @example predictedClass(batch.outputs, row * batch.width, batch.width)
 */
export function predictedClass(
  probabilities: ArrayLike<number>,
  offset = 0,
  width: number = probabilities.length - offset,
): number {
  let best = 0;
  let bestValue = probabilities[offset] as number;
  for (let k = 1; k < width; k++) {
    const p = probabilities[offset + k] as number;
    if (p > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(p))) {
      best = k;
      bestValue = p;
    }
  }
  return best;
}
