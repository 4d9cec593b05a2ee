/**
 * Errors batch scoring raises on purpose. Each message is one line a user can act on; the CLI
 * prints it and exits non-zero without a stack trace.
 */

export const SCORE_ERRORS = {
  TANDEM_USAGE: 'bad command-line usage',
  TANDEM_SCORE_INPUT_NOT_FOUND: 'the input file does not exist or cannot be read',
  TANDEM_SCORE_BAD_INPUT: 'the input file cannot be parsed as a whole (header, quoting, size)',
  TANDEM_SCORE_BAD_ROW: 'a row cannot be scored and --strict is on',
  TANDEM_SCORE_COLUMN_CLASH: 'an input column has the name of a prediction column',
  TANDEM_SCORE_OUTPUT_FAILED: 'the output file cannot be written',
  TANDEM_SCORE_INTERRUPTED: 'the run was stopped by a signal before it finished',
} as const;

export type ScoreErrorCode = keyof typeof SCORE_ERRORS;

export class ScoreError extends Error {
  readonly code: ScoreErrorCode;

  constructor(code: ScoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScoreError';
    this.code = code;
  }
}
