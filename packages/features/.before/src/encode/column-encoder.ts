import type { RawRow, TransformReport } from '../types.ts';

/**
 * Writes one column's outputs for one row into out[rowOffset + column offset, … + width) and
 * returns false when the value is invalid (the error is in the report). Built once per column
 * when a pipeline is constructed; everything it needs is captured, so a call allocates nothing
 * unless it records an issue or an error.
 */
export type ColumnEncoder = (
  row: RawRow,
  out: Float32Array,
  rowOffset: number,
  rowIndex: number,
  report: TransformReport,
) => boolean;

export interface CompiledColumn {
  width: number;
  outputNames: string[];
  encode: ColumnEncoder;
}

/** (x - mean) / std, with a std of 0 scaling by 1 so that a constant column gives 0, not NaN. */
export function scaleOf(spread: number): number {
  return spread > 0 ? spread : 1;
}
