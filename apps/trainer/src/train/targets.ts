import { LabelEncoder, type RawRow, TargetScaler } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { toNumber } from '../data/cells.ts';

/** How targets become training values: class indices, or standardized numbers. */
export interface TargetCoding {
  labels: LabelEncoder | null;
  scaler: TargetScaler | null;
  /** Number of classes (1 for regression). */
  classCount: number;
}

/**
 * Fits the target coding. Classes come from every non-test row (a class seen only in the
 * validation part must still be encodable); the scaler from the training part only.
 */
export function fitTargets(
  task: Task,
  target: string,
  trainRows: readonly RawRow[],
  validationRows: readonly RawRow[],
): TargetCoding {
  if (task === 'regression') {
    const scaler = TargetScaler.fit(
      trainRows.map((row) => toNumber(row[target]) ?? Number.NaN),
      { column: target },
    );
    return { labels: null, scaler, classCount: 1 };
  }
  const labels = LabelEncoder.fit(
    [...trainRows, ...validationRows].map((row) => row[target]),
    { column: target },
  );
  return { labels, scaler: null, classCount: labels.classes.length };
}

/** Training values of rows: class index or standardized target per row. */
export function encodeTargets(
  coding: TargetCoding,
  target: string,
  rows: readonly RawRow[],
): Float32Array {
  const { labels, scaler } = coding;
  return Float32Array.from(rows, (row, index) => {
    if (labels) return labels.encode(row[target], { row: index, column: target });
    const value = toNumber(row[target]) ?? Number.NaN;
    return scaler ? scaler.scale(value) : value;
  });
}

/**
 * 'balanced' class weights, n / (k × n_c) as scikit-learn computes them, from the training
 * part's class indices.
 */
export function balancedClassWeights(classIndices: Float32Array, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of classIndices) counts[label] = (counts[label] ?? 0) + 1;
  return counts.map((count) => (count === 0 ? 0 : classIndices.length / (classCount * count)));
}
