/**
 * Every error the trainer raises on purpose. A coded error is a user mistake or an expected
 * failure: the CLIs print its message as one line and exit non-zero, never a stack trace.
 */

export const TRAINER_ERRORS = {
  TANDEM_USAGE: 'bad command-line usage',
  TANDEM_CONFIG_NOT_FOUND: 'the config file does not exist or cannot be read',
  TANDEM_CONFIG_INVALID: 'the config is not valid JSON or breaks the config schema',
  TANDEM_DATA_NOT_FOUND: 'the data file does not exist or cannot be read',
  TANDEM_DATA_INVALID: 'the data cannot be parsed or does not suit the task',
  TANDEM_SPLIT_INVALID: 'the split file or split fractions are not usable',
  TANDEM_TRAINING_FAILED: 'training diverged or produced non-finite values',
} as const;

export type TrainerErrorCode = keyof typeof TRAINER_ERRORS;

export class TrainerError extends Error {
  readonly code: TrainerErrorCode;

  constructor(code: TrainerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrainerError';
    this.code = code;
  }
}

/**
 * True for errors any Tandem package raised on purpose (`code` starting with `TANDEM_`): these
 * carry a message written for the user.
 */
export function isCodedError(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('TANDEM_');
}
