import type { ColumnType } from '@tandem/features';

/** profile.json's format number: a reader refuses any other. */
export const PROFILE_FORMAT = 1;

/**
 * A numeric (or datetime, as epoch ms) column: fixed bins cut at quantiles of the training values.
 * `edges` are b0 = min < b1 < … < bm = max; `counts` has m + 2 entries: underflow (v < min), the
 * m bins [b(j-1), b(j)) (the last one closed at max), overflow (v > max). Fixed at training time,
 * so live counts are always comparable to the reference.
 */
export interface NumericProfile {
  name: string;
  kind: 'numeric';
  /** The input column's type; outputs are 'numeric'. */
  type: ColumnType;
  rows: number;
  missing: number;
  mean: number;
  /** Population standard deviation of the training values: the Wasserstein distance's unit. */
  std: number;
  edges: number[];
  counts: number[];
  /** Mean of the training values in each cell (0 for an empty cell): where its mass sits. */
  means: number[];
}

/**
 * A categorical (or boolean) column: training levels by frequency (descending, then by code
 * unit), `counts` with one more entry, the unseen bucket (0 in training, by construction).
 */
export interface CategoricalProfile {
  name: string;
  kind: 'categorical';
  type: ColumnType;
  rows: number;
  missing: number;
  levels: string[];
  counts: number[];
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

/**
 * The distribution of the model's output on the training rows: for classifiers the predicted
 * label (categorical, `label`) and each class's score (numeric, `score:<class>`), for regressors
 * the predicted value (numeric, `value`).
 */
export interface OutputProfile {
  task: 'binary' | 'multiclass' | 'regression';
  columns: ColumnProfile[];
}

export interface ReferenceProfile {
  format: typeof PROFILE_FORMAT;
  rows: number;
  /** Bins asked for per numeric column; ties at quantiles can leave fewer. */
  bins: number;
  columns: ColumnProfile[];
  output: OutputProfile;
}
