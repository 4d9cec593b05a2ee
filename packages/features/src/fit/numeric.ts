import { FeatureFitError } from '../errors.ts';
import { readNumber } from '../read/number.ts';
import { READ_OK } from '../read/status.ts';
import type { NumericColumnState, NumericTransformState } from '../state/types.ts';
import { mean, populationStd, quantileOfSorted, sortedCopy } from '../stats.ts';
import type { ColumnSpec, NumericTransform, RawRow } from '../types.ts';
import { fittedColumnBase } from './column-base.ts';
import { fitImputedNumbers, observedRange } from './impute-number.ts';

/**
 * Fits a numeric column: imputation first, then the scaling statistics on the imputed values
 * (scikit-learn's SimpleImputer → StandardScaler order), so a default pipeline matches it.
 */
export function fitNumericColumn(
  spec: ColumnSpec,
  rows: readonly RawRow[],
  notes: string[],
): NumericColumnState {
  const { column, impute, filled } = fitImputedNumbers(
    spec,
    rows,
    readNumber,
    readConstantNumber,
    notes,
  );
  const transform = (spec.transform ?? { kind: 'standardize' }) as NumericTransform;
  if (transform.kind === 'log1p')
    checkLog1pDomain(spec.name, column.values, column.present, impute.value);
  const state: NumericColumnState = {
    ...fittedColumnBase(spec, 'numeric', column.missing, column.missing > 0),
    observed: observedRange(column),
    impute,
    outOfRange: spec.outOfRange ?? 'extrapolate',
    transform: fitNumericTransform(transform, filled),
  };
  if (spec.range !== undefined) state.range = spec.range;
  return state;
}

export function fitNumericTransform(
  transform: NumericTransform,
  values: Float64Array,
): NumericTransformState {
  switch (transform.kind) {
    case 'standardize': {
      const center = mean(values);
      return { kind: 'standardize', mean: center, std: populationStd(values, center) };
    }
    case 'minmax': {
      const sorted = sortedCopy(values);
      return {
        kind: 'minmax',
        min: sorted[0] ?? 0,
        max: sorted[sorted.length - 1] ?? 0,
        clip: transform.clip ?? false,
      };
    }
    case 'robust': {
      const sorted = sortedCopy(values);
      return {
        kind: 'robust',
        median: quantileOfSorted(sorted, 0.5),
        iqr: quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25),
      };
    }
    case 'log1p':
      return { kind: 'log1p' };
    case 'identity':
      return { kind: 'identity' };
    case 'bucketize': {
      const sorted = sortedCopy(values);
      const edges: number[] = [];
      for (let k = 1; k < transform.buckets; k++) {
        edges.push(quantileOfSorted(sorted, k / transform.buckets));
      }
      return { kind: 'bucketize', edges };
    }
  }
}

function checkLog1pDomain(
  name: string,
  values: Float64Array,
  present: Uint8Array,
  imputeValue: number,
): void {
  for (let i = 0; i < values.length; i++) {
    if (present[i] === 1 && values[i]! < 0) {
      throw new FeatureFitError(
        `column "${name}": log1p needs values ≥ 0, but training row ${i} holds ${values[i]}`,
        name,
      );
    }
  }
  if (imputeValue < 0) {
    throw new FeatureFitError(
      `column "${name}": log1p needs values ≥ 0, but the impute value is ${imputeValue}`,
      name,
    );
  }
}

function readConstantNumber(value: unknown): number | undefined {
  const cell = { value: 0 };
  return readNumber(value, cell) === READ_OK ? cell.value : undefined;
}
