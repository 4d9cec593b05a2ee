/**
 * Every error a data source raises, in one table. Entry points (training, batch scoring) answer
 * them under these codes, keeping the message: it names the source, the field or the column.
 */
export const SOURCE_ERRORS = {
  TANDEM_SOURCE_INVALID:
    'the data source spec is malformed: unknown format, a missing or mistyped field, a bad URL',
  TANDEM_SOURCE_NOT_FOUND:
    'the file, the S3 object or the environment variable naming a database does not exist',
  TANDEM_SOURCE_UNREADABLE:
    'the source cannot be read: a connection or query failure, a damaged file, bad records',
  TANDEM_SOURCE_TYPE_UNSUPPORTED:
    'a column has a type with no Tandem cell (bytes, arrays, JSON, nested): cast it in the query',
} as const;

export type SourceErrorCode = keyof typeof SOURCE_ERRORS;

export class SourceError extends Error {
  readonly code: SourceErrorCode;

  constructor(code: SourceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.code = code;
  }
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
