import { CodedError } from '@tandem/errors';

/**
 * Every error the ONNX export raises on purpose. A plain coded error with no HTTP in it: the
 * exporter CLI prints its message as one line.
 */
export const ONNX_ERRORS = {
  TANDEM_EXPORT_UNSUPPORTED:
    'the version holds a part that one ONNX graph cannot express exactly (named in the message)',
} as const;

export type OnnxErrorCode = keyof typeof ONNX_ERRORS;

export class OnnxExportError extends CodedError<OnnxErrorCode> {
  /** What cannot be exported: `column "Home": unknown: "reject"`, `layer activation gelu`. */
  readonly parts: readonly string[];

  constructor(code: OnnxErrorCode, message: string, parts: readonly string[] = []) {
    super(code, message);
    this.parts = parts;
  }
}
