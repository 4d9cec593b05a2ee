import { readNumber, readPlainDecimal } from '../read/number.ts';
import { READ_OK } from '../read/status.ts';
import type { NumericColumnState, NumericTransformState } from '../state/types.ts';
import {
  type ColumnEncoder,
  type CompiledColumn,
  type FastPath,
  scaleOf,
} from './column-encoder.ts';
import { declaredRange } from './declared.ts';
import { imputesMissing } from './report.ts';
import { trainingRangeRule } from './training-range-rule.ts';

/** Writes a (possibly clipped) value's transformed outputs at out[at, at + width). */
type ValueWriter = (x: number, out: Float32Array, at: number) => void;

export function compileNumeric(state: NumericColumnState, columnOffset: number): CompiledColumn {
  const { name, missingIndicator } = state;
  // Impute strategy 'none' (tree encoding): a missing value is written as NaN.
  const imputeValue = state.impute.strategy === 'none' ? Number.NaN : state.impute.value;
  const declared = declaredRange(state);
  const isLog = state.transform.kind === 'log1p';
  // Outside the training range and negative, under log1p (undefined below -1, meaningless below
  // 0): 0, unless clipped.
  const range = trainingRangeRule(state, isLog ? (x) => (x < 0 ? 0 : x) : undefined);
  // The values no rule applies to: inside the training range (no warning, no clipping) and the
  // declared range (no error). Finite, since the training range is.
  const plainMin = Math.max(range.low, declared.min);
  const plainMax = Math.min(range.high, declared.max);
  const { width, names, write } = numericWriter(name, state.transform);
  const indicatorAt = missingIndicator ? columnOffset + width : -1;
  const cell = { value: 0 };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    let x = quickNumber(raw);
    let missing = 0;
    if (!(x >= plainMin && x <= plainMax)) {
      // Missing, out of a range, not a plain number (exponent, whitespace, > 15 digits) or invalid.
      const status = readNumber(raw, cell);
      if (status === READ_OK) {
        x = cell.value;
        if (!declared.admits(x, raw, rowIndex, report)) return false;
        x = range.apply(x, rowIndex, report);
      } else if (imputesMissing(state, status, raw, rowIndex, report)) {
        x = imputeValue;
        missing = 1;
      } else {
        return false;
      }
    }
    write(x, out, rowOffset + columnOffset);
    if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
    return true;
  };

  const outputNames = missingIndicator ? [...names, `${name}:missing`] : names;
  const affine = affineOf(state.transform);
  const fastPath: FastPath | undefined =
    affine === undefined
      ? undefined
      : { kind: 'affine', min: plainMin, max: plainMax, ...affine, at: columnOffset, indicatorAt };
  return { width: outputNames.length, outputNames, encode, fastPath };
}

/**
 * A finite number as it is; a plain decimal string's value (readPlainDecimal); NaN for anything
 * else, which the full rule then reads.
 */
function quickNumber(raw: unknown): number {
  return typeof raw === 'number'
    ? raw
    : typeof raw === 'string'
      ? readPlainDecimal(raw)
      : Number.NaN;
}

/** The transforms that are (x - center) / scale, optionally clamped to [0, 1]. */
function affineOf(
  transform: NumericTransformState,
): { center: number; scale: number; clamp: boolean } | undefined {
  switch (transform.kind) {
    case 'standardize':
      return { center: transform.mean, scale: scaleOf(transform.std), clamp: false };
    case 'robust':
      return { center: transform.median, scale: scaleOf(transform.iqr), clamp: false };
    case 'minmax':
      return {
        center: transform.min,
        scale: scaleOf(transform.max - transform.min),
        clamp: transform.clip,
      };
    case 'identity':
      return { center: 0, scale: 1, clamp: false };
    default:
      return undefined;
  }
}

function numericWriter(
  name: string,
  transform: NumericTransformState,
): { width: number; names: string[]; write: ValueWriter } {
  switch (transform.kind) {
    case 'standardize':
    case 'robust':
    case 'minmax': {
      const { center, scale, clamp } = affineOf(transform)!;
      if (!clamp) {
        return single(name, (x, out, at) => {
          out[at] = (x - center) / scale;
        });
      }
      return single(name, (x, out, at) => {
        const y = (x - center) / scale;
        out[at] = y < 0 ? 0 : y > 1 ? 1 : y;
      });
    }
    case 'log1p':
      return single(name, (x, out, at) => {
        out[at] = Math.log1p(x);
      });
    case 'identity':
      return single(name, (x, out, at) => {
        out[at] = x;
      });
    case 'bucketize': {
      const edges = Float64Array.from(transform.edges);
      const buckets = edges.length + 1;
      const names = Array.from({ length: buckets }, (_, b) => `${name}:bucket${b}`);
      return {
        width: buckets,
        names,
        write: (x, out, at) => {
          // Bucket b holds edges[b-1] <= x < edges[b]: count the edges at or below x.
          let bucket = 0;
          while (bucket < edges.length && x >= edges[bucket]!) bucket++;
          for (let b = 0; b < buckets; b++) out[at + b] = 0;
          out[at + bucket] = 1;
        },
      };
    }
  }
}

function single(
  name: string,
  write: ValueWriter,
): { width: number; names: string[]; write: ValueWriter } {
  return { width: 1, names: [name], write };
}
