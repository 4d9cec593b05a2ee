// Predictors around a tfjs model: a stored version, or the trainer's in-memory parts. Kept apart
// from predictor.ts, which must load without tfjs.
import type { FittedPipeline, LabelEncoder, TargetScaler } from '@tandem/features';
import type { Manifest, StoredVersion } from '@tandem/model-store';
import { initBackend } from './backend.ts';
import { chooseEngine, type EngineChoice } from './engine-choice.ts';
import { decodeEnsembleFile } from './ensemble/ensemble-file.ts';
import { RuntimeError, reasonOf } from './errors.ts';
import { decodeFeaturesFile } from './features-file.ts';
import { loadModel } from './model-files.ts';
import { Predictor, type PredictorMeta } from './predictor.ts';
import type { tf } from './tf.ts';
import { TreeEngine } from './trees/tree-engine.ts';
import { decodeTreeFile } from './trees/tree-file.ts';

export interface PredictorOptions {
  /**
   * 'auto' (default): the plain-JavaScript dense evaluator when the model is a supported dense
   * stack and agrees with tfjs on probe rows, else tfjs. TANDEM_ENGINE=tfjs|dense overrides 'auto'.
   */
  engine?: EngineChoice;
  /** Receives a line when the requested engine cannot be used. Default: stderr. */
  log?: (line: string) => void;
}

export interface PredictorParts {
  /** What identifies the model; the trainer passes version 0 before a version is written. */
  manifest: PredictorMeta;
  pipeline: FittedPipeline;
  labels?: LabelEncoder | null;
  targetScaler?: TargetScaler | null;
  model: tf.LayersModel;
}

/**
 * Loads a verified stored version (see FileModelStore.readVersion): features.json, the model
 * (trees.bin on the tree engine, without a tfjs backend; else model.json + weights.bin; or
 * ensemble.json and each member's files, renamed member-<n>.<file>), then a warm-up prediction
 * on manifest.sample. Any failure is TANDEM_MODEL_LOAD_FAILED naming
 * the version and the reason; nothing is left allocated. dispose() releases the model.
 *
 * @example
 *   const predictor = await predictorFromStoredVersion(await store.readVersion('credit', 3));
 */
export async function predictorFromStoredVersion(
  stored: StoredVersion,
  options: PredictorOptions = {},
): Promise<Predictor> {
  const { manifest } = stored;
  const where = `${stored.name}/${stored.version}`;
  const meta = {
    name: stored.name,
    version: stored.version,
    task: manifest.task,
    target: manifest.target,
    sample: manifest.sample,
  };
  const built: Predictor[] = [];
  try {
    const ensembleBytes = stored.files['ensemble.json'];
    if (ensembleBytes === undefined) {
      return await singlePredictor(stored.files, meta, manifest, options, built);
    }
    // Members warm up with the ensemble: one prediction proves them all.
    const { sample: _sample, ...memberMeta } = meta;
    const members = [];
    for (const [index, member] of decodeEnsembleFile(ensembleBytes).members.entries()) {
      const files: Record<string, Uint8Array> = {};
      for (const [file, stored_as] of Object.entries(member.files)) {
        const bytes = stored.files[stored_as];
        if (bytes === undefined) {
          throw new Error(`ensemble member ${index + 1} needs ${stored_as}, which is missing`);
        }
        files[file] = bytes;
      }
      const predictor = await singlePredictor(files, memberMeta, manifest, options, built);
      members.push({ model: member.model, weight: member.weight, predictor });
    }
    return new Predictor({ meta, manifest, members });
  } catch (error) {
    for (const predictor of built) predictor.dispose();
    throw new RuntimeError(
      'TANDEM_MODEL_LOAD_FAILED',
      `model ${where} cannot be served: ${reasonOf(error)}`,
      { cause: error },
    );
  }
}

/**
 * A one-model predictor from version files by their single-model names (features.json with
 * trees.bin, or with model.json + weights.bin). What it builds is pushed to `built` so that the
 * caller can release it on a later failure.
 */
async function singlePredictor(
  files: Readonly<Record<string, Uint8Array>>,
  meta: PredictorMeta,
  manifest: Manifest,
  options: PredictorOptions,
  built: Predictor[],
): Promise<Predictor> {
  const featuresBytes = files['features.json'];
  if (!featuresBytes) throw new Error('features.json is missing');
  const features = decodeFeaturesFile(featuresBytes);
  checkClasses(manifest, features.labels);
  const treeBytes = files['trees.bin'];
  // A tree model needs no tfjs backend: its engine is plain JavaScript.
  if (treeBytes !== undefined) {
    const predictor = new Predictor({
      meta,
      manifest,
      ...features,
      engine: new TreeEngine(decodeTreeFile(treeBytes)),
    });
    built.push(predictor);
    return predictor;
  }
  await initBackend(options.log ? { log: options.log } : {});
  const loaded = await loadModel(files);
  let predictor: Predictor;
  try {
    predictor = new Predictor({
      meta,
      manifest,
      ...features,
      engine: chooseEngine(loaded, options).engine,
      release: () => loaded.dispose(),
    });
  } catch (error) {
    loaded.dispose();
    throw error;
  }
  built.push(predictor);
  return predictor;
}

/**
 * A predictor over in-memory parts (the trainer's evaluation). The model stays the caller's:
 * dispose() leaves it alone. Create it after training: the dense engine copies the weights.
 * Throws TANDEM_MODEL_LOAD_FAILED when the parts do not fit together or the warm-up fails (the
 * warm-up runs when parts.manifest.sample is given).
 */
export function predictorFromParts(
  parts: PredictorParts,
  options: PredictorOptions = {},
): Predictor {
  try {
    const { manifest, model, ...features } = parts;
    return new Predictor({
      meta: manifest,
      ...features,
      engine: chooseEngine(model, options).engine,
    });
  } catch (error) {
    throw new RuntimeError(
      'TANDEM_MODEL_LOAD_FAILED',
      `model ${parts.manifest.name}: ${reasonOf(error)}`,
      { cause: error },
    );
  }
}

function checkClasses(manifest: Manifest, labels: LabelEncoder | null): void {
  if (!('classes' in manifest.outputs)) return;
  const expected = manifest.outputs.classes;
  const actual = labels?.classes ?? [];
  if (expected.length !== actual.length || expected.some((c, i) => c !== actual[i])) {
    throw new Error(
      `manifest.json lists classes ${JSON.stringify(expected)}, features.json ${JSON.stringify(actual)}`,
    );
  }
}
