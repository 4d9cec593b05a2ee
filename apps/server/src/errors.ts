import { CodedError } from '@tandem/errors';

/**
 * The one table of coded errors the server answers with. Libraries throw plain coded errors
 * (FeatureInputError, StoreError) with no HTTP in them; this module alone maps codes to statuses.
 */

export const ERROR_TABLE = {
  TANDEM_INPUT_INVALID: { status: 400, message: 'invalid input' },
  TANDEM_REQUEST_INVALID: { status: 400, message: 'malformed request' },
  TANDEM_REQUEST_TOO_MANY_ROWS: { status: 413, message: 'too many rows in one request' },
  TANDEM_REQUEST_TOO_MANY_CELLS: { status: 413, message: 'too many cells in one request' },
  TANDEM_REQUEST_TIMEOUT: { status: 408, message: 'the request was not received in time' },
  TANDEM_URL_TOO_LONG: { status: 414, message: 'a path segment is too long' },
  TANDEM_HEADERS_TOO_LARGE: { status: 431, message: 'request headers over the size limit' },
  TANDEM_EXPLAIN_UNSUPPORTED: { status: 422, message: 'the model has no explanation method' },
  TANDEM_EXPLAIN_CLASS_UNKNOWN: { status: 400, message: 'no such class to explain' },
  TANDEM_PREDICTION_NOT_FINITE: {
    status: 422,
    message: 'the model produced a value that is not a finite number',
  },
  TANDEM_CLIENT_BUSY: { status: 429, message: 'too many requests in flight from this client' },
  TANDEM_SERVER_BUSY: { status: 503, message: 'the server is at capacity' },
  TANDEM_RATE_LIMITED: { status: 429, message: 'over the rate limit' },
  TANDEM_AUTH_REQUIRED: { status: 401, message: 'a valid API key is required' },
  TANDEM_AUTH_FORBIDDEN: { status: 403, message: "the API key's scopes do not allow this" },
  TANDEM_BODY_TOO_LARGE: { status: 413, message: 'request body over the size limit' },
  TANDEM_MEDIA_TYPE_UNSUPPORTED: { status: 415, message: 'unsupported content type' },
  TANDEM_MODEL_NOT_FOUND: { status: 404, message: 'unknown model' },
  TANDEM_VERSION_NOT_FOUND: { status: 404, message: 'unknown model version' },
  TANDEM_LABEL_NOT_FOUND: { status: 404, message: 'unknown label' },
  TANDEM_REPORT_NOT_FOUND: { status: 404, message: 'the version has no training report' },
  TANDEM_ROUTE_NOT_FOUND: { status: 404, message: 'no such route' },
  TANDEM_SERVER_NOT_READY: { status: 503, message: 'models are still loading' },
  TANDEM_VERSION_UNAVAILABLE: { status: 503, message: 'the model version is not being served' },
  TANDEM_METRICS_UNAVAILABLE: { status: 503, message: "the cluster's metrics cannot be collected" },
  TANDEM_SERVER_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** An error answered to a client: a stable code, a status from the table, actionable details. */
export class ServerError extends CodedError<ErrorCode> {
  readonly statusCode: number;
  readonly details: readonly unknown[];

  constructor(code: ErrorCode, message?: string, details: readonly unknown[] = []) {
    super(code, message ?? ERROR_TABLE[code].message);
    this.statusCode = ERROR_TABLE[code].status;
    this.details = details;
  }
}

/** Library codes that mean the client named or sent something wrong, mapped onto the table. */
const LIBRARY_CODES: Readonly<Record<string, ErrorCode>> = {
  TANDEM_INPUT_INVALID: 'TANDEM_INPUT_INVALID',
  TANDEM_MODEL_NOT_FOUND: 'TANDEM_MODEL_NOT_FOUND',
  TANDEM_VERSION_NOT_FOUND: 'TANDEM_VERSION_NOT_FOUND',
  TANDEM_LABEL_NOT_FOUND: 'TANDEM_LABEL_NOT_FOUND',
  TANDEM_SELECTOR_INVALID: 'TANDEM_REQUEST_INVALID',
  TANDEM_LABEL_INVALID: 'TANDEM_LABEL_NOT_FOUND',
  TANDEM_MODEL_NAME_INVALID: 'TANDEM_MODEL_NOT_FOUND',
  TANDEM_EXPLAIN_UNSUPPORTED: 'TANDEM_EXPLAIN_UNSUPPORTED',
  TANDEM_EXPLAIN_CLASS_UNKNOWN: 'TANDEM_EXPLAIN_CLASS_UNKNOWN',
};

/** fastify's own errors (content-type parsing, validation) mapped onto the table. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'TANDEM_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'TANDEM_MEDIA_TYPE_UNSUPPORTED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'TANDEM_REQUEST_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'TANDEM_REQUEST_INVALID',
  FST_ERR_CTP_INVALID_JSON_BODY: 'TANDEM_REQUEST_INVALID',
  FST_ERR_VALIDATION: 'TANDEM_REQUEST_INVALID',
};

interface CodedLike {
  code?: unknown;
  message?: unknown;
  statusCode?: unknown;
  details?: unknown;
  validation?: unknown;
}

/** Every thrown value becomes a ServerError; anything not recognised is a 500. */
export function toServerError(error: unknown): ServerError {
  if (error instanceof ServerError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as CodedLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined) {
    const mapped = LIBRARY_CODES[code] ?? FASTIFY_CODES[code];
    if (mapped !== undefined) {
      return new ServerError(mapped, message, detailsOf(e));
    }
  }
  // JSON.parse failures surface as SyntaxError with a 400 status from fastify's parser.
  if (error instanceof SyntaxError) return new ServerError('TANDEM_REQUEST_INVALID', message);
  // Any other client error fastify raised (bad headers, aborted body) stays a 4xx.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new ServerError('TANDEM_BODY_TOO_LARGE', message);
    if (e.statusCode === 415) return new ServerError('TANDEM_MEDIA_TYPE_UNSUPPORTED', message);
    return new ServerError('TANDEM_REQUEST_INVALID', message);
  }
  return new ServerError('TANDEM_SERVER_INTERNAL');
}

function detailsOf(e: CodedLike): unknown[] {
  if (Array.isArray(e.details)) return e.details;
  if (Array.isArray(e.validation)) {
    return e.validation.map((v: { instancePath?: string; message?: string }) => ({
      path: v.instancePath ?? '',
      message: v.message ?? 'invalid',
    }));
  }
  return [];
}
