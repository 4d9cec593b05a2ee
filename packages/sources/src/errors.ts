import { CodedError } from '@tandem/errors';

/**
 * Every error a data source raises, in one table. Entry points (training, batch scoring) answer
 * them under these codes, keeping the message: it names the source, the field or the column.
 */
export const SOURCE_ERRORS = {
  TANDEM_SOURCE_INVALID:
    'the data source spec is malformed: unknown format, a missing or mistyped field, a bad URL',
  TANDEM_SOURCE_NOT_FOUND:
    'the file, the S3 object or the environment variable naming a database does not exist',
  TANDEM_SOURCE_UNAVAILABLE:
    'the database or the object store cannot be reached, or refused the query or the read',
  TANDEM_SOURCE_UNREADABLE:
    'the content is not a table Tandem reads: bad records, a damaged file, a column type with no cell',
} as const;

export type SourceErrorCode = keyof typeof SOURCE_ERRORS;

export class SourceError extends CodedError<SourceErrorCode> {}
