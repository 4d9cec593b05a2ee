import { FeatureFitError } from '../errors.ts';
import type { CategoricalColumnState, CategoricalEncodingState } from '../state/types.ts';
import { orderLevels } from '../stats.ts';
import type { CategoricalTransform, ColumnSpec, ImputeStrategy, RawRow } from '../types.ts';
import { MAX_CODES } from './check-spec.ts';
import { fittedColumnBase } from './column-base.ts';
import { readCategoricalTraining } from './training-values.ts';

/** Level that a constant imputation uses when the spec names none. */
export const DEFAULT_MISSING_LEVEL = '<missing>';

/**
 * Fits a categorical column. Imputation comes first and its value is counted as a level (as
 * scikit-learn's SimpleImputer → OneHotEncoder), then levels are ordered by frequency
 * (descending), then lexicographically, and rare ones are grouped into the "other" slot.
 */
export function fitCategoricalColumn(
  spec: ColumnSpec,
  rows: readonly RawRow[],
  notes: string[],
): CategoricalColumnState {
  const column = readCategoricalTraining(spec, rows);
  const counts = new Map<string, number>();
  for (const value of column.values) {
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  const transform = (spec.transform ?? { kind: 'onehot' }) as CategoricalTransform;
  const impute =
    spec.impute?.strategy === 'none'
      ? { strategy: 'none' as const, value: null }
      : fitCategoryImpute(spec, counts, column.missing, notes);
  if (impute.value !== null && column.missing > 0) {
    counts.set(impute.value, (counts.get(impute.value) ?? 0) + column.missing);
  }
  const ordered = orderLevels(counts);
  const keep =
    transform.kind === 'onehot'
      ? keptLevelCount(transform, ordered, rows.length)
      : transform.kind === 'codes'
        ? keptLevelCount({ maxCategories: MAX_CODES, ...transform }, ordered, rows.length)
        : ordered.length;
  const kept = ordered.slice(0, keep);
  const rare = ordered.slice(keep);

  let encoding: CategoricalEncodingState;
  if (transform.kind === 'ordinal') {
    encoding = { kind: 'ordinal', unknownValue: transform.unknownValue ?? -1 };
  } else if (transform.kind === 'codes') {
    encoding = { kind: 'codes' };
  } else {
    const unknown = transform.unknown ?? 'ignore';
    encoding = { kind: 'onehot', unknown, other: rare.length > 0 || unknown === 'other' };
  }
  const state: CategoricalColumnState = {
    ...fittedColumnBase(spec, 'categorical', column.missing),
    levels: kept.map(([level]) => level),
    counts: kept.map(([, count]) => count),
    rare: rare.map(([level]) => level),
    rareCounts: rare.map(([, count]) => count),
    impute,
    encoding,
  };
  if (spec.values !== undefined) state.values = spec.values;
  return state;
}

/**
 * How many of the ordered levels get their own output: those seen at least `minFrequency` times
 * (a fraction of the training rows when below 1), at most `maxCategories` of them.
 */
function keptLevelCount(
  transform: { maxCategories?: number | undefined; minFrequency?: number | undefined },
  ordered: ReadonlyArray<[string, number]>,
  rows: number,
): number {
  const minFrequency = transform.minFrequency ?? 0;
  const minCount = minFrequency < 1 ? minFrequency * rows : minFrequency;
  let keep = 0;
  while (keep < ordered.length && ordered[keep]![1] >= minCount) keep++;
  return Math.min(keep, transform.maxCategories ?? Number.POSITIVE_INFINITY);
}

function fitCategoryImpute(
  spec: ColumnSpec,
  counts: ReadonlyMap<string, number>,
  missing: number,
  notes: string[],
): { strategy: ImputeStrategy; value: string | null } {
  const strategy = spec.impute?.strategy ?? 'most_frequent';
  if (strategy === 'constant') {
    const declared = spec.impute?.value ?? DEFAULT_MISSING_LEVEL;
    return { strategy, value: String(declared) };
  }
  if (strategy !== 'most_frequent') {
    throw new FeatureFitError(
      `column "${spec.name}": impute strategy "${strategy}" needs numbers; a categorical column takes "most_frequent" or "constant"`,
      spec.name,
    );
  }
  const first = orderLevels(counts)[0];
  if (first === undefined) {
    notes.push(
      `column "${spec.name}": every training value is missing (${missing} rows); a missing value encodes as all zeros`,
    );
    return { strategy, value: null };
  }
  return { strategy, value: first[0] };
}
