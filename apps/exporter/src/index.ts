export { type ModelRef, parseModelRef } from '@tandem/cli';
export { EXPORTER_ERRORS, ExporterError, type ExporterErrorCode } from './errors.ts';
export {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportSummary,
  runExport,
} from './run-export.ts';
