import type { RawRow, TransformReport } from '../types.ts';
import type { ColumnEncoder } from './column-encoder.ts';

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
}

/**
 * Compiles the per-row loop over the columns into one function whose body names each column:
 *
 *     if (!e0(row["Seniority"], out, rowOffset, rowIndex, report)) valid = false;
 *     if (!e1(row["Home"], out, rowOffset, rowIndex, report)) valid = false;
 *
 * A loop reading `row[names[c]]` and calling `encoders[c]` makes both sites megamorphic: one
 * keyed load seeing every column name, one call seeing every encoder. Written out, each load is a
 * named property access that stays monomorphic on the rows' shape, and each call has one known
 * target that the optimiser can inline. Column names enter the source only as JSON string
 * literals, encoders only as parameters. Where code generation from strings is disabled
 * (`--disallow-code-generation-from-strings`), the plain loop is used: same results, slower.
 */
export function compileRowEncoder(columns: readonly EncodedColumn[]): RowEncoder {
  const encoders = columns.map((column) => column.encode);
  try {
    const parameters = columns.map((_, c) => `e${c}`);
    const body = [
      "'use strict';",
      'return function encodeRow(row, out, rowOffset, rowIndex, report) {',
      '  let valid = true;',
      ...columns.map(
        (column, c) =>
          `  if (!e${c}(row[${JSON.stringify(column.name)}], out, rowOffset, rowIndex, report)) valid = false;`,
      ),
      '  return valid;',
      '};',
    ].join('\n');
    const factory = new Function(...parameters, body) as (
      ...encoders: ColumnEncoder[]
    ) => RowEncoder;
    return factory(...encoders);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return loopRowEncoder(
      columns.map((column) => column.name),
      encoders,
    );
  }
}

/** The same row encoder as a loop over the columns, for when code generation is disabled. */
export function loopRowEncoder(
  names: readonly string[],
  encoders: readonly ColumnEncoder[],
): RowEncoder {
  return (row, out, rowOffset, rowIndex, report) => {
    let valid = true;
    for (let c = 0; c < encoders.length; c++) {
      if (!encoders[c]!(row[names[c]!], out, rowOffset, rowIndex, report)) valid = false;
    }
    return valid;
  };
}
