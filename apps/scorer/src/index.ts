export { SCORER_ERRORS, ScorerError, type ScorerErrorCode } from './errors.ts';
export {
  copyRecords,
  DEFAULT_BATCH_SIZE,
  type ScoreFileOptions,
  type ScoreSummary,
  scoreFile,
} from './score-file.ts';
