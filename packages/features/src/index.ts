export { OTHER_LEVEL } from './encode/categorical.ts';
export {
  FEATURES_ERRORS,
  FeatureFitError,
  FeatureInputError,
  FeatureStateError,
  type FeaturesErrorCode,
  MAX_ERROR_DETAILS,
} from './errors.ts';
export { DEFAULT_MISSING_LEVEL } from './fit/categorical.ts';
export { fitPipeline } from './fit/fit-pipeline.ts';
export { inferSchema } from './infer.ts';
export type { LabelEncoderState, LabelSource } from './label-encoder.ts';
export { LABEL_ENCODER_FORMAT, LabelEncoder } from './label-encoder.ts';
export type { ColumnSpan, TransformBatchOptions } from './pipeline.ts';
export { FittedPipeline } from './pipeline.ts';
export { parseIsoDate } from './read/datetime.ts';
export { trainingRange } from './state/training-range.ts';
export type {
  BooleanColumnState,
  CategoricalColumnState,
  CategoricalEncodingState,
  ColumnState,
  DatetimeColumnState,
  NumericColumnState,
  NumericTransformState,
  PipelineState,
  Standardization,
} from './state/types.ts';
export { PIPELINE_FORMAT } from './state/types.ts';
export type { TargetScalerState } from './target-scaler.ts';
export { TARGET_SCALER_FORMAT, TargetScaler } from './target-scaler.ts';
export type { TreeInput } from './tree-spec.ts';
export { treeInputsOf, treeSpec } from './tree-spec.ts';
export type {
  BatchResult,
  CategoricalTransform,
  ColumnSpec,
  ColumnType,
  ImputeStrategy,
  InferenceReport,
  InferOptions,
  InferredColumn,
  InputColumnSchema,
  InputErrorDetail,
  InputProblem,
  IssueKind,
  NumericTransform,
  OutOfRangeRule,
  PipelineSpec,
  RawRow,
  RowIssue,
  TransformReport,
  UnknownCategoryRule,
} from './types.ts';
