import { CodedError } from '@tandem/errors';

/** Every failure the store reports, with its meaning; the server maps these codes to HTTP statuses. */
export const STORE_ERRORS = {
  TANDEM_MODEL_NOT_FOUND: 'no model of that name in the store',
  TANDEM_VERSION_NOT_FOUND: 'the model has no such version',
  TANDEM_LABEL_NOT_FOUND: 'the model has no such label',
  TANDEM_LABEL_INVALID: 'a label name that is not allowed (letters, digits, - and _, not a number)',
  TANDEM_MODEL_NAME_INVALID: 'a model name that is not allowed (letters, digits, - and _)',
  TANDEM_SELECTOR_INVALID: 'a version selector that is neither a version number nor a label',
  TANDEM_ARTIFACT_INVALID: 'a version to write lacks a file or a manifest field',
  TANDEM_VERSION_CORRUPT:
    "a stored version's files do not match its manifest (missing, changed, sha256)",
  TANDEM_LABELS_CORRUPT: "the model's labels file cannot be read as labels",
  TANDEM_FORMAT_UNSUPPORTED: 'a manifest or labels file of a format this Tandem does not read',
  TANDEM_STORE_BUSY: 'another writer holds the store lock past the wait',
  TANDEM_STORE_WRITE_FAILED: 'the operating system or object store refused a write',
  TANDEM_STORE_URI_INVALID: 'an --artifacts value that is neither a folder nor s3://bucket/prefix',
  TANDEM_STORE_UNAVAILABLE: 'the object store cannot be reached or answered an error',
} as const;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

/** What a StoreError is about, so callers can log or answer without parsing the message. */
export interface StoreErrorContext {
  model?: string;
  version?: number;
  label?: string;
  file?: string;
}

export class StoreError extends CodedError<StoreErrorCode> {
  readonly model?: string;
  readonly version?: number;
  readonly label?: string;
  readonly file?: string;

  constructor(
    code: StoreErrorCode,
    message: string,
    context: StoreErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    if (context.model !== undefined) this.model = context.model;
    if (context.version !== undefined) this.version = context.version;
    if (context.label !== undefined) this.label = context.label;
    if (context.file !== undefined) this.file = context.file;
  }
}

export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError;
}

/**
 * An operating-system failure while writing to the store (permissions, a full disk, a file where
 * a folder should be) as TANDEM_STORE_WRITE_FAILED naming what was being written; any other error
 * is returned as it is.
 */
export function writeFailure(error: unknown, what: string, model: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!(error instanceof Error) || typeof code !== 'string' || error instanceof StoreError) {
    return error;
  }
  return new StoreError(
    'TANDEM_STORE_WRITE_FAILED',
    `cannot write ${what}: ${error.message}`,
    {
      model,
    },
    { cause: error },
  );
}
