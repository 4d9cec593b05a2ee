import type { ModelRef } from '@tandem/cli';
import type { FileModelStore } from '@tandem/model-store';
import {
  type ExportMember,
  type ExportModel,
  exportOnnx,
  type OnnxExport,
  OnnxExportError,
} from '@tandem/onnx';
import {
  decodeFeaturesFile,
  decodeTreeFile,
  type PredictorReplica,
  predictorFromStoredVersion,
} from '@tandem/runtime';

export interface ExportedVersion {
  name: string;
  version: number;
  onnx: OnnxExport;
}

/**
 * Reads a stored version (verified), loads it as the server does, and exports the predictor it
 * serves: the fitted features and the dense stack its dense engine evaluates, or the trees of
 * its tree engine, or an ensemble's members, each with its own features, blended in one graph.
 * A neural model (or member) the dense engine cannot run is refused with the engine's reason.
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
  const model = replica === undefined ? undefined : exportModelOf(replica);
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

/**
 * The model part of a replica: its dense stack or tree ensemble, or an ensemble's members each
 * with its own features; undefined when a part is neither.
 */
function exportModelOf(replica: PredictorReplica): ExportModel | undefined {
  if (replica.trees !== undefined)
    return { kind: 'trees', ensemble: decodeTreeFile(replica.trees) };
  if (replica.stack !== undefined) return { kind: 'dense', stack: replica.stack };
  const members: ExportMember[] = [];
  for (const member of replica.ensemble) {
    const model = exportModelOf(member.replica);
    if (model === undefined || model.kind === 'ensemble') return undefined;
    members.push({
      weight: member.weight,
      features: decodeFeaturesFile(member.replica.features),
      model,
    });
  }
  return { kind: 'ensemble', members };
}
