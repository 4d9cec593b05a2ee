import type { RawRow } from '@tandem/features';

/**
 * A request's rows read once into typed columns (straight into the monitoring thread's batch,
 * `readCells`): what the drift windows count and what the prediction log rebuilds each row from. Typed arrays and a list of strings
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

export interface RowColumns {
  rows: number;
  /** Column names in the rows' own key order (the first row's). */
  names: readonly string[];
  /** rows × names, row-major (a view of a batch may run longer): each cell's kind (CELL). */
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
export function readRowColumns(rows: readonly RawRow[], known?: readonly string[]): RowColumns {
  const first = rows[0];
  const names = first === undefined ? (known ?? []) : rowNames(first, known);
  const cells = rows.length * names.length;
  // Fresh arrays: a cell nothing writes (an undefined value) reads CELL.UNDEFINED and 0.
  const kinds = new Uint8Array(cells);
  const values = new Float64Array(cells);
  const strings: string[] = [];
  const irregular = readCells(rows, rows.length, names, kinds, values, 0, {
    add: (text) => strings.push(text) - 1,
    mark: () => strings.length,
    reset: (mark) => {
      strings.length = mark;
    },
  });
  return { rows: rows.length, names, kinds, values, strings, irregular };
}

/** Where readCells puts a string cell's text: it returns the index the cell's value holds. */
export interface StringTable {
  add(text: string): number;
  /** A point to go back to when a row turns out irregular, and going back to it. */
  mark(): number;
  reset(mark: number): void;
}

/**
 * Reads the first `count` rows' cells into `kinds` and `values` from `at` on (`names.length` per
 * row; the cells must read CELL.UNDEFINED and 0 beforehand), their strings into `table`.
 * Returns the rows of another shape, as JSON text by row index (their cells stay undefined).
 */
export function readCells(
  rows: readonly RawRow[],
  count: number,
  names: readonly string[],
  kinds: Uint8Array,
  values: Float64Array,
  at: number,
  table: StringTable,
): Map<number, string> | undefined {
  const width = names.length;
  let irregular: Map<number, string> | undefined;
  for (let r = 0; r < count; r++) {
    const row = rows[r] as Record<string, unknown>;
    const start = at + r * width;
    const held = table.mark();
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
          kinds[start + c] = CELL.NUMBER;
          values[start + c] = value;
          break;
        case 'string': {
          const digits = digitsValue(value);
          if (digits >= 0) {
            kinds[start + c] = CELL.DIGITS;
            values[start + c] = digits;
          } else {
            kinds[start + c] = CELL.STRING;
            values[start + c] = table.add(value);
          }
          break;
        }
        case 'boolean':
          kinds[start + c] = value ? CELL.TRUE : CELL.FALSE;
          break;
        case 'undefined':
          break;
        default:
          if (value === null) {
            kinds[start + c] = CELL.NULL;
          } else {
            const text = jsonOrUndefined(value);
            if (text !== undefined) {
              kinds[start + c] = CELL.JSON;
              values[start + c] = table.add(text);
            }
          }
      }
      c++;
    }
    if (regular && c === width) continue;
    kinds.fill(CELL.UNDEFINED, start, start + width);
    values.fill(0, start, start + width);
    table.reset(held);
    irregular ??= new Map();
    irregular.set(r, JSON.stringify(row));
  }
  return irregular;
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

/**
 * A row's keys in order: `known` itself when they are exactly those, so that a caller can
 * recognise a shape by identity.
 */
export function rowNames(row: RawRow, known: readonly string[] | undefined): readonly string[] {
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
