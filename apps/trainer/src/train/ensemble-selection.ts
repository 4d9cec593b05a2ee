import type { Metrics, Task } from '@tandem/model-store';
import { evaluate } from '../evaluate/evaluate.ts';
import { comparedLoss } from './ranking.ts';

/** A candidate's predictions on rows it never trained on (out-of-fold, or the validation part). */
export interface HeldOut {
  /** rows × width: probabilities in `classes` order, or the regression value. */
  outputs: Float32Array;
  /** 1 where the row was predicted (0: rejected as invalid input, or no fold predicted it). */
  predicted: Uint8Array;
}

/** Greedy picks with repeats (AutoGluon's default; Caruana et al. used a few dozen). */
export const ENSEMBLE_ROUNDS = 25;

export interface EnsembleSelection {
  /** Per candidate, in their order, its share of the blend (0: never picked); sums to 1. */
  weights: number[];
  /** Picks (with repeats) in the kept blend, of `rounds` made. */
  picks: number;
  rounds: number;
  /** The compared loss of the blend on the held-out rows. */
  loss: number;
  metrics: Metrics;
  /** The blend's held-out outputs and where they exist (rows every candidate predicted). */
  heldOut: HeldOut;
}

/**
 * Ensemble selection (Caruana, Niculescu-Mizil, Crew and Ksikes, "Ensemble Selection from
 * Libraries of Models", ICML 2004): starting from nothing, each round adds, with replacement, the
 * candidate whose addition gives the equal-weight average of all picks so far the lowest held-out
 * loss (log loss, or RMSE); the best round's picks, counted, are the weights. The first pick is
 * the best single candidate, so the blend's loss is at most its loss. Ties go to the earlier
 * candidate. Only rows that every candidate predicted count.
 *
 * @example selectEnsemble('binary', [gbdtHeldOut, mlpHeldOut], targets, ['no', 'yes']).weights
 *   // [0.64, 0.36]
 */
export function selectEnsemble(
  task: Task,
  candidates: readonly HeldOut[],
  targets: readonly unknown[],
  classes: readonly string[] | undefined,
  rounds = ENSEMBLE_ROUNDS,
): EnsembleSelection {
  const width = classes ? classes.length : 1;
  const n = targets.length;
  const shared = new Uint8Array(n);
  for (let row = 0; row < n; row++) {
    shared[row] = candidates.every((candidate) => candidate.predicted[row] === 1) ? 1 : 0;
  }
  const kept = [...shared.keys()].filter((row) => shared[row] === 1);
  const keptTargets = kept.map((row) => targets[row]);
  // Each candidate's outputs on the shared rows, compacted once.
  const compact = candidates.map((candidate) => {
    const out = new Float64Array(kept.length * width);
    kept.forEach((row, i) => {
      for (let c = 0; c < width; c++) out[i * width + c] = candidate.outputs[row * width + c] ?? 0;
    });
    return out;
  });
  const lossOf = (values: Float32Array): number =>
    comparedLoss(task, scoreOutputs(task, values, classes, keptTargets));

  const sum = new Float64Array(kept.length * width);
  const counts = new Array<number>(candidates.length).fill(0);
  const trial = new Float32Array(sum.length);
  let best = { loss: Number.POSITIVE_INFINITY, counts: [...counts], picks: 0 };
  for (let round = 1; round <= rounds; round++) {
    let pick = -1;
    let pickLoss = Number.POSITIVE_INFINITY;
    compact.forEach((outputs, c) => {
      for (let i = 0; i < sum.length; i++)
        trial[i] = ((sum[i] as number) + (outputs[i] as number)) / round;
      const loss = lossOf(trial);
      if (loss < pickLoss) {
        pick = c;
        pickLoss = loss;
      }
    });
    if (pick < 0) break; // every loss is NaN: nothing to rank by
    const picked = compact[pick] as Float64Array;
    for (let i = 0; i < sum.length; i++) sum[i]! += picked[i] as number;
    counts[pick]! += 1;
    if (pickLoss < best.loss) best = { loss: pickLoss, counts: [...counts], picks: round };
  }
  const weights = best.counts.map((count) => (best.picks > 0 ? count / best.picks : 0));
  const heldOut = blendHeldOut(candidates, weights, width);
  return {
    weights,
    picks: best.picks,
    rounds,
    loss: best.loss,
    metrics: scoreOutputs(task, compactRows(heldOut.outputs, kept, width), classes, keptTargets),
    heldOut: { outputs: heldOut.outputs, predicted: shared },
  };
}

/**
 * The weighted average of held-out outputs, summed in float64 in candidate order as the
 * ensemble predictor sums its members (a row missing from any candidate is left 0).
 */
export function blendHeldOut(
  candidates: readonly HeldOut[],
  weights: readonly number[],
  width: number,
): HeldOut {
  const first = candidates[0] as HeldOut;
  const sums = new Float64Array(first.outputs.length);
  candidates.forEach((candidate, c) => {
    const weight = weights[c] as number;
    if (weight === 0) return;
    for (let i = 0; i < sums.length; i++) sums[i]! += weight * (candidate.outputs[i] as number);
  });
  const rows = sums.length / width;
  const predicted = new Uint8Array(rows);
  for (let row = 0; row < rows; row++) {
    predicted[row] = candidates.every((candidate) => candidate.predicted[row] === 1) ? 1 : 0;
  }
  return { outputs: Float32Array.from(sums), predicted };
}

/** The compared loss of held-out outputs on each fold's rows (ensemble fold losses). */
export function foldLossesOf(
  task: Task,
  heldOut: HeldOut,
  targets: readonly unknown[],
  classes: readonly string[] | undefined,
  folds: readonly (readonly number[])[],
): number[] {
  const width = classes ? classes.length : 1;
  return folds.map((fold) => {
    const rows = fold.filter((row) => heldOut.predicted[row] === 1);
    const values = compactRows(heldOut.outputs, rows, width);
    return comparedLoss(
      task,
      scoreOutputs(
        task,
        values,
        classes,
        rows.map((row) => targets[row]),
      ),
    );
  });
}

function compactRows(outputs: Float32Array, rows: readonly number[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    out.set(outputs.subarray(row * width, (row + 1) * width), i * width);
  });
  return out;
}

function scoreOutputs(
  task: Task,
  outputs: Float32Array,
  classes: readonly string[] | undefined,
  targets: readonly unknown[],
): Metrics {
  const { confusionMatrix: _matrix, ...metrics } = evaluate(
    task,
    classes ? { outputs, classes } : { outputs },
    targets,
  ).metrics;
  return metrics;
}
