import type { NumberCell } from './number.ts';
import {
  isBlank,
  READ_ABSENT,
  READ_EMPTY,
  READ_NULL,
  READ_OK,
  READ_WRONG_TYPE,
  type ReadStatus,
} from './status.ts';

/**
 * Reads a boolean cell as 1 or 0: true / false, the numbers 1 / 0, and the strings "true",
 * "false", "yes", "no", "1", "0" in any letter case. Anything else is the wrong type.
 */
export function readBoolean(raw: unknown, cell: NumberCell): ReadStatus {
  if (typeof raw === 'boolean') {
    cell.value = raw ? 1 : 0;
    return READ_OK;
  }
  if (typeof raw === 'string') {
    const value = booleanWord(raw);
    if (value >= 0) {
      cell.value = value;
      return READ_OK;
    }
    return isBlank(raw) ? READ_EMPTY : READ_WRONG_TYPE;
  }
  if (raw === undefined) return READ_ABSENT;
  if (raw === null) return READ_NULL;
  if (raw === 1 || raw === 0) {
    cell.value = raw;
    return READ_OK;
  }
  return READ_WRONG_TYPE;
}

/** 1 for true / yes / 1, 0 for false / no / 0 (letter case ignored), -1 for anything else. */
export function booleanWord(text: string): number {
  switch (text.length) {
    case 1:
      return text === '1' ? 1 : text === '0' ? 0 : -1;
    case 2:
      return sameLetters(text, 'no') ? 0 : -1;
    case 3:
      return sameLetters(text, 'yes') ? 1 : -1;
    case 4:
      return sameLetters(text, 'true') ? 1 : -1;
    case 5:
      return sameLetters(text, 'false') ? 0 : -1;
    default:
      return -1;
  }
}

/** Case-insensitive comparison against a lowercase ASCII word, without allocating. */
function sameLetters(text: string, lowercaseWord: string): boolean {
  for (let i = 0; i < lowercaseWord.length; i++) {
    if ((text.charCodeAt(i) | 32) !== lowercaseWord.charCodeAt(i)) return false;
  }
  return true;
}
