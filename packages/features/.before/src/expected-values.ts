import type { ColumnType } from './types.ts';

/** What each column type accepts, as error messages and `InputErrorDetail.expected` say it. */
export const EXPECTED_VALUE: Readonly<Record<ColumnType, string>> = {
  numeric: 'a number',
  categorical: 'a string',
  boolean: 'true/false, yes/no or 1/0',
  datetime: 'an ISO-8601 date or epoch milliseconds',
};

export const EXPECTED_FINITE = 'a finite number';
export const EXPECTED_REQUIRED = 'a value (the column is required)';
export const EXPECTED_NOT_NULL = 'a value, not null (the column is not nullable)';

/** "a number in [0, 120]", "a number ≥ 0". */
export function rangeText(range: { min?: number; max?: number }): string {
  if (range.min !== undefined && range.max !== undefined) {
    return `a number in [${range.min}, ${range.max}]`;
  }
  if (range.min !== undefined) return `a number ≥ ${range.min}`;
  return `a number ≤ ${range.max}`;
}

/** `one of "a", "b", "c"` (long lists shortened). */
export function valuesText(values: readonly string[]): string {
  const shown = values.slice(0, 10).map((value) => JSON.stringify(value));
  const more = values.length > 10 ? `, … (${values.length} values)` : '';
  return `one of ${shown.join(', ')}${more}`;
}
