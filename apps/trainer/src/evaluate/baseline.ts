import type { Task } from '@tandem/model-store';
import { toNumber } from '../data/cells.ts';
import { classOf } from '../data/target.ts';
import type { ModelOutputs } from './evaluate.ts';

/**
 * Outputs of the trivial model for `rows` rows: the training class frequencies (so the
 * majority class wins and log loss is that of the prior), or the training mean for regression.
 * Anything useful must beat it.
 */
export function baselineOutputs(
  task: Task,
  trainingTargets: readonly unknown[],
  rows: number,
  classes?: readonly string[],
): ModelOutputs {
  if (task === 'regression') {
    const values = trainingTargets.map((value) => toNumber(value) ?? 0);
    const mean = values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    return { outputs: new Float32Array(rows).fill(mean) };
  }
  const names = [...(classes ?? [])];
  const counts = new Array<number>(names.length).fill(0);
  const index = new Map(names.map((name, position) => [name, position]));
  for (const value of trainingTargets) {
    const position = index.get(classOf(value));
    if (position !== undefined) counts[position] = (counts[position] ?? 0) + 1;
  }
  const total = counts.reduce((sum, count) => sum + count, 0) || 1;
  const outputs = new Float32Array(rows * names.length);
  for (let row = 0; row < rows; row++) {
    counts.forEach((count, c) => {
      outputs[row * names.length + c] = count / total;
    });
  }
  return { outputs, classes: names };
}
