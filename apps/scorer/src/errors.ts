import { CodedError } from '@tandem/errors';

/**
 * Every error batch scoring raises on purpose, in one table. A coded error is a user mistake or
 * an expected failure: the command prints its message as one line and exits non-zero.
 */

export const SCORER_ERRORS = {
  TANDEM_SCORE_INPUT_NOT_FOUND: 'the input file does not exist or cannot be read',
  TANDEM_SCORE_INPUT_INVALID: 'the input file cannot be parsed as a whole (header, quoting, size)',
  TANDEM_SCORE_ROW_INVALID: 'a row cannot be scored and --strict is on',
  TANDEM_SCORE_COLUMN_CLASH: 'an input column has the name of a prediction column',
  TANDEM_SCORE_OUTPUT_FAILED: 'the output file cannot be written',
  TANDEM_SCORE_INTERRUPTED: 'the run was stopped by a signal before it finished',
  TANDEM_SCORE_URI_INVALID: 'an s3:// input or output does not name a bucket and an object key',
  TANDEM_SCORE_TABLE_FAILED:
    'the rows cannot be written to the PostgreSQL table (connection, permissions, a column type); nothing was written',
} as const;

export type ScorerErrorCode = keyof typeof SCORER_ERRORS;

export class ScorerError extends CodedError<ScorerErrorCode> {}
