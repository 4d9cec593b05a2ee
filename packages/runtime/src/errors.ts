/** Failures of the runtime; the server maps these codes to HTTP statuses. */
export type RuntimeErrorCode =
  | 'TANDEM_MODEL_LOAD_FAILED'
  | 'TANDEM_BACKEND_INVALID'
  | 'TANDEM_FEATURES_FILE_INVALID'
  | 'TANDEM_MODEL_FILES_INVALID'
  | 'TANDEM_ENGINE_UNSUPPORTED';

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
    this.code = code;
  }
}

/** The message of any thrown value, for "reason" parts of messages and log lines. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
