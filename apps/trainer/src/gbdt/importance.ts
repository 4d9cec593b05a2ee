import type { TreeInput } from '@tandem/features';
import type { TreeEnsemble } from '@tandem/runtime';

/**
 * Feature importance: the total split gain per raw input column (a datetime column sums its four
 * parts), over every kept tree, with each column's share of the total. Columns in input order;
 * a column no split used has gain 0.
 */
export function featureImportance(
  ensemble: TreeEnsemble,
  inputs: readonly TreeInput[],
): Array<{ column: string; gain: number; share: number }> {
  const byColumn = new Map<string, number>();
  for (const input of inputs) byColumn.set(input.column, 0);
  let total = 0;
  for (let i = 0; i < ensemble.feature.length; i++) {
    const f = ensemble.feature[i]!;
    if (f < 0) continue;
    const column = inputs[f]!.column;
    const gain = ensemble.gain[i]!;
    byColumn.set(column, byColumn.get(column)! + gain);
    total += gain;
  }
  return [...byColumn].map(([column, gain]) => ({
    column,
    gain: roundTo(gain, 6),
    share: total > 0 ? roundTo(gain / total, 6) : 0,
  }));
}

function roundTo(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}
