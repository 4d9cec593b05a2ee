import {
  EXPECTED_FINITE,
  EXPECTED_NOT_NULL,
  EXPECTED_REQUIRED,
  EXPECTED_VALUE,
} from '../expected-values.ts';
import {
  isMissingStatus,
  READ_ABSENT,
  READ_EMPTY,
  READ_NOT_FINITE,
  READ_NULL,
  type ReadStatus,
} from '../read/status.ts';
import type { ColumnState } from '../state/types.ts';
import type { ColumnType, InputProblem, IssueKind, RawRow, TransformReport } from '../types.ts';
import { jsonSafeValue, problemMessage } from '../value-text.ts';

/** Records a value handled by a rule (impute, clip, extrapolate, other): a warning. */
export function pushIssue(
  report: TransformReport,
  row: number,
  column: string,
  kind: IssueKind,
): void {
  report.issues.push({ row, column, kind });
}

export function pushError(
  report: TransformReport,
  row: number,
  column: string,
  problem: InputProblem,
  expected: string,
  received: unknown,
  message: string = problemMessage(row, column, expected, received),
): void {
  report.errors.push({
    row,
    column,
    problem,
    expected,
    received: jsonSafeValue(received),
    message,
  });
}

/** The error for a value its reader refused, or a missing value in a non-nullable column. */
export function pushReadError(
  report: TransformReport,
  row: number,
  column: string,
  type: ColumnType,
  status: ReadStatus,
  received: unknown,
): void {
  if (status === READ_ABSENT || status === READ_EMPTY) {
    pushError(report, row, column, 'missing_required', EXPECTED_REQUIRED, received);
  } else if (status === READ_NULL) {
    pushError(report, row, column, 'null_not_allowed', EXPECTED_NOT_NULL, received);
  } else if (status === READ_NOT_FINITE) {
    pushError(report, row, column, 'not_finite', EXPECTED_FINITE, received);
  } else {
    pushError(report, row, column, 'wrong_type', EXPECTED_VALUE[type], received);
  }
}

/**
 * Every encoder's rule for a value its reader did not return: a missing value in a nullable
 * column is to be imputed (true, recorded as a `missing` issue); anything else is an error in the
 * report (false).
 */
export function imputesMissing(
  column: ColumnState,
  status: ReadStatus,
  received: unknown,
  row: number,
  report: TransformReport,
): boolean {
  if (column.nullable && isMissingStatus(status)) {
    pushIssue(report, row, column.name, 'missing');
    return true;
  }
  pushReadError(report, row, column.name, column.type, status, received);
  return false;
}

/** A row that is not a plain object cannot be read column by column. */
export function pushRowShapeError(report: TransformReport, row: number, received: unknown): void {
  const expected = 'an object mapping column names to values';
  report.errors.push({
    row,
    column: '',
    problem: 'wrong_type',
    expected,
    received: jsonSafeValue(received),
    message: `row ${row}: expected ${expected}, got ${describeShape(received)}`,
  });
}

function describeShape(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

export function isRowObject(row: unknown): row is RawRow {
  return row !== null && typeof row === 'object' && !Array.isArray(row);
}
