import type { RawRow } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { toNumber } from '../data/cells.ts';
import { classOf } from '../data/target.ts';

/**
 * The stratum of each listed row: its class for classification, its target decile for
 * regression (so that both parts of a split span the range of the target).
 */
export function strataOf(
  task: Task,
  target: string,
  rows: readonly RawRow[],
  indices: readonly number[],
): string[] {
  if (task !== 'regression') return indices.map((index) => classOf(rows[index]?.[target]));
  const values = indices.map((index) => toNumber(rows[index]?.[target]) ?? 0);
  const sorted = [...values].sort((a, b) => a - b);
  const cuts: number[] = [];
  for (let decile = 1; decile < 10; decile++) {
    cuts.push(sorted[Math.floor((decile * sorted.length) / 10)] ?? 0);
  }
  return values.map((value) => {
    let bucket = 0;
    while (bucket < cuts.length && value >= (cuts[bucket] ?? 0)) bucket++;
    return String(bucket).padStart(2, '0');
  });
}

/**
 * `indices` grouped by their stratum (`strata[position]` for `indices[position]`), in listed order
 * within a group, the groups in sorted stratum order: no result depends on which stratum the
 * data file happens to list first.
 */
export function groupsByStratum(indices: readonly number[], strata: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  indices.forEach((index, position) => {
    const key = strata[position] ?? '';
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  return [...groups.keys()].sort().map((key) => groups.get(key) ?? []);
}
