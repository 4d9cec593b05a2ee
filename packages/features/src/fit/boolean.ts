import { FeatureFitError } from '../errors.ts';
import { readBoolean } from '../read/boolean.ts';
import { READ_OK } from '../read/status.ts';
import type { BooleanColumnState } from '../state/types.ts';
import type { ColumnSpec, RawRow } from '../types.ts';
import { fittedColumnBase } from './column-base.ts';
import { readNumericTraining } from './training-values.ts';

/** Fits a boolean column: 0/1 output, missing values take the most frequent (ties: false). */
export function fitBooleanColumn(
  spec: ColumnSpec,
  rows: readonly RawRow[],
  notes: string[],
): BooleanColumnState {
  const column = readNumericTraining(spec, rows, readBoolean);
  let trueCount = 0;
  for (let i = 0; i < column.values.length; i++) trueCount += column.values[i]!;
  const falseCount = rows.length - column.missing - trueCount;

  const strategy = spec.impute?.strategy ?? 'most_frequent';
  let value: 0 | 1;
  if (strategy === 'constant') {
    const cell = { value: 0 };
    if (readBoolean(spec.impute?.value ?? false, cell) !== READ_OK) {
      throw new FeatureFitError(
        `column "${spec.name}": the constant impute value ${JSON.stringify(spec.impute?.value)} is not a boolean`,
        spec.name,
      );
    }
    value = cell.value === 1 ? 1 : 0;
  } else if (strategy === 'none') {
    value = 0; // unused: a missing value encodes as NaN
  } else if (strategy === 'most_frequent') {
    value = trueCount > falseCount ? 1 : 0;
    if (trueCount + falseCount === 0) {
      notes.push(
        `column "${spec.name}": every training value is missing (${column.missing} rows); imputed with false (0)`,
      );
    }
  } else {
    throw new FeatureFitError(
      `column "${spec.name}": impute strategy "${strategy}" needs numbers; a boolean column takes "most_frequent", "constant" or "none"`,
      spec.name,
    );
  }
  return {
    ...fittedColumnBase(spec, 'boolean', column.missing),
    trueCount,
    falseCount,
    impute: { strategy, value },
  };
}
