import type { ModelRef } from '@tandem/cli';
import type { FileModelStore } from '@tandem/model-store';
import { type ExportModel, exportOnnx, type OnnxExport, OnnxExportError } from '@tandem/onnx';
import { decodeFeaturesFile, decodeTreeFile, predictorFromStoredVersion } from '@tandem/runtime';

export interface ExportedVersion {
  name: string;
  version: number;
  onnx: OnnxExport;
}

/**
 * Reads a stored version (verified), loads it as the server does, and exports the predictor it
 * serves: the fitted features and the dense stack its dense engine evaluates, or the trees of
 * its tree engine. A neural model the dense engine cannot run is refused with the engine's
 * reason.
 */
export async function exportStoredVersion(
  store: FileModelStore,
  ref: ModelRef,
): Promise<ExportedVersion> {
  const selector = {
    ...(ref.version !== undefined ? { version: ref.version } : {}),
    ...(ref.label !== undefined ? { label: ref.label } : {}),
  };
  const version = await store.resolve(ref.name, selector);
  const stored = await store.readVersion(ref.name, version);
  const notes: string[] = [];
  const predictor = await predictorFromStoredVersion(stored, {
    engine: 'dense',
    log: (line) => notes.push(line),
  });
  let replica: ReturnType<typeof predictor.replica>;
  try {
    replica = predictor.replica();
  } finally {
    predictor.dispose();
  }
  const where = `model ${ref.name}/${version}`;
  let model: ExportModel | undefined;
  if (replica?.trees !== undefined)
    model = { kind: 'trees', ensemble: decodeTreeFile(replica.trees) };
  else if (replica?.stack !== undefined) model = { kind: 'dense', stack: replica.stack };
  if (replica === undefined || model === undefined) {
    const why = notes.length > 0 ? notes.join('; ') : `it runs on the ${predictor.engine} engine`;
    throw new OnnxExportError(
      'TANDEM_EXPORT_UNSUPPORTED',
      `${where} cannot be exported to ONNX: its model is not a dense stack (${why})`,
      ['model'],
    );
  }
  const onnx = exportOnnx({
    name: ref.name,
    version,
    task: stored.manifest.task,
    features: decodeFeaturesFile(replica.features),
    model,
  });
  return { name: ref.name, version, onnx };
}
