import { booleanWord } from '../read/boolean.ts';
import { readPlainDecimal } from '../read/number.ts';
import type { RawRow, TransformReport } from '../types.ts';
import type { ColumnEncoder, FastPath } from './column-encoder.ts';

/**
 * Writes every column of one row into out[rowOffset, rowOffset + width) and returns false when
 * any value is invalid. Every column is encoded, so one call reports all of a row's problems.
 */
export type RowEncoder = (
  row: RawRow,
  out: Float32Array,
  rowOffset: number,
  rowIndex: number,
  report: TransformReport,
) => boolean;

export interface EncodedColumn {
  name: string;
  encode: ColumnEncoder;
  fastPath?: FastPath | undefined;
}

/** Up to this many levels, comparing strings beats a Map, which must first hash a CSV string. */
const MAX_COMPARED_LEVELS = 8;
/** Up to this many one-hot slots, zeroing is written out rather than looped. */
const MAX_UNROLLED_SLOTS = 16;

/**
 * Compiles a pipeline's columns into one row function (new Function), written out column by
 * column, for example:
 *
 *     v = row["Income"];
 *     x = typeof v === 'number' ? v : typeof v === 'string' ? readPlainDecimal(v) : NaN;
 *     if (x >= 0 && x <= 959) { out[o + 9] = (x - 130.57) / 86.36; out[o + 10] = 0; }
 *     else if (!e8(v, out, o, rowIndex, report)) valid = false;
 *
 * Why: a loop over the columns reading `row[names[c]]` and calling `encoders[c]` makes one keyed
 * load see every column name and one call site see every encoder, so neither can be optimised.
 * Written out, each load is a named property access, monomorphic on the rows' shape; a column's
 * common values (its FastPath) are handled inline with its constants as literals; every other
 * value goes to the column's encoder, which applies the documented rules. The source holds no
 * input text: names and levels enter it as JSON string literals, numbers as number literals
 * from the fitted state, functions as parameters. Wide pipelines get one function per 64 columns.
 *
 * Where code generation from strings is disabled (`--disallow-code-generation-from-strings`),
 * a loop over the encoders gives the same results, more slowly.
 */
export function compileRowEncoder(columns: readonly EncodedColumn[]): RowEncoder {
  try {
    return generateRowEncoder(columns);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return loopRowEncoder(columns);
  }
}

/** The row encoder as a plain loop over the column encoders: the reference, and the fallback. */
export function loopRowEncoder(columns: readonly EncodedColumn[]): RowEncoder {
  const names = columns.map((column) => column.name);
  const encoders = columns.map((column) => column.encode);
  return (row, out, rowOffset, rowIndex, report) => {
    let valid = true;
    for (let c = 0; c < encoders.length; c++) {
      if (!encoders[c]!(row[names[c]!], out, rowOffset, rowIndex, report)) valid = false;
    }
    return valid;
  };
}

/**
 * Columns per generated function. One function for hundreds of columns grows past the size the
 * optimising compiler accepts and runs unoptimised: with 500 columns, 59 ns per column against
 * 13 ns in chunks of 64 (and 74 ns for the loop).
 */
const COLUMNS_PER_FUNCTION = 64;

/** Throws EvalError where code generation from strings is disabled. */
export function generateRowEncoder(columns: readonly EncodedColumn[]): RowEncoder {
  const chunks: RowEncoder[] = [];
  for (let start = 0; start < columns.length; start += COLUMNS_PER_FUNCTION) {
    chunks.push(generateChunk(columns.slice(start, start + COLUMNS_PER_FUNCTION)));
  }
  if (chunks.length === 1) return chunks[0]!;
  return (row, out, rowOffset, rowIndex, report) => {
    let valid = true;
    for (let c = 0; c < chunks.length; c++) {
      if (!chunks[c]!(row, out, rowOffset, rowIndex, report)) valid = false;
    }
    return valid;
  };
}

function generateChunk(columns: readonly EncodedColumn[]): RowEncoder {
  // Values the generated code refers to by parameter name: readers, encoders, lookup maps.
  const parameters: string[] = ['readPlainDecimal', 'booleanWord'];
  const values: unknown[] = [readPlainDecimal, booleanWord];
  const bind = (prefix: string, value: unknown): string => {
    const name = `${prefix}${values.length}`;
    parameters.push(name);
    values.push(value);
    return name;
  };
  const lines: string[] = [];
  for (const column of columns) {
    const encoder = bind('e', column.encode);
    const fallback = `if (!${encoder}(v, out, o, rowIndex, report)) valid = false;`;
    lines.push(`v = row[${stringLiteral(column.name)}];`);
    const fast = column.fastPath;
    if (fast === undefined) {
      lines.push(fallback);
      continue;
    }
    lines.push(...fastPathLines(fast, bind), `else ${fallback}`);
  }
  const source = [
    "'use strict';",
    'return function encodeRow(row, out, o, rowIndex, report) {',
    '  let valid = true;',
    '  let v, x, s;',
    ...lines.map((line) => `  ${line}`),
    '  return valid;',
    '};',
  ].join('\n');
  const factory = new Function(...parameters, source) as (...values: unknown[]) => RowEncoder;
  return factory(...values);
}

/**
 * Statements that handle the fast path's values and end with an `if` whose `else` the caller
 * adds (the encoder call).
 */
function fastPathLines(fast: FastPath, bind: (prefix: string, value: unknown) => string): string[] {
  const indicator = fast.indicatorAt >= 0 ? [`out[o + ${int(fast.indicatorAt)}] = 0;`] : [];
  const block = (condition: string, statements: string[]) =>
    `if (${condition}) { ${[...statements, ...indicator].join(' ')} }`;
  switch (fast.kind) {
    case 'affine': {
      const scaled = `(x - ${numberLiteral(fast.center)}) / ${numberLiteral(fast.scale)}`;
      const at = int(fast.at);
      const write = fast.clamp
        ? [`x = ${scaled};`, `out[o + ${at}] = x < 0 ? 0 : x > 1 ? 1 : x;`]
        : [`out[o + ${at}] = ${scaled};`];
      return [
        `x = typeof v === 'number' ? v : typeof v === 'string' ? readPlainDecimal(v) : NaN;`,
        block(`x >= ${numberLiteral(fast.min)} && x <= ${numberLiteral(fast.max)}`, write),
      ];
    }
    case 'level': {
      // s: the level's code, or -1 (not a level, or a level without a slot of its own).
      const find =
        fast.levels.length > MAX_COMPARED_LEVELS
          ? `typeof v === 'string' ? (${bind('m', new Map(fast.levels.map((level, i) => [level, fast.codes[i]!])))}.get(v) ?? -1) : -1`
          : `${fast.levels.map((level, i) => `v === ${stringLiteral(level)} ? ${int(fast.codes[i]!)} : `).join('')}-1`;
      const at = int(fast.at);
      let write: string[];
      if (fast.slots === 0) {
        write = [`out[o + ${at}] = s;`];
      } else if (fast.slots <= MAX_UNROLLED_SLOTS) {
        write = Array.from({ length: fast.slots }, (_, k) => `out[o + ${int(fast.at + k)}] = 0;`);
        write.push(`out[o + ${at} + s] = 1;`);
      } else {
        write = [
          `for (let k = o + ${at}; k < o + ${int(fast.at + fast.slots)}; k++) out[k] = 0;`,
          `out[o + ${at} + s] = 1;`,
        ];
      }
      return [`s = ${find};`, block('s >= 0', write)];
    }
    case 'boolean':
      return [
        `s = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' ? booleanWord(v) : -1;`,
        block('s >= 0', [`out[o + ${int(fast.at)}] = s;`]),
      ];
  }
}

/** A number as source text that reads back as the same double (-0 included). */
function numberLiteral(value: number): string {
  if (typeof value !== 'number') throw new TypeError(`not a number: ${String(value)}`);
  if (Object.is(value, -0)) return '(-0)';
  // String() gives the shortest text that reads back as the same double; NaN and ±Infinity
  // read back as themselves too.
  return value < 0 ? `(${value})` : String(value);
}

function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${String(value)}`);
  return String(value);
}

function stringLiteral(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`not a string: ${String(value)}`);
  return JSON.stringify(value);
}
