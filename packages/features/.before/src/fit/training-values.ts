import { FeatureFitError } from '../errors.ts';
import {
  EXPECTED_FINITE,
  EXPECTED_NOT_NULL,
  EXPECTED_REQUIRED,
  EXPECTED_VALUE,
  rangeText,
  valuesText,
} from '../expected-values.ts';
import { readCategory, type StringCell } from '../read/category.ts';
import type { NumberCell } from '../read/number.ts';
import {
  isMissingStatus,
  READ_NOT_FINITE,
  READ_NULL,
  READ_OK,
  type ReadStatus,
} from '../read/status.ts';
import type { ColumnSpec, RawRow } from '../types.ts';
import { problemMessage } from '../value-text.ts';

/**
 * One column of the training rows, read with the same readers and rules as transform: a value
 * that transform would reject makes fitting fail, naming the row.
 */

export interface NumericTrainingColumn {
  /** One entry per row; 0 where `present` is 0. */
  values: Float64Array;
  present: Uint8Array;
  missing: number;
}

export function readNumericTraining(
  spec: ColumnSpec,
  rows: readonly RawRow[],
  read: (raw: unknown, cell: NumberCell) => ReadStatus,
): NumericTrainingColumn {
  const values = new Float64Array(rows.length);
  const present = new Uint8Array(rows.length);
  const cell: NumberCell = { value: 0 };
  let missing = 0;
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i]![spec.name];
    const status = read(raw, cell);
    if (status === READ_OK) {
      checkRange(spec, i, raw, cell.value);
      values[i] = cell.value;
      present[i] = 1;
    } else {
      failUnlessMissing(spec, i, raw, status);
      missing++;
    }
  }
  return { values, present, missing };
}

export interface CategoricalTrainingColumn {
  /** One entry per row; null where missing. */
  values: Array<string | null>;
  missing: number;
}

export function readCategoricalTraining(
  spec: ColumnSpec,
  rows: readonly RawRow[],
): CategoricalTrainingColumn {
  const values: Array<string | null> = new Array(rows.length);
  const allowed = spec.values === undefined ? undefined : new Set(spec.values);
  const cell: StringCell = { value: '' };
  let missing = 0;
  for (let i = 0; i < rows.length; i++) {
    const raw = rows[i]![spec.name];
    const status = readCategory(raw, cell);
    if (status === READ_OK) {
      if (allowed !== undefined && !allowed.has(cell.value)) {
        fitFailure(spec, i, valuesText(spec.values ?? []), raw);
      }
      values[i] = cell.value;
    } else {
      failUnlessMissing(spec, i, raw, status);
      values[i] = null;
      missing++;
    }
  }
  return { values, missing };
}

function checkRange(spec: ColumnSpec, row: number, raw: unknown, value: number): void {
  const range = spec.range;
  if (range === undefined) return;
  if (
    (range.min !== undefined && value < range.min) ||
    (range.max !== undefined && value > range.max)
  ) {
    fitFailure(spec, row, rangeText(range), raw);
  }
}

function failUnlessMissing(spec: ColumnSpec, row: number, raw: unknown, status: ReadStatus): void {
  if (isMissingStatus(status)) {
    if (spec.nullable === false) {
      fitFailure(spec, row, status === READ_NULL ? EXPECTED_NOT_NULL : EXPECTED_REQUIRED, raw);
    }
    return;
  }
  fitFailure(
    spec,
    row,
    status === READ_NOT_FINITE ? EXPECTED_FINITE : EXPECTED_VALUE[spec.type],
    raw,
  );
}

function fitFailure(spec: ColumnSpec, row: number, expected: string, raw: unknown): never {
  throw new FeatureFitError(`training ${problemMessage(row, spec.name, expected, raw)}`, spec.name);
}
