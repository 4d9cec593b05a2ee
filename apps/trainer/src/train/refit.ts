import type { ModelConfig, TrainingConfig } from '../config/types.ts';
import type { FoldFigures } from './cross-validate.ts';

/** How the chosen length of training carries over from the folds to the refit. */
export interface RefitPlan {
  model: ModelConfig;
  training: TrainingConfig;
  /** 'iteration' (gbdt) or 'epoch' (networks). */
  unit: 'iteration' | 'epoch';
  /** Boosting iterations or epochs of the refit, fixed: nothing is left to stop on. */
  length: number;
  /** The folds' early-stopped lengths it came from. */
  foldBest: number[];
  rows: number;
}

/**
 * The refit's settings: the candidate trained on all `rows` (training + validation) for a fixed
 * length taken from its folds' early stopping, without early stopping (no rows are left over).
 *
 * - gbdt: the mean of the folds' best iterations, scaled by rows / mean fit rows, the rule of
 *   gbdt's own refit (train-gbdt.ts): one iteration is one step whatever the rows, and a model
 *   fitted on more rows overfits later at the same learning rate.
 * - linear, mlp: the mean of the folds' best epochs, unscaled: an epoch is a pass over the rows,
 *   so at a fixed batch size it already takes proportionally more steps on more rows.
 */
export function planRefit(
  model: ModelConfig,
  training: TrainingConfig,
  folds: readonly FoldFigures[],
  rows: number,
): RefitPlan {
  const foldBest = folds.map((fold) => fold.best);
  const meanBest = mean(foldBest);
  if (model.type === 'gbdt') {
    const meanFit = mean(folds.map((fold) => fold.fitRows));
    const length = Math.max(1, Math.round((meanBest * rows) / meanFit));
    return {
      model: { ...model, earlyStopping: false, maxIter: length },
      training,
      unit: 'iteration',
      length,
      foldBest,
      rows,
    };
  }
  const length = Math.max(1, Math.round(meanBest));
  return {
    model,
    training: { ...training, epochs: length, earlyStopping: false },
    unit: 'epoch',
    length,
    foldBest,
    rows,
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}
