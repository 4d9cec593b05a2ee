/**
 * Public types of @tandem/features. This file is the contract between the features package and
 * its users (trainer, runtime, server): change a name or shape here only together with them.
 */

/** One raw input row, as parsed from JSON, CSV or NDJSON. Values are unvalidated. */
export type RawRow = Readonly<Record<string, unknown>>;

export type ColumnType = 'numeric' | 'categorical' | 'boolean' | 'datetime';

export type NumericTransform =
  | { kind: 'standardize' }
  | { kind: 'minmax'; clip?: boolean }
  | { kind: 'robust' }
  | { kind: 'log1p' }
  | { kind: 'bucketize'; buckets: number }
  /** The value as it is (tree encoding: trees need no scaling). */
  | { kind: 'identity' };

export type UnknownCategoryRule = 'ignore' | 'other' | 'reject';

export type CategoricalTransform =
  | {
      kind: 'onehot';
      maxCategories?: number;
      minFrequency?: number;
      /** What an unseen level becomes: all zeros, the shared "other" slot, or an input error. */
      unknown?: UnknownCategoryRule;
    }
  | { kind: 'ordinal'; unknownValue?: number }
  /**
   * Tree encoding: integer category codes 0 … k-1 (most frequent level first). Levels below
   * `minFrequency`, beyond `maxCategories` (default 254), unseen levels and missing values all
   * encode as NaN, the value trees route down their missing-value branch.
   */
  | { kind: 'codes'; maxCategories?: number; minFrequency?: number };

/** 'none': a missing value stays missing, encoded as NaN (tree encoding). */
export type ImputeStrategy = 'mean' | 'median' | 'most_frequent' | 'constant' | 'none';

/** What a numeric value outside the training [min, max] becomes before scaling. */
export type OutOfRangeRule = 'clip' | 'extrapolate';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** false: a missing value is an input error instead of being imputed. Default true. */
  nullable?: boolean;
  /** Allowed range (validation, not training statistics): values outside are input errors. */
  range?: { min?: number; max?: number };
  /** Allowed values of a categorical column: others are input errors. */
  values?: string[];
  transform?: NumericTransform | CategoricalTransform;
  impute?: { strategy: ImputeStrategy; value?: number | string | boolean };
  missingIndicator?: boolean;
  outOfRange?: OutOfRangeRule;
}

export interface PipelineSpec {
  columns: ColumnSpec[];
  /** A column in the input that the spec does not declare. Default 'ignore'. */
  unknownColumns?: 'ignore' | 'reject';
}

export interface InferOptions {
  /** Columns never used as inputs (the target, identifiers). */
  exclude?: readonly string[];
  /** Per-column overrides applied on top of what was inferred. */
  overrides?: Readonly<Record<string, Partial<ColumnSpec>>>;
}

export interface InferredColumn {
  name: string;
  type: ColumnType;
  /** Why this type was chosen, in words ("412 of 412 non-empty values parse as numbers"). */
  reason: string;
  missing: number;
}

export interface InferenceReport {
  columns: InferredColumn[];
  excluded: string[];
  /**
   * Text columns left out because nearly every value is distinct (names, ids): a model can only
   * memorise them. An override for the column keeps it.
   */
  identifiers: Array<{ name: string; reason: string }>;
  /** A readable, multi-line summary for logs. */
  text: string;
}

/** What a caller can be told about one column of a fitted pipeline (manifest, server metadata). */
export interface InputColumnSchema {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** Training statistics: numeric min / max seen; categorical levels seen (in encoding order). */
  min?: number;
  max?: number;
  levels?: string[];
  /** Declared validation constraints, when any. */
  range?: { min?: number; max?: number };
  values?: string[];
}

export type IssueKind = 'out_of_range' | 'unseen_category' | 'missing';

/** A value the pipeline handled by a recorded rule (clip, extrapolate, other, impute): a warning. */
export interface RowIssue {
  row: number;
  column: string;
  kind: IssueKind;
}

export type InputProblem =
  | 'missing_required'
  | 'unknown_column'
  | 'wrong_type'
  | 'not_finite'
  | 'null_not_allowed'
  | 'out_of_allowed_range'
  | 'not_allowed_value'
  | 'unseen_category_rejected';

/** One reason a row cannot be transformed: names row, column, what was expected and received. */
export interface InputErrorDetail {
  row: number;
  column: string;
  problem: InputProblem;
  expected: string;
  received: unknown;
  message: string;
}

/** Sink that transformInto appends to; reused across rows so the hot path allocates nothing. */
export interface TransformReport {
  issues: RowIssue[];
  errors: InputErrorDetail[];
}

export interface BatchResult {
  /** rows × width, row-major. Rejected rows are left as zeros. */
  values: Float32Array;
  rows: number;
  width: number;
  issues: RowIssue[];
  errors: InputErrorDetail[];
  /** Indices of rows that failed validation (only in errors: 'collect' mode), ascending. */
  rejected: number[];
}
