export { SCORE_ERRORS, ScoreError, type ScoreErrorCode } from './errors.ts';
export { type DataFormat, formatOf, parseFormat } from './format.ts';
export { formatModelRef, type ModelRef, parseModelRef } from './model-ref.ts';
export type { ScoreProgress } from './pipeline.ts';
export { ERROR_COLUMN, predictionColumns } from './prediction-columns.ts';
export { ProgressReporter } from './progress.ts';
export { MAX_RECORD_CHARS } from './records.ts';
export {
  type CopyFileOptions,
  copyRecords,
  DEFAULT_BATCH_SIZE,
  type ScoreFileOptions,
  type ScoreSummary,
  scoreFile,
} from './score-file.ts';
