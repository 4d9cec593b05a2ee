import type { Metrics, Task } from '@tandem/model-store';

/** The figure auto compares: log loss for classifiers, RMSE for regressors (lower is better). */
export function comparedLoss(task: Task, metrics: Metrics): number {
  return (task === 'regression' ? metrics.rmse : metrics.logLoss) ?? Number.NaN;
}

/**
 * Index of the lowest loss: the earlier one on a tie (candidates are listed cheapest first, so
 * a tie keeps the cheaper model), never a NaN over a number; 0 when no loss is a number (no
 * validation rows: the first candidate trained).
 */
export function lowestLoss(losses: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < losses.length; i++) {
    const loss = losses[i] as number;
    const held = losses[best] as number;
    if (Number.isNaN(loss)) continue;
    if (Number.isNaN(held) || loss < held) best = i;
  }
  return best;
}
