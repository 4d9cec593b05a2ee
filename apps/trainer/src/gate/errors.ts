/** Errors the quality gate raises on purpose: one line each, printed without a stack trace. */

export const GATE_ERRORS = {
  TANDEM_USAGE: 'bad command-line usage',
  TANDEM_GATE_BAD_MANIFEST:
    "the candidate's manifest lacks what is needed to rebuild its test split",
  TANDEM_GATE_DATA_CHANGED: 'the data file differs from the one the candidate was trained on',
  TANDEM_GATE_INCOMPATIBLE: 'candidate and baseline cannot be compared (task or target differ)',
} as const;

export type GateErrorCode = keyof typeof GATE_ERRORS;

export class GateError extends Error {
  readonly code: GateErrorCode;

  constructor(code: GateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GateError';
    this.code = code;
  }
}
