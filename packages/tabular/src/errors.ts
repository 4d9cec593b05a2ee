import { CodedError } from '@tandem/errors';

/**
 * Every error the tabular readers raise, in one table. Entry points (training data, batch
 * scoring, request bodies) answer them under their own codes, keeping the message: it names the
 * line and the problem.
 */
export const TABULAR_ERRORS = {
  TANDEM_TABLE_INVALID: 'the text cannot be read as a table (quoting, a record too long, bad JSON)',
  TANDEM_TABLE_HEADER_INVALID:
    'the header names a column twice, pads a name with spaces, or lacks a column the model needs',
  TANDEM_TABLE_UNREADABLE: 'the file does not exist, is not a regular file, or cannot be read',
} as const;

export type TabularErrorCode = keyof typeof TABULAR_ERRORS;

export class TabularError extends CodedError<TabularErrorCode> {}
