import type { ImputeStrategy, OutOfRangeRule, UnknownCategoryRule } from '../types.ts';

/**
 * The JSON state of a fitted pipeline (features.json). Plain data: numbers, strings, booleans,
 * arrays and objects with a fixed key order, so the same fit always serialises to the same bytes.
 */

/** The state format this package writes; fromJSON refuses any other. */
export const PIPELINE_FORMAT = 1;

export interface PipelineState {
  format: typeof PIPELINE_FORMAT;
  unknownColumns: 'ignore' | 'reject';
  /** Training rows the pipeline was fitted on. */
  rows: number;
  columns: ColumnState[];
  /** What fitting decided that a reader should know ("all values missing: imputed with 0"). */
  notes: string[];
}

export type ColumnState =
  | NumericColumnState
  | CategoricalColumnState
  | BooleanColumnState
  | DatetimeColumnState;

interface ColumnStateBase {
  name: string;
  nullable: boolean;
  /** Declared validation range, when any. */
  range?: { min?: number; max?: number };
  /** Declared allowed values, when any. */
  values?: string[];
  missingIndicator: boolean;
  /** Training rows where the value was missing (and imputed). */
  missing: number;
}

/** Mean and population standard deviation; a std of 0 scales by 1, so constants map to 0. */
export interface Standardization {
  mean: number;
  std: number;
}

export type NumericTransformState =
  | ({ kind: 'standardize' } & Standardization)
  | { kind: 'minmax'; min: number; max: number; clip: boolean }
  /** An iqr of 0 scales by 1. */
  | { kind: 'robust'; median: number; iqr: number }
  | { kind: 'log1p' }
  /** buckets - 1 ascending edges: bucket b holds edges[b-1] <= x < edges[b]. */
  | { kind: 'bucketize'; edges: number[] }
  /** The value unscaled. */
  | { kind: 'identity' };

export interface NumericColumnState extends ColumnStateBase {
  type: 'numeric';
  /** Training min / max of the values present; null when every value was missing. */
  observed: { min: number; max: number } | null;
  /** strategy 'none': a missing value encodes as NaN and `value` (0) is unused. */
  impute: { strategy: ImputeStrategy; value: number };
  outOfRange: OutOfRangeRule;
  transform: NumericTransformState;
}

export type CategoricalEncodingState =
  | { kind: 'onehot'; unknown: UnknownCategoryRule; other: boolean }
  | { kind: 'ordinal'; unknownValue: number }
  /** Code = index in `levels`; rare, unseen and missing values encode as NaN. */
  | { kind: 'codes' };

export interface CategoricalColumnState extends ColumnStateBase {
  type: 'categorical';
  /** Levels with their own output (onehot) or code (ordinal), in encoding order. */
  levels: string[];
  counts: number[];
  /** Levels seen in training that share the "other" slot (maxCategories / minFrequency). */
  rare: string[];
  rareCounts: number[];
  /** null when every training value was missing: a missing value then encodes as all zeros. */
  impute: { strategy: ImputeStrategy; value: string | null };
  encoding: CategoricalEncodingState;
}

export interface BooleanColumnState extends ColumnStateBase {
  type: 'boolean';
  trueCount: number;
  falseCount: number;
  impute: { strategy: ImputeStrategy; value: 0 | 1 };
}

export interface DatetimeColumnState extends ColumnStateBase {
  type: 'datetime';
  /** Training min / max in epoch ms; null when every value was missing. */
  observed: { min: number; max: number } | null;
  /** value: epoch ms. */
  impute: { strategy: ImputeStrategy; value: number };
  outOfRange: OutOfRangeRule;
  parts: {
    year: Standardization;
    month: Standardization;
    dayOfWeek: Standardization;
    hour: Standardization;
  };
}
