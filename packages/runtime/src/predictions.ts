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
    let best = 0;
    for (let k = 0; k < classes.length; k++) {
      const p = batch.outputs[offset + k] as number;
      probabilities[classes[k] as string] = p;
      if (p > (batch.outputs[offset + best] as number)) best = k;
    }
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
