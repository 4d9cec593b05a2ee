/**
 * How raw values appear in error messages and in `InputErrorDetail.received`. Both must be safe
 * to send as JSON: the server returns them to the caller as is.
 */

const MAX_STRING = 200;

/** `"abc"`, `42`, `NaN`, `null`, `nothing (the column is absent)`, `an object`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the column is absent)';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(truncate(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * The received value as JSON can carry it: strings truncated, non-finite numbers as their name
 * ("NaN", "Infinity"), undefined as null, objects and arrays as "[object]" / "[array]".
 */
export function jsonSafeValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return truncate(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return '[array]';
  if (typeof value === 'object') return '[object]';
  return `[${typeof value}]`;
}

function truncate(text: string): string {
  return text.length > MAX_STRING ? `${text.slice(0, MAX_STRING - 1)}…` : text;
}

/** `row 17, column "Income": expected a number, got "abc"` */
export function problemMessage(
  row: number,
  column: string,
  expected: string,
  received: unknown,
): string {
  return `row ${row}, column ${JSON.stringify(column)}: expected ${expected}, got ${describeValue(received)}`;
}
