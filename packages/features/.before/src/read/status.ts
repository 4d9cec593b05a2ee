/**
 * Outcome of reading one raw value. Readers return one of these and write the parsed value into
 * a cell the caller owns, so the hot path neither allocates nor throws.
 */
export const READ_OK = 0;
/** The key is absent from the row (undefined). */
export const READ_ABSENT = 1;
export const READ_NULL = 2;
/** "" or a string of whitespace only: missing, like an empty CSV field. */
export const READ_EMPTY = 3;
export const READ_WRONG_TYPE = 4;
/** NaN or ±Infinity. */
export const READ_NOT_FINITE = 5;

export type ReadStatus =
  | typeof READ_OK
  | typeof READ_ABSENT
  | typeof READ_NULL
  | typeof READ_EMPTY
  | typeof READ_WRONG_TYPE
  | typeof READ_NOT_FINITE;

export function isMissingStatus(status: ReadStatus): boolean {
  return status === READ_ABSENT || status === READ_NULL || status === READ_EMPTY;
}

/** True for "" and whitespace-only strings; cheap for ordinary values (first character test). */
export function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0);
}
