import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@tandem/model-store';
import { tritonConfig } from '@tandem/onnx';
import { ExporterError } from './errors.ts';
import type { ExportedVersion } from './export-version.ts';

/** Writes model.onnx bytes to `file`, atomically (temporary name, then rename). */
export async function writeOnnxFile(file: string, exported: ExportedVersion): Promise<string[]> {
  await written(file, () => writeFileAtomic(file, exported.onnx.bytes));
  return [file];
}

/**
 * Writes a Triton model repository entry under `root`: `<name>/<version>/model.onnx` and
 * `<name>/config.pbtxt`, each atomically. Other versions' folders are left alone; the config
 * serves the exported version.
 */
export async function writeTritonModel(root: string, exported: ExportedVersion): Promise<string[]> {
  const modelDir = join(root, exported.name);
  const versionDir = join(modelDir, String(exported.version));
  await written(versionDir, () => mkdir(versionDir, { recursive: true }));
  const model = join(versionDir, 'model.onnx');
  const config = join(modelDir, 'config.pbtxt');
  const text = tritonConfig({ ...exported.onnx, name: exported.name, version: exported.version });
  await written(model, () => writeFileAtomic(model, exported.onnx.bytes));
  await written(config, () => writeFileAtomic(config, new TextEncoder().encode(text)));
  return [model, config];
}

async function written(path: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'its folder does not exist' : (code ?? String(error));
    throw new ExporterError('TANDEM_EXPORT_OUTPUT_FAILED', `cannot write ${path}: ${reason}`, {
      cause: error,
    });
  }
}
