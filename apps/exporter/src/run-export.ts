import type { ModelRef } from '@tandem/cli';
import { FileModelStore } from '@tandem/model-store';
import type { GraphInput, GraphOutput } from '@tandem/onnx';
import { exportStoredVersion } from './export-version.ts';
import { writeOnnxFile, writeTritonModel } from './write-output.ts';

export type ExportFormat = 'onnx' | 'triton';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['onnx', 'triton'];

export interface ExportOptions {
  model: ModelRef;
  format: ExportFormat;
  /** A file (onnx) or a model repository folder (triton). */
  output: string;
  /** The model store root. */
  artifacts: string;
}

export interface ExportSummary {
  name: string;
  version: number;
  format: ExportFormat;
  files: string[];
  /** One per raw column: its name, column type, ONNX element type and V2 datatype. */
  inputs: GraphInput[];
  outputs: GraphOutput[];
}

/** Exports one stored version; the CLI and the tests call this. */
export async function runExport(options: ExportOptions): Promise<ExportSummary> {
  const exported = await exportStoredVersion(new FileModelStore(options.artifacts), options.model);
  const files =
    options.format === 'onnx'
      ? await writeOnnxFile(options.output, exported)
      : await writeTritonModel(options.output, exported);
  return {
    name: exported.name,
    version: exported.version,
    format: options.format,
    files,
    inputs: exported.onnx.inputs,
    outputs: exported.onnx.outputs,
  };
}
