import type { Metrics, Task } from '@tandem/model-store';
import type { Evaluation } from '../evaluate/evaluate.ts';

/** The headline metrics of a task, in display order. */
export const TASK_METRICS: Record<Task, ReadonlyArray<keyof Metrics>> = {
  binary: ['accuracy', 'auc', 'logLoss', 'macroF1', 'precision', 'recall', 'f1'],
  multiclass: ['accuracy', 'macroF1', 'logLoss'],
  regression: ['rmse', 'mae', 'r2'],
};

export function formatNumber(value: number | undefined, digits = 4): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** Left-aligned first column, right-aligned others. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * A short text table of the test metrics beside the trivial baseline's, then the confusion
 * matrix (rows: actual class, columns: predicted class).
 */
export function metricsTable(test: Evaluation, baseline: Evaluation): string[] {
  const rows: string[][] = [['metric', 'model', 'baseline']];
  for (const key of TASK_METRICS[test.task]) {
    const model = test.metrics[key];
    if (typeof model !== 'number') continue;
    rows.push([
      key,
      formatNumber(model),
      formatNumber(baseline.metrics[key] as number | undefined),
    ]);
  }
  const lines = alignColumns(rows);
  const detail = test.detail;
  if (detail) {
    lines.push('', 'confusion matrix (rows: actual, columns: predicted)');
    lines.push(
      ...alignColumns([
        ['', ...detail.classes],
        ...detail.confusionMatrix.map((counts, i) => [
          detail.classes[i] ?? '',
          ...counts.map(String),
        ]),
      ]),
    );
  }
  const rejected = test.rejected > 0 ? `; ${test.rejected} rejected as invalid input` : '';
  lines.unshift(`test set: ${test.rows} rows${rejected}`);
  return lines;
}
