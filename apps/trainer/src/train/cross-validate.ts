import { LabelEncoder, type RawRow } from '@tandem/features';
import type { Metrics } from '@tandem/model-store';
import type { ModelConfig } from '../config/types.ts';
import { evaluate } from '../evaluate/evaluate.ts';
import { deriveSeed } from '../split/prng.ts';
import type { CandidateInputs, TrainedCandidate } from './candidate.ts';
import type { HeldOut } from './ensemble-selection.ts';
import { carveStopping, complementOf } from './folds.ts';
import { comparedLoss } from './ranking.ts';

/** One fold of a candidate's cross-validation. */
export interface FoldFigures {
  /** Rows the fold's model learned from (its training folds minus its stopping rows). */
  fitRows: number;
  /** Rows carved from its training folds that it early-stopped on. */
  stoppingRows: number;
  /** Rows of the fold it is judged by (none of them seen in training). */
  judgedRows: number;
  /** Log loss or RMSE on the judged rows. */
  loss: number;
  /** The iteration (gbdt) or epoch (networks) its early stopping kept. */
  best: number;
  /** Its training reached auto's time budget and stopped there. */
  stoppedByBudget: boolean;
  seconds: number;
}

export interface CrossValidation {
  folds: FoldFigures[];
  /** The compared figure: log loss or RMSE of the pooled out-of-fold predictions. */
  loss: number;
  /** Mean of the folds' losses, for the record (a fold of bad luck shows in the spread). */
  meanFoldLoss: number;
  /** Every metric of the pooled out-of-fold predictions (confusion matrix left out). */
  metrics: Metrics;
  /** Rows a fold's model rejected as invalid input: left out of the pooled figures. */
  rejected: number;
  seconds: number;
  /** The pooled out-of-fold predictions, in pool order (what ensemble selection blends). */
  heldOut: HeldOut;
  /** The pool's classes, the order of those outputs; undefined for regression. */
  classes: readonly string[] | undefined;
}

export type TrainFn = (model: ModelConfig, inputs: CandidateInputs) => Promise<TrainedCandidate>;

/**
 * K-fold cross-validation of one candidate over `pool` (training + validation rows): fold f's
 * model trains on the other folds, early-stops on `stoppingShare` of them (carved stratified,
 * seeded per fold) and predicts fold f, which it never saw. The out-of-fold predictions of all
 * folds are pooled and scored once: with a few hundred rows per fold, a pooled loss weighs every
 * row alike where a mean of fold losses would weigh a small fold's noise as much as a large one.
 */
export async function crossValidate(
  model: ModelConfig,
  inputs: CandidateInputs,
  pool: readonly RawRow[],
  folds: readonly (readonly number[])[],
  stoppingShare: number,
  trainFn: TrainFn,
): Promise<CrossValidation> {
  const { task, target, training, log } = inputs;
  const classes =
    task === 'regression'
      ? undefined
      : LabelEncoder.fit(
          pool.map((row) => row[target]),
          { column: target },
        ).classes;
  const width = classes ? classes.length : 1;
  const outputs = new Float32Array(pool.length * width);
  const predicted = new Uint8Array(pool.length);
  const figures: FoldFigures[] = [];
  const started = performance.now();
  for (const [f, judged] of folds.entries()) {
    const label = `auto: ${model.type} fold ${f + 1}/${folds.length}`;
    const learn = complementOf(judged, pool.length).map((position) => pool[position] as RawRow);
    const { fit, stopping } = carveStopping(
      task,
      target,
      learn,
      stoppingShare,
      deriveSeed(training.seed, `auto-fold-stopping-${f}`),
    );
    const judgedRows = judged.map((position) => pool[position] as RawRow);
    const candidate = await trainFn(model, {
      ...inputs,
      trainRows: fit,
      validationRows: stopping,
      // One bar per fold would drown the log; the refit shows progress.
      progress: false,
      log: (line) => log(`${label}: ${line}`),
    });
    try {
      const predictor = candidate.predictor({ name: 'fold', version: 0, task, target });
      let foldMetrics: Metrics;
      try {
        const batch = predictor.predictBatch(judgedRows, { errors: 'collect' });
        const rejected = new Set(batch.rejected);
        // The fold model's classes are a subset of the pool's (a rare class can miss a fold's
        // training rows): its outputs go to the pool's columns, an unknown class gets 0.
        const column = (predictor.classes ?? []).map((name) => classes?.indexOf(name) ?? 0);
        judged.forEach((position, i) => {
          if (rejected.has(i)) return;
          predicted[position] = 1;
          for (let c = 0; c < batch.width; c++) {
            const to = classes ? (column[c] ?? -1) : 0;
            if (to >= 0) outputs[position * width + to] = batch.outputs[i * batch.width + c] ?? 0;
          }
        });
        foldMetrics = scoreRows(task, outputs, width, classes, pool, target, judged, predicted);
      } finally {
        predictor.dispose();
      }
      figures.push({
        fitRows: fit.length,
        stoppingRows: stopping.length,
        judgedRows: judged.length,
        loss: comparedLoss(task, foldMetrics),
        best: candidate.history.bestEpoch,
        stoppedByBudget: candidate.history.stoppedByDeadline,
        seconds: candidate.trainSeconds,
      });
    } finally {
      candidate.dispose();
    }
  }
  const all = pool.map((_, position) => position);
  const pooled = scoreRows(task, outputs, width, classes, pool, target, all, predicted);
  const { confusionMatrix: _matrix, ...metrics } = pooled;
  return {
    folds: figures,
    loss: comparedLoss(task, pooled),
    meanFoldLoss: figures.reduce((sum, fold) => sum + fold.loss, 0) / figures.length,
    metrics,
    rejected: predicted.reduce((sum, done) => sum + (done ? 0 : 1), 0),
    seconds: (performance.now() - started) / 1000,
    heldOut: { outputs, predicted },
    classes,
  };
}

/** Metrics of the out-of-fold predictions at `positions` (rejected rows left out). */
function scoreRows(
  task: CandidateInputs['task'],
  outputs: Float32Array,
  width: number,
  classes: readonly string[] | undefined,
  pool: readonly RawRow[],
  target: string,
  positions: readonly number[],
  predicted: Uint8Array,
): Metrics {
  const kept = positions.filter((position) => predicted[position] === 1);
  const values = new Float32Array(kept.length * width);
  kept.forEach((position, i) => {
    values.set(outputs.subarray(position * width, (position + 1) * width), i * width);
  });
  const targets = kept.map((position) => pool[position]?.[target]);
  return evaluate(task, classes ? { outputs: values, classes } : { outputs: values }, targets)
    .metrics;
}
