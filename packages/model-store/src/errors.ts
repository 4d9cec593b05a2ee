/** Every failure the store reports; the server maps these codes to HTTP statuses. */
export type StoreErrorCode =
  | 'TANDEM_MODEL_NOT_FOUND'
  | 'TANDEM_VERSION_NOT_FOUND'
  | 'TANDEM_LABEL_NOT_FOUND'
  | 'TANDEM_LABEL_INVALID'
  | 'TANDEM_MODEL_NAME_INVALID'
  | 'TANDEM_SELECTOR_INVALID'
  | 'TANDEM_ARTIFACT_INVALID'
  | 'TANDEM_VERSION_CORRUPT'
  | 'TANDEM_LABELS_CORRUPT'
  | 'TANDEM_FORMAT_UNSUPPORTED'
  | 'TANDEM_STORE_BUSY'
  | 'TANDEM_STORE_WRITE_FAILED'
  | 'TANDEM_STORE_URI_INVALID'
  | 'TANDEM_STORE_UNAVAILABLE';

/** What a StoreError is about, so callers can log or answer without parsing the message. */
export interface StoreErrorContext {
  model?: string;
  version?: number;
  label?: string;
  file?: string;
}

export class StoreError extends Error {
  readonly code: StoreErrorCode;
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
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
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
