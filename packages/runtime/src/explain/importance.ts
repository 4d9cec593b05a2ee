import type { RawRow } from '@tandem/features';
import type { Predictor } from '../predictor.ts';
import { Explainer, type ExplanationMethod, type ExplanationSpace } from './explainer.ts';

/** Rows explained at most: the first ones given (the exact MLP method costs milliseconds a row). */
export const IMPORTANCE_MAX_ROWS = 1000;

/** Global importance of each raw input column: what the manifest stores. */
export interface GlobalImportance {
  method: ExplanationMethod;
  space: ExplanationSpace;
  /** Rows explained (valid rows among the first IMPORTANCE_MAX_ROWS). */
  rows: number;
  /** Mean |contribution| per raw column, in pipeline column order. */
  columns: Record<string, number>;
}

/**
 * Mean absolute contribution of each raw column over rows (the trainer passes the validation
 * rows): binary models in log-odds of classes[1], multiclass models averaged over every class's
 * margin, regressors in the target's unit. Invalid rows are skipped.
 *
 * @example
 *   globalImportance(predictor, validationRows).columns;  // { Income: 0.41, Home: 0.12, … }
 */
export function globalImportance(
  predictor: Predictor,
  rows: readonly RawRow[],
  maxRows: number = IMPORTANCE_MAX_ROWS,
): GlobalImportance {
  const explainer = Explainer.of(predictor);
  const batch = explainer.explainBatch(rows.slice(0, maxRows), {
    classes: predictor.task === 'multiclass' ? 'all' : 'default',
    errors: 'collect',
  });
  const totals = new Float64Array(explainer.columns.length);
  let explained = 0;
  for (const list of batch.explanations) {
    if (list.length === 0) continue;
    explained++;
    for (const explanation of list) {
      explainer.columns.forEach((column, p) => {
        totals[p] = totals[p]! + Math.abs(explanation.contributions[column]!) / list.length;
      });
    }
  }
  return {
    method: explainer.method,
    space: explainer.space,
    rows: explained,
    columns: Object.fromEntries(
      explainer.columns.map((column, p) => [column, explained > 0 ? totals[p]! / explained : 0]),
    ),
  };
}
