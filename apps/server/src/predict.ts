import type { RawRow, RowIssue } from '@tandem/features';
import { toPredictions } from '@tandem/runtime';
import { ServerError } from './errors.ts';
import type { ServerMetrics } from './metrics/metrics.ts';
import type { ServedVersion } from './registry/served-version.ts';

/** A classifier's answer for one row, or a regressor's. */
export type RowPrediction =
  | { label: string; probabilities: Record<string, number> }
  | { value: number };

/** What every protocol encodes from: the same numbers whatever the route. */
export interface Outcome {
  readonly name: string;
  readonly version: number;
  readonly rows: number;
  /** Classes in output order for classifiers; undefined for regressors. */
  readonly classes: readonly string[] | undefined;
  /** rows × (classes | 1), row-major float32, straight from the predictor. */
  readonly outputs: Float32Array;
  readonly predictions: readonly RowPrediction[];
  readonly warnings: readonly RowIssue[];
}

/**
 * The data plane shared by every route: one leased version, the runtime's Predictor (the same
 * code as training and batch scoring), invalid rows refused as a whole with their details.
 */
export function predictRows(
  served: ServedVersion,
  rows: readonly RawRow[],
  metrics: ServerMetrics,
): Outcome {
  served.acquire();
  try {
    const { predictor } = served;
    const batch = predictor.predictBatch(rows, { errors: 'collect' });
    if (batch.errors.length > 0) {
      metrics.rowsRejected(served.name, batch.rejected.length);
      const first = batch.errors[0];
      const more =
        batch.errors.length > 1
          ? ` (and ${batch.errors.length - 1} more problems in ${batch.rejected.length} rows)`
          : '';
      throw new ServerError(
        'TANDEM_INPUT_INVALID',
        `${first?.message ?? 'invalid input'}${more}`,
        batch.errors.slice(0, 100),
      );
    }
    metrics.rowsPredicted(served.name, served.version, rows.length);
    for (const issue of batch.issues) metrics.inputIssue(served.name, issue.column, issue.kind);
    return {
      name: served.name,
      version: served.version,
      rows: rows.length,
      classes: predictor.classes,
      outputs: batch.outputs,
      // No row was rejected (that threw above), so no prediction is null.
      predictions: toPredictions(predictor, batch) as RowPrediction[],
      warnings: batch.issues,
    };
  } finally {
    served.release();
  }
}

/** The predicted label of each row, in row order (classifiers only). */
export function labelsOf(outcome: Outcome): string[] {
  return outcome.predictions.map((p) => ('label' in p ? p.label : ''));
}
