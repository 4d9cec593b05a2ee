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

/** 10^0 … 10^15, each exact in a double. */
const EXACT_POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];
/** At most this many digits make an integer below 2^53, held exactly by a double. */
const MAX_PLAIN_DIGITS = 15;

/**
 * The value of a plain decimal string, `[+-] digits [. digits]` or `[+-] . digits` with at most
 * 15 digits and no whitespace or exponent: what CSV files mostly hold. NaN for any other string,
 * which the full numeric-string rule (readNumericString) then reads: this is a fast path, never
 * a second rule. Its result is the double Number(text) gives: the digits form an integer below
 * 2^53, exact in a double; dividing it by an exact power of ten rounds once, correctly, as
 * Number does (Clinger's fast path).
 */
export function readPlainDecimal(text: string): number {
  const end = text.length;
  const first = text.charCodeAt(0);
  const negative = first === 45; /* - */
  let i = negative || first === 43 /* + */ ? 1 : 0;
  let mantissa = 0;
  let digits = 0;
  for (; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
  }
  let fractionDigits = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46 /* . */) return Number.NaN;
    for (i++; i < end; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return Number.NaN;
      mantissa = mantissa * 10 + digit;
      fractionDigits++;
    }
    digits += fractionDigits;
  }
  if (digits === 0 || digits > MAX_PLAIN_DIGITS) return Number.NaN;
  const value = fractionDigits === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fractionDigits]!;
  return negative ? -value : value;
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
