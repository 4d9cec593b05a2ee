import {
  isBlank,
  READ_ABSENT,
  READ_EMPTY,
  READ_NOT_FINITE,
  READ_NULL,
  READ_OK,
  READ_WRONG_TYPE,
  type ReadStatus,
} from './status.ts';

export interface StringCell {
  value: string;
}

/**
 * Reads a categorical cell. Strings are taken exactly as given (no trimming, case kept); finite
 * numbers and booleans become their string form ("3", "true"); "" and whitespace-only strings are
 * missing; objects and arrays are the wrong type.
 */
export function readCategory(raw: unknown, cell: StringCell): ReadStatus {
  if (typeof raw === 'string') {
    if (isBlank(raw)) return READ_EMPTY;
    cell.value = raw;
    return READ_OK;
  }
  if (raw === undefined) return READ_ABSENT;
  if (raw === null) return READ_NULL;
  if (typeof raw === 'number') {
    if (raw - raw !== 0) return READ_NOT_FINITE;
    cell.value = String(raw);
    return READ_OK;
  }
  if (typeof raw === 'boolean') {
    cell.value = raw ? 'true' : 'false';
    return READ_OK;
  }
  return READ_WRONG_TYPE;
}
