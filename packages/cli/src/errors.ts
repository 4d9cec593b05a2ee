import { CodedError } from '@tandem/errors';

/**
 * The one error every command line shares: a usage mistake (unknown flag, bad value). Commands
 * print its message as one line and exit 2.
 */
export const CLI_ERRORS = {
  TANDEM_CLI_USAGE: 'bad command-line usage: an unknown flag, a missing or malformed value',
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export class UsageError extends CodedError<CliErrorCode> {
  constructor(message: string) {
    super('TANDEM_CLI_USAGE', message);
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
