import { CodedError } from '@tandem/errors';

/**
 * Every error the exporter app raises on purpose. Usage mistakes are @tandem/cli's
 * TANDEM_CLI_USAGE; what a graph cannot express is @tandem/onnx's TANDEM_EXPORT_UNSUPPORTED.
 */
export const EXPORTER_ERRORS = {
  TANDEM_EXPORT_OUTPUT_FAILED: 'the output file or folder cannot be written',
} as const;

export type ExporterErrorCode = keyof typeof EXPORTER_ERRORS;

export class ExporterError extends CodedError<ExporterErrorCode> {}
