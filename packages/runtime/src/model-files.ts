import { RuntimeError, reasonOf } from './errors.ts';
import { tf } from './tf.ts';

/** The tfjs layers-model format as Tandem stores it: one topology file, one weights file. */
// A type alias, not an interface, so that it fits Record<string, Uint8Array> parameters.
export type ModelFiles = {
  'model.json': Uint8Array;
  'weights.bin': Uint8Array;
};

interface ModelJson {
  format: 'layers-model';
  generatedBy: string | null;
  convertedBy: null;
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/**
 * model.json + weights.bin bytes of a layers model. Same topology and weights give the same
 * bytes (layer names are part of the topology, so give layers explicit names when two runs must
 * produce identical files). The training config is left out: artifacts are for inference.
 */
export async function serializeModel(model: tf.LayersModel): Promise<ModelFiles> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
    }),
  );
  if (!artifacts?.modelTopology || !artifacts.weightSpecs || artifacts.weightData === undefined) {
    throw new RuntimeError(
      'TANDEM_MODEL_FILES_INVALID',
      'model.save produced no topology or weights',
    );
  }
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? null,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  return {
    'model.json': new TextEncoder().encode(JSON.stringify(json)),
    'weights.bin': new Uint8Array(weights),
  };
}

/**
 * Loads a layers model from the bytes of model.json and the weight files it lists.
 * Throws TANDEM_MODEL_FILES_INVALID naming the file and what is wrong with it.
 */
export async function loadModel(
  files: Readonly<Record<string, Uint8Array>>,
): Promise<tf.LayersModel> {
  const json = parseModelJson(files['model.json']);
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const shard = files[path];
      if (!shard) throw bad(`model.json lists weight file ${path}, which is missing`);
      shards.push(shard);
    }
    weightSpecs.push(...group.weights);
  }
  const weightData = concat(shards);
  const expected = weightSpecs.reduce((sum, spec) => sum + byteLength(spec), 0);
  if (weightData.byteLength !== expected) {
    throw bad(`weights hold ${weightData.byteLength} bytes, model.json describes ${expected}`);
  }
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightSpecs,
        weightData: weightData.buffer as ArrayBuffer,
      }),
    );
  } catch (error) {
    throw bad(`model.json does not load: ${reasonOf(error)}`, error);
  }
}

function parseModelJson(bytes: Uint8Array | undefined): ModelJson {
  if (!bytes) throw bad('model.json is missing');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw bad(`model.json is not valid JSON (${reasonOf(error)})`, error);
  }
  const json = value as Partial<ModelJson> | null;
  if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object') {
    throw bad('model.json has no modelTopology');
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw bad(`model.json has format ${JSON.stringify(json.format)}, expected "layers-model"`);
  }
  const manifest = json.weightsManifest;
  if (
    !Array.isArray(manifest) ||
    !manifest.every((group) => Array.isArray(group?.paths) && Array.isArray(group?.weights))
  ) {
    throw bad('model.json has no valid weightsManifest');
  }
  return json as ModelJson;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function byteLength(spec: tf.io.WeightsManifestEntry): number {
  const bytes = DTYPE_BYTES[spec.dtype];
  if (bytes === undefined || spec.quantization) {
    throw bad(
      `weight ${spec.name} has dtype ${spec.dtype}${spec.quantization ? ' (quantized)' : ''}, which Tandem does not store`,
    );
  }
  return spec.shape.reduce((n, d) => n * d, 1) * bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  // Always a fresh, exactly sized buffer: fromMemory needs an ArrayBuffer holding only the weights.
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function bad(message: string, cause?: unknown): RuntimeError {
  return new RuntimeError(
    'TANDEM_MODEL_FILES_INVALID',
    message,
    cause === undefined ? {} : { cause },
  );
}
