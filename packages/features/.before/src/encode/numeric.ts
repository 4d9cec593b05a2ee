import { rangeText } from '../expected-values.ts';
import { readNumber } from '../read/number.ts';
import { isMissingStatus, READ_OK } from '../read/status.ts';
import type { NumericColumnState, NumericTransformState } from '../state/types.ts';
import { type ColumnEncoder, type CompiledColumn, scaleOf } from './column-encoder.ts';
import { pushError, pushIssue, pushReadError } from './report.ts';

/** Writes a (possibly clipped) value's transformed outputs at out[at, at + width). */
type ValueWriter = (x: number, out: Float32Array, at: number) => void;

export function compileNumeric(state: NumericColumnState, columnOffset: number): CompiledColumn {
  const { name, nullable, missingIndicator } = state;
  const imputeValue = state.impute.value;
  const declared = state.range;
  const allowedMin = declared?.min ?? Number.NEGATIVE_INFINITY;
  const allowedMax = declared?.max ?? Number.POSITIVE_INFINITY;
  const isLog = state.transform.kind === 'log1p';
  // A column with no training value saw only its impute value: any value is out of that range
  // and is clipped to it whatever the rule, so the output stays the constant it was in training.
  const low = state.observed?.min ?? imputeValue;
  const high = state.observed?.max ?? imputeValue;
  const clip = state.outOfRange === 'clip' || state.observed === null;
  const { width, names, write } = numericWriter(name, state.transform);
  const indicatorAt = columnOffset + width;
  const cell = { value: 0 };

  const encode: ColumnEncoder = (row, out, rowOffset, rowIndex, report) => {
    const raw = row[name];
    const status = readNumber(raw, cell);
    let x: number;
    let missing = 0;
    if (status === READ_OK) {
      x = cell.value;
      if (x < allowedMin || x > allowedMax) {
        pushError(report, rowIndex, name, 'out_of_allowed_range', rangeText(declared ?? {}), raw);
        return false;
      }
      if (x < low || x > high) {
        pushIssue(report, rowIndex, name, 'out_of_range');
        if (clip) x = x < low ? low : high;
        // log1p is undefined below -1 and meaningless below 0: 0 whatever the rule.
        else if (isLog && x < 0) x = 0;
      }
    } else if (nullable && isMissingStatus(status)) {
      x = imputeValue;
      missing = 1;
      pushIssue(report, rowIndex, name, 'missing');
    } else {
      pushReadError(report, rowIndex, name, 'numeric', status, raw);
      return false;
    }
    write(x, out, rowOffset + columnOffset);
    if (missingIndicator) out[rowOffset + indicatorAt] = missing;
    return true;
  };

  const outputNames = missingIndicator ? [...names, `${name}:missing`] : names;
  return { width: outputNames.length, outputNames, encode };
}

function numericWriter(
  name: string,
  transform: NumericTransformState,
): { width: number; names: string[]; write: ValueWriter } {
  switch (transform.kind) {
    case 'standardize': {
      const center = transform.mean;
      const scale = scaleOf(transform.std);
      return single(name, (x, out, at) => {
        out[at] = (x - center) / scale;
      });
    }
    case 'minmax': {
      const min = transform.min;
      const scale = scaleOf(transform.max - transform.min);
      if (!transform.clip) {
        return single(name, (x, out, at) => {
          out[at] = (x - min) / scale;
        });
      }
      return single(name, (x, out, at) => {
        const y = (x - min) / scale;
        out[at] = y < 0 ? 0 : y > 1 ? 1 : y;
      });
    }
    case 'robust': {
      const center = transform.median;
      const scale = scaleOf(transform.iqr);
      return single(name, (x, out, at) => {
        out[at] = (x - center) / scale;
      });
    }
    case 'log1p':
      return single(name, (x, out, at) => {
        out[at] = Math.log1p(x);
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
