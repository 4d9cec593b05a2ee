import { FeatureFitError } from '../errors.ts';
import type { NumberCell } from '../read/number.ts';
import type { ReadStatus } from '../read/status.ts';
import { mean, medianOfSorted, mostFrequentNumber, sortedCopy } from '../stats.ts';
import type { ColumnSpec, ImputeStrategy, RawRow } from '../types.ts';
import { type NumericTrainingColumn, readNumericTraining } from './training-values.ts';

/**
 * A numeric or datetime column's training values read with `read`, its fitted impute, and the
 * values with the impute filled in (what the scaling statistics are fitted on).
 */
export function fitImputedNumbers(
  spec: ColumnSpec,
  rows: readonly RawRow[],
  read: (raw: unknown, cell: NumberCell) => ReadStatus,
  readConstant: (value: unknown) => number | undefined,
  notes: string[],
): {
  column: NumericTrainingColumn;
  impute: { strategy: ImputeStrategy; value: number };
  filled: Float64Array;
} {
  const column = readNumericTraining(spec, rows, read);
  const impute = fitNumberImpute(spec, column, readConstant, notes);
  return { column, impute, filled: imputedValues(column, impute.value) };
}

/**
 * The value that stands in for a missing number (numeric and datetime columns). Default
 * strategy: median. A column with no value at all imputes the constant 0 (or the declared
 * constant), and says so in `notes`, so the output is constant and never NaN.
 */
export function fitNumberImpute(
  spec: ColumnSpec,
  column: NumericTrainingColumn,
  readConstant: (value: unknown) => number | undefined,
  notes: string[],
): { strategy: ImputeStrategy; value: number } {
  const strategy = spec.impute?.strategy ?? 'median';
  // Missing stays NaN: nothing to fit; 0 keeps the state's value a finite number.
  if (strategy === 'none') return { strategy, value: 0 };
  if (strategy === 'constant') {
    const declared = spec.impute?.value;
    if (declared === undefined) return { strategy, value: 0 };
    const value = readConstant(declared);
    if (value === undefined) {
      throw new FeatureFitError(
        `column "${spec.name}": the constant impute value ${JSON.stringify(declared)} is not a valid ${spec.type} value`,
        spec.name,
      );
    }
    return { strategy, value };
  }
  const observed = presentValues(column);
  if (observed.length === 0) {
    notes.push(
      `column "${spec.name}": every training value is missing (${column.missing} rows); imputed with the constant 0`,
    );
    return { strategy, value: 0 };
  }
  switch (strategy) {
    case 'mean':
      return { strategy, value: mean(observed) };
    case 'median':
      return { strategy, value: medianOfSorted(sortedCopy(observed)) };
    case 'most_frequent':
      return { strategy, value: mostFrequentNumber(observed) };
  }
}

export function presentValues(column: NumericTrainingColumn): Float64Array {
  const observed = new Float64Array(column.values.length - column.missing);
  let j = 0;
  for (let i = 0; i < column.values.length; i++) {
    if (column.present[i] === 1) observed[j++] = column.values[i]!;
  }
  return observed;
}

/** The training column with missing entries replaced: what the scaling statistics are fitted on. */
export function imputedValues(column: NumericTrainingColumn, imputeValue: number): Float64Array {
  const filled = new Float64Array(column.values.length);
  for (let i = 0; i < filled.length; i++) {
    filled[i] = column.present[i] === 1 ? column.values[i]! : imputeValue;
  }
  return filled;
}

/** Training min / max of the values present, or null when none is. */
export function observedRange(column: NumericTrainingColumn): { min: number; max: number } | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < column.values.length; i++) {
    if (column.present[i] !== 1) continue;
    const value = column.values[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min <= max ? { min, max } : null;
}
