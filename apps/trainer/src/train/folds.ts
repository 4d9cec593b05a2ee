import type { RawRow } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { holdOut } from '../split/holdout.ts';
import { mulberry32, shuffleInPlace } from '../split/prng.ts';
import { groupsByStratum, strataOf } from '../split/strata.ts';

/**
 * Stratified, seeded k-fold assignment of `rows` (class, or target decile for regression): each
 * stratum is shuffled and dealt round-robin, the deal carrying on from one stratum to the next,
 * so fold sizes differ by at most one row overall and by at most one row of each stratum.
 * Returns, per fold, the positions of its rows in ascending order: a partition of 0..n-1.
 *
 * @example stratifiedFolds('binary', 'y', rows, 5, seed)[0] // the rows fold 0 is judged by
 */
export function stratifiedFolds(
  task: Task,
  target: string,
  rows: readonly RawRow[],
  k: number,
  seed: number,
): number[][] {
  if (!Number.isInteger(k) || k < 2)
    throw new RangeError(`folds must be an integer >= 2, got ${k}`);
  if (rows.length < k)
    throw new RangeError(`${k} folds need at least ${k} rows, got ${rows.length}`);
  const positions = rows.map((_, position) => position);
  const groups = groupsByStratum(positions, strataOf(task, target, rows, positions));
  const random = mulberry32(seed);
  const folds: number[][] = Array.from({ length: k }, () => []);
  let dealt = 0;
  for (const group of groups) {
    for (const position of shuffleInPlace([...group], random)) {
      folds[dealt % k]?.push(position);
      dealt++;
    }
  }
  return folds.map((fold) => fold.sort((a, b) => a - b));
}

/** Every position of 0..n-1 outside `fold`, ascending: the rows a fold's model learns from. */
export function complementOf(fold: readonly number[], n: number): number[] {
  const judged = new Set(fold);
  const rest: number[] = [];
  for (let position = 0; position < n; position++) if (!judged.has(position)) rest.push(position);
  return rest;
}

/**
 * Holds out `share` of `rows` (stratified, seeded) as the part a model early-stops on; the rest
 * trains it. Positions are into `rows`.
 */
export function carveStopping(
  task: Task,
  target: string,
  rows: readonly RawRow[],
  share: number,
  seed: number,
): { fit: RawRow[]; stopping: RawRow[] } {
  const positions = rows.map((_, position) => position);
  const { kept, heldOut } = holdOut(
    positions,
    strataOf(task, target, rows, positions),
    share,
    seed,
  );
  const pick = (list: number[]) => list.map((position) => rows[position] as RawRow);
  return { fit: pick(kept), stopping: pick(heldOut) };
}
