import type { TransformReport } from '../types.ts';

/**
 * Writes one column's outputs for one row's value `raw` (row[column name], undefined when
 * absent) into out[rowOffset + column offset, … + width) and returns false when the value is
 * invalid (the error is in the report). Built once per column when a pipeline is constructed;
 * everything it needs is captured, so a call allocates nothing unless it records an issue or an
 * error.
 */
export type ColumnEncoder = (
  raw: unknown,
  out: Float32Array,
  rowOffset: number,
  rowIndex: number,
  report: TransformReport,
) => boolean;

export interface CompiledColumn {
  width: number;
  outputNames: string[];
  /** Handles every value; the reference for what the fast path does. */
  encode: ColumnEncoder;
  /** The column's common values, for the row encoder to handle inline; absent: none. */
  fastPath?: FastPath | undefined;
}

/**
 * What a column's encoder does for its common values, as data the row encoder writes out inline
 * (row-encoder.ts), giving exactly the encoder's outputs for them. A value outside the fast path
 * goes to the encoder. Offsets are within a row; indicatorAt is -1 without a `:missing` output,
 * which the fast path sets to 0.
 */
export type FastPath =
  /**
   * A finite number, or a string readPlainDecimal reads, x in [min, max]:
   * out[at] = (x - center) / scale, clamped to [0, 1] when clamp is set.
   */
  | {
      kind: 'affine';
      min: number;
      max: number;
      center: number;
      scale: number;
      clamp: boolean;
      at: number;
      indicatorAt: number;
    }
  /**
   * A string equal to levels[i] (most frequent first) whose code codes[i] is 0 or more: with
   * slots > 0, out[at, at + slots) is one-hot with its 1 at at + codes[i]; with slots 0,
   * out[at] = codes[i].
   */
  | {
      kind: 'level';
      levels: readonly string[];
      codes: readonly number[];
      slots: number;
      at: number;
      indicatorAt: number;
    }
  /** true / false or a string booleanWord reads: out[at] = 1 or 0. */
  | { kind: 'boolean'; at: number; indicatorAt: number };

/** (x - mean) / std, with a std of 0 scaling by 1 so that a constant column gives 0, not NaN. */
export function scaleOf(spread: number): number {
  return spread > 0 ? spread : 1;
}
