import { type ColumnType, parseIsoDate } from '@tandem/features';

/**
 * Reads raw cells the way @tandem/features accepts them (numbers, numeric strings, ISO dates,
 * boolean words), into what a profile counts: a number, a level, or missing. The predictor has
 * already refused rows it cannot read, so a value that does not parse here is counted as
 * missing rather than thrown.
 */

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Digits with at most one point, too short to overflow ("129", "0.25"): most numeric cells sent
 * as text, told apart without the regular expression. Anything else goes to DECIMAL.
 */
function isPlainDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15) return false;
  let points = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) points++;
    else if (c < 48 || c > 57) return false;
  }
  return points === 0 || (points === 1 && n > 1);
}

function isBlank(text: string): boolean {
  return text.length === 0 || text.trim().length === 0;
}

/** A finite number, or NaN for missing and unreadable values. */
export function readNumberCell(raw: unknown): number {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : Number.NaN;
  if (typeof raw === 'string' && isPlainDecimal(raw)) return Number(raw);
  if (typeof raw === 'string' && DECIMAL.test(raw)) {
    const value = Number(raw);
    return Number.isFinite(value) ? value : Number.NaN;
  }
  return Number.NaN;
}

/** Epoch milliseconds (the features package's date rule, else epoch ms as text), or NaN. */
export function readDatetimeCell(raw: unknown): number {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : Number.NaN;
  if (typeof raw !== 'string') return Number.NaN;
  const text = raw.trim();
  const ms = parseIsoDate(text);
  return Number.isNaN(ms) ? readNumberCell(text) : ms;
}

/** 'true' / 'false', or undefined for missing and unreadable values. */
export function readBooleanCell(raw: unknown): string | undefined {
  if (raw === true || raw === 1) return 'true';
  if (raw === false || raw === 0) return 'false';
  if (typeof raw !== 'string') return undefined;
  const word = raw.toLowerCase();
  if (word === 'true' || word === 'yes' || word === '1') return 'true';
  if (word === 'false' || word === 'no' || word === '0') return 'false';
  return undefined;
}

/** The level a categorical cell names (numbers and booleans as their string form), or undefined. */
export function readLevelCell(raw: unknown): string | undefined {
  if (typeof raw === 'string') return isBlank(raw) ? undefined : raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : undefined;
  if (typeof raw === 'boolean') return String(raw);
  return undefined;
}

/** Whether a column of this type is profiled as numbers (bins) or as levels (frequencies). */
export function profiledAs(type: ColumnType): 'numeric' | 'categorical' {
  return type === 'numeric' || type === 'datetime' ? 'numeric' : 'categorical';
}

/** Reads a cell of a column of the given type: a number (NaN = missing) or a level. */
export function readCell(type: ColumnType, raw: unknown): number | string | undefined {
  switch (type) {
    case 'numeric':
      return readNumberCell(raw);
    case 'datetime':
      return readDatetimeCell(raw);
    case 'boolean':
      return readBooleanCell(raw);
    default:
      return readLevelCell(raw);
  }
}
