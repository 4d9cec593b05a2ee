import type { RawRow } from '@tandem/features';

/**
 * A request's rows read once into typed columns: what the drift windows count and what the
 * prediction log's worker thread rebuilds each row from. Typed arrays and a list of strings
 * cross to a worker thread as a copy of their bytes, far cheaper than serializing row objects
 * there; and the drift windows then read each cell from a column instead of looking it up by
 * name in every row.
 */

/** How a cell is held: its kind in `kinds`, its number or string index in `values`. */
export const CELL = {
  UNDEFINED: 0,
  NULL: 1,
  NUMBER: 2,
  STRING: 3,
  TRUE: 4,
  FALSE: 5,
  /** Anything else (an object, an array): its JSON text in `strings`. */
  JSON: 6,
  /** A string of decimal digits (see digitsValue): its number in `values`, its text String(value). */
  DIGITS: 7,
} as const;

/**
 * Buffers a caller reuses from one request to the next (`readRowColumns`' third argument): the
 * columns then hold these buffers themselves, longer than `rows × names` and valid only until
 * the next read.
 * Worth it for small requests, where two typed arrays per request cost more than reading them.
 */
export interface ColumnScratch {
  kinds: Uint8Array;
  values: Float64Array;
}

export function columnScratch(cells = 256): ColumnScratch {
  return { kinds: new Uint8Array(cells), values: new Float64Array(cells) };
}

export interface RowColumns {
  rows: number;
  /** Column names in the rows' own key order (the first row's). */
  names: readonly string[];
  /** rows × names, row-major (a reused buffer may run longer): each cell's kind (CELL). */
  kinds: Uint8Array;
  /**
   * rows × names: a CELL.NUMBER's or CELL.DIGITS' number; a CELL.STRING's or CELL.JSON's index
   * in `strings`.
   */
  values: Float64Array;
  strings: string[];
  /**
   * Rows whose keys are not `names` in that order (rare: callers send alike rows): such a row's
   * cells are all CELL.UNDEFINED and the row itself is here, as JSON text, by row index.
   */
  irregular: Map<number, string> | undefined;
}

/**
 * Reads rows into columns. `known` is the names a previous request had: when the first row has
 * exactly those keys, the same array is reused, so a caller can recognise a shape by identity.
 * Keys are listed with for…in, which gives JSON.stringify's own-key order for plain rows (parsed
 * JSON, decoded CSV, null-prototype copies: no inherited enumerable keys).
 */
export function readRowColumns(
  rows: readonly RawRow[],
  known?: readonly string[],
  scratch?: ColumnScratch,
): RowColumns {
  const first = rows[0];
  const names = first === undefined ? (known ?? []) : namesOf(first, known);
  const width = names.length;
  const cells = rows.length * width;
  let kinds: Uint8Array;
  let values: Float64Array;
  if (scratch === undefined) {
    kinds = new Uint8Array(cells);
    values = new Float64Array(cells);
  } else {
    if (scratch.kinds.length < cells) {
      const size = Math.max(cells, scratch.kinds.length * 2);
      scratch.kinds = new Uint8Array(size);
      scratch.values = new Float64Array(size);
    }
    // As fresh arrays: a cell nothing writes (an undefined value) reads CELL.UNDEFINED and 0.
    kinds = scratch.kinds;
    values = scratch.values;
    kinds.fill(CELL.UNDEFINED, 0, cells);
    values.fill(0, 0, cells);
  }
  const strings: string[] = [];
  let irregular: Map<number, string> | undefined;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    const at = r * width;
    const held = strings.length;
    let c = 0;
    let regular = true;
    // One pass: the keys are checked against `names` as the cells are read.
    for (const key in row) {
      if (c === width || key !== names[c]) {
        regular = false;
        break;
      }
      const value = row[key];
      switch (typeof value) {
        case 'number':
          kinds[at + c] = CELL.NUMBER;
          values[at + c] = value;
          break;
        case 'string': {
          const digits = digitsValue(value);
          if (digits >= 0) {
            kinds[at + c] = CELL.DIGITS;
            values[at + c] = digits;
          } else {
            kinds[at + c] = CELL.STRING;
            values[at + c] = strings.push(value) - 1;
          }
          break;
        }
        case 'boolean':
          kinds[at + c] = value ? CELL.TRUE : CELL.FALSE;
          break;
        case 'undefined':
          break;
        default:
          if (value === null) {
            kinds[at + c] = CELL.NULL;
          } else {
            const text = jsonOrUndefined(value);
            if (text !== undefined) {
              kinds[at + c] = CELL.JSON;
              values[at + c] = strings.push(text) - 1;
            }
          }
      }
      c++;
    }
    if (regular && c === width) continue;
    kinds.fill(CELL.UNDEFINED, at, at + width);
    values.fill(0, at, at + width);
    strings.length = held;
    irregular ??= new Map();
    irregular.set(r, JSON.stringify(row));
  }
  return { rows: rows.length, names, kinds, values, strings, irregular };
}

/**
 * The value of a string of 1 to 15 decimal digits without a leading zero ("129", "0"), whose
 * text String(value) gives back exactly; -1 for any other string. Most numbers sent as text
 * are such: they cross as numbers, and the drift windows need not parse them again.
 */
function digitsValue(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15 || (n > 1 && text.charCodeAt(0) === 48)) return -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The raw value of one cell as the row held it (a CELL.JSON cell as its parsed JSON), for
 * rebuilding a row; JSON.stringify of the rebuilt row equals that of the original.
 */
export function cellValue(columns: RowColumns, index: number): unknown {
  switch (columns.kinds[index]) {
    case CELL.NUMBER:
      return columns.values[index];
    case CELL.STRING:
      return columns.strings[columns.values[index] as number];
    case CELL.DIGITS:
      return String(columns.values[index]);
    case CELL.NULL:
      return null;
    case CELL.TRUE:
      return true;
    case CELL.FALSE:
      return false;
    case CELL.JSON:
      return JSON.parse(columns.strings[columns.values[index] as number] as string);
    default:
      return undefined;
  }
}

/** Row `r` rebuilt as an object with the original key order (the log's `input`). */
export function rowOf(columns: RowColumns, r: number): RawRow {
  const text = columns.irregular?.get(r);
  if (text !== undefined) return JSON.parse(text) as RawRow;
  const row: Record<string, unknown> = {};
  const width = columns.names.length;
  for (let c = 0; c < width; c++)
    row[columns.names[c] as string] = cellValue(columns, r * width + c);
  return row as RawRow;
}

function namesOf(row: RawRow, known: readonly string[] | undefined): readonly string[] {
  if (known !== undefined && hasKeys(row as Record<string, unknown>, known)) return known;
  const names: string[] = [];
  for (const key in row) names.push(key);
  return names;
}

/** Whether the row's keys are exactly `names`, in that order. */
function hasKeys(row: Record<string, unknown>, names: readonly string[]): boolean {
  let i = 0;
  for (const key in row) {
    if (key !== names[i]) return false;
    i++;
  }
  return i === names.length;
}

function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    // A value JSON cannot hold (a BigInt, a cycle): the log leaves the key out.
    return undefined;
  }
}
