import { rangeText } from '../expected-values.ts';
import { readNumber, readPlainDecimal } from '../read/number.ts';
import { isMissingStatus, READ_OK } from '../read/status.ts';
import type { NumericColumnState, NumericTransformState } from '../state/types.ts';
import type { TransformReport } from '../types.ts';
import { type ColumnEncoder, type CompiledColumn, scaleOf } from './column-encoder.ts';
import { pushError, pushIssue, pushReadError } from './report.ts';

/**
 * A numeric column compiles to one of four encoders, chosen by its transform. Each has the same
 * fast path: a finite number, or a plain decimal string, inside the training range (so no
 * warning, no clipping) and inside the declared range (so no error) is scaled and written
 * directly. Every other value (missing, out of range, an exponent or whitespace in a string,
 * invalid) goes through settle(), which applies the column's rules exactly as documented.
 */
export function compileNumeric(state: NumericColumnState, columnOffset: number): CompiledColumn {
  const { name, missingIndicator, transform } = state;
  const width = transform.kind === 'bucketize' ? transform.edges.length + 1 : 1;
  const outputNames =
    transform.kind === 'bucketize'
      ? Array.from({ length: width }, (_, b) => `${name}:bucket${b}`)
      : [name];
  if (missingIndicator) outputNames.push(`${name}:missing`);
  const column = new NumericRules(state);
  const layout: Layout = {
    at: columnOffset,
    indicatorAt: missingIndicator ? columnOffset + width : -1,
    // The values that need no rule: in the training range and in the declared range.
    fastMin: Math.max(column.low, column.allowedMin),
    fastMax: Math.min(column.high, column.allowedMax),
  };
  return { width: outputNames.length, outputNames, encode: encoderFor(transform, layout, column) };
}

interface Layout {
  /** Offset of the column's first output within a row. */
  at: number;
  /** Offset of the `:missing` output, -1 when there is none. */
  indicatorAt: number;
  fastMin: number;
  fastMax: number;
}

/** A finite number; a plain decimal string's value; NaN for anything the full rules must read. */
function quickNumber(raw: unknown): number {
  return typeof raw === 'number'
    ? raw
    : typeof raw === 'string'
      ? readPlainDecimal(raw)
      : Number.NaN;
}

function encoderFor(
  transform: NumericTransformState,
  layout: Layout,
  column: NumericRules,
): ColumnEncoder {
  const { at, indicatorAt, fastMin, fastMax } = layout;
  switch (transform.kind) {
    case 'standardize':
      return affineEncoder(transform.mean, scaleOf(transform.std), layout, column);
    case 'robust':
      return affineEncoder(transform.median, scaleOf(transform.iqr), layout, column);
    case 'minmax': {
      const min = transform.min;
      const scale = scaleOf(transform.max - transform.min);
      if (!transform.clip) return affineEncoder(min, scale, layout, column);
      return (raw, out, rowOffset, rowIndex, report) => {
        let x = quickNumber(raw);
        let missing = 0;
        if (!(x >= fastMin && x <= fastMax)) {
          if (!column.settle(raw, rowIndex, report)) return false;
          x = column.value;
          missing = column.missing;
        }
        const y = (x - min) / scale;
        out[rowOffset + at] = y < 0 ? 0 : y > 1 ? 1 : y;
        if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
        return true;
      };
    }
    case 'log1p':
      return (raw, out, rowOffset, rowIndex, report) => {
        let x = quickNumber(raw);
        let missing = 0;
        if (!(x >= fastMin && x <= fastMax)) {
          if (!column.settle(raw, rowIndex, report)) return false;
          x = column.value;
          missing = column.missing;
        }
        out[rowOffset + at] = Math.log1p(x);
        if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
        return true;
      };
    case 'bucketize': {
      const edges = Float64Array.from(transform.edges);
      const buckets = edges.length + 1;
      return (raw, out, rowOffset, rowIndex, report) => {
        let x = quickNumber(raw);
        let missing = 0;
        if (!(x >= fastMin && x <= fastMax)) {
          if (!column.settle(raw, rowIndex, report)) return false;
          x = column.value;
          missing = column.missing;
        }
        // Bucket b holds edges[b-1] <= x < edges[b]: count the edges at or below x.
        let bucket = 0;
        while (bucket < edges.length && x >= edges[bucket]!) bucket++;
        const first = rowOffset + at;
        for (let b = 0; b < buckets; b++) out[first + b] = 0;
        out[first + bucket] = 1;
        if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
        return true;
      };
    }
  }
}

/** (x - center) / scale: standardize, robust, and minmax without clipping. */
function affineEncoder(
  center: number,
  scale: number,
  layout: Layout,
  column: NumericRules,
): ColumnEncoder {
  const { at, indicatorAt, fastMin, fastMax } = layout;
  return (raw, out, rowOffset, rowIndex, report) => {
    let x = quickNumber(raw);
    let missing = 0;
    if (!(x >= fastMin && x <= fastMax)) {
      if (!column.settle(raw, rowIndex, report)) return false;
      x = column.value;
      missing = column.missing;
    }
    out[rowOffset + at] = (x - center) / scale;
    if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
    return true;
  };
}

/**
 * The documented rules for a numeric value that the fast path does not take: the numeric-string
 * rule, missing values (impute or error), the declared range (error) and the training range
 * (warning; clip or extrapolate).
 */
class NumericRules {
  readonly low: number;
  readonly high: number;
  readonly allowedMin: number;
  readonly allowedMax: number;
  /** After settle() returns true: the value to transform and whether it was imputed (1). */
  value = 0;
  missing = 0;
  readonly #name: string;
  readonly #nullable: boolean;
  readonly #imputeValue: number;
  readonly #declared: { min?: number; max?: number } | undefined;
  readonly #clip: boolean;
  readonly #isLog: boolean;
  readonly #cell = { value: 0 };

  constructor(state: NumericColumnState) {
    this.#name = state.name;
    this.#nullable = state.nullable;
    this.#imputeValue = state.impute.value;
    this.#declared = state.range;
    this.allowedMin = state.range?.min ?? Number.NEGATIVE_INFINITY;
    this.allowedMax = state.range?.max ?? Number.POSITIVE_INFINITY;
    // A column with no training value saw only its impute value: any value is out of that range
    // and is clipped to it whatever the rule, so the output stays the constant it was in training.
    this.low = state.observed?.min ?? state.impute.value;
    this.high = state.observed?.max ?? state.impute.value;
    this.#clip = state.outOfRange === 'clip' || state.observed === null;
    this.#isLog = state.transform.kind === 'log1p';
  }

  /** Sets value and missing and returns true, or records the row's error and returns false. */
  settle(raw: unknown, rowIndex: number, report: TransformReport): boolean {
    const name = this.#name;
    const status = readNumber(raw, this.#cell);
    if (status !== READ_OK) {
      if (!(this.#nullable && isMissingStatus(status))) {
        pushReadError(report, rowIndex, name, 'numeric', status, raw);
        return false;
      }
      pushIssue(report, rowIndex, name, 'missing');
      this.value = this.#imputeValue;
      this.missing = 1;
      return true;
    }
    let x = this.#cell.value;
    if (x < this.allowedMin || x > this.allowedMax) {
      pushError(
        report,
        rowIndex,
        name,
        'out_of_allowed_range',
        rangeText(this.#declared ?? {}),
        raw,
      );
      return false;
    }
    if (x < this.low || x > this.high) {
      pushIssue(report, rowIndex, name, 'out_of_range');
      if (this.#clip) x = x < this.low ? this.low : this.high;
      // log1p is undefined below -1 and meaningless below 0: 0 whatever the rule.
      else if (this.#isLog && x < 0) x = 0;
    }
    this.value = x;
    this.missing = 0;
    return true;
  }
}
