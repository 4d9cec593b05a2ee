import type { Metrics, Task } from '@tandem/model-store';
import type { ChoiceRule } from '../config/types.ts';

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

/** A candidate as the choice sees it: its compared loss and, under cross-validation, per fold. */
export interface RankedLoss {
  loss: number;
  /** Losses on the folds every candidate shared, in fold order (absent: holdout ranking). */
  foldLosses?: readonly number[];
}

export interface Choice {
  /** The candidate kept. */
  index: number;
  /** The candidate of the lowest loss. */
  lowest: number;
  /** The rule that decided: 'lowest-loss' when no earlier candidate was level with the lowest. */
  rule: ChoiceRule;
  /**
   * Under the one-standard-error rule, for the kept candidate when it is not the lowest: the mean
   * of its fold losses minus the lowest's, fold by fold, and the standard error of that mean.
   */
  difference?: number;
  standardError?: number;
}

/**
 * The one-standard-error rule (Hastie, Tibshirani and Friedman, The Elements of Statistical
 * Learning, section 7.10) over candidates listed cheapest first: the first candidate whose fold
 * losses exceed the lowest candidate's by at most one standard error of their paired mean
 * difference is kept, for the folds cannot tell it apart from the lowest. Without fold losses
 * (holdout ranking), or under 'lowest-loss', the lowest loss is kept (lowestLoss).
 */
export function chooseCandidate(ranked: readonly RankedLoss[], rule: ChoiceRule): Choice {
  const lowest = lowestLoss(ranked.map((candidate) => candidate.loss));
  const reference = ranked[lowest]?.foldLosses;
  if (rule === 'lowest-loss' || reference === undefined) {
    return { index: lowest, lowest, rule: 'lowest-loss' };
  }
  for (let i = 0; i < lowest; i++) {
    const paired = pairedDifference(ranked[i]?.foldLosses, reference);
    if (paired !== undefined && paired.mean <= paired.standardError) {
      return {
        index: i,
        lowest,
        rule,
        difference: paired.mean,
        standardError: paired.standardError,
      };
    }
  }
  return { index: lowest, lowest, rule: 'lowest-loss' };
}

/** Mean and standard error of a − b fold by fold; undefined unless both have the same ≥ 2 folds. */
function pairedDifference(
  a: readonly number[] | undefined,
  b: readonly number[],
): { mean: number; standardError: number } | undefined {
  if (a === undefined || a.length !== b.length || a.length < 2) return undefined;
  const differences = a.map((loss, f) => loss - (b[f] as number));
  if (differences.some((d) => !Number.isFinite(d))) return undefined;
  const k = differences.length;
  const mean = differences.reduce((sum, d) => sum + d, 0) / k;
  const variance = differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / (k - 1);
  return { mean, standardError: Math.sqrt(variance / k) };
}
