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

export interface NumberCell {
  value: number;
}

/**
 * Reads a numeric cell. Numbers must be finite. Strings follow the numeric-string rule: a finite
 * decimal number, optionally surrounded by whitespace ("42", " 3.5 ", "-1e3"), is parsed; "" is
 * missing; anything else ("abc", "0x10", "1,5", "Infinity") is the wrong type.
 */
export function readNumber(raw: unknown, cell: NumberCell): ReadStatus {
  if (typeof raw === 'number') {
    if (raw - raw !== 0) return READ_NOT_FINITE;
    cell.value = raw;
    return READ_OK;
  }
  if (raw === undefined) return READ_ABSENT;
  if (raw === null) return READ_NULL;
  if (typeof raw === 'string') return readNumericString(raw, cell);
  return READ_WRONG_TYPE;
}

export function readNumericString(text: string, cell: NumberCell): ReadStatus {
  if (isBlank(text)) return READ_EMPTY;
  if (!isDecimalNumber(text)) return READ_WRONG_TYPE;
  const value = Number(text);
  // "1e999" is a decimal number but not a finite one.
  if (value - value !== 0) return READ_NOT_FINITE;
  cell.value = value;
  return READ_OK;
}

/** `[ws] [+-] (digits [. digits] | . digits) [(e|E) [+-] digits] [ws]`, checked without a regex. */
export function isDecimalNumber(text: string): boolean {
  const end = text.length;
  let i = 0;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (i < end && isSign(text.charCodeAt(i))) i++;
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (i < end && text.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < end && (text.charCodeAt(i) | 32) === 101 /* e */) {
    i++;
    if (i < end && isSign(text.charCodeAt(i))) i++;
    let exponentDigits = 0;
    while (i < end && isDigit(text.charCodeAt(i))) {
      i++;
      exponentDigits++;
    }
    if (exponentDigits === 0) return false;
  }
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i === end;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isSign(code: number): boolean {
  return code === 43 || code === 45;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}
