import type {
  FittedPipeline,
  InputColumnSchema,
  InputErrorDetail,
  LabelEncoder,
  RawRow,
  RowIssue,
  TargetScaler,
} from '@tandem/features';
import type { Manifest, StoredVersion, Task } from '@tandem/model-store';
import { initBackend } from './backend.ts';
import type { EngineKind, ModelEngine } from './engine.ts';
import { chooseEngine, type EngineChoice } from './engine-choice.ts';
import { RuntimeError, reasonOf } from './errors.ts';
import { decodeFeaturesFile } from './features-file.ts';
import { loadModel } from './model-files.ts';
import type { tf } from './tf.ts';

/** Outputs of one predictBatch call. */
export interface PredictionBatch {
  rows: number;
  /** Values per row: class probabilities (in `classes` order) or the regression value. */
  width: number;
  /**
   * rows × width, row-major. Binary models with one sigmoid unit give both probabilities
   * [1 − p, p]; regression values are restored to the target's scale. Rejected rows hold NaN.
   */
  outputs: Float32Array;
  /** Values handled by a recorded rule (clipped, imputed, unseen category): warnings. */
  issues: RowIssue[];
  /** Why rejected rows could not be predicted (errors: 'collect' only). */
  errors: InputErrorDetail[];
  /** Indices of rows that could not be predicted, ascending (errors: 'collect' only). */
  rejected: number[];
}

export interface PredictOptions {
  /** 'throw' (default): an invalid row throws FeatureInputError; 'collect': it is rejected. */
  errors?: 'throw' | 'collect';
}

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
  manifest: { name: string; version?: number; task: Task; target?: string; sample?: RawRow };
  pipeline: FittedPipeline;
  labels?: LabelEncoder | null;
  targetScaler?: TargetScaler | null;
  model: tf.LayersModel;
}

/** Feature buffers up to this many floats (16 MiB) are kept for the next call. */
const REUSABLE_FLOATS = 1 << 22;

/**
 * Raw rows in, model outputs out: the fitted feature pipeline followed by the model. Everything
 * that predicts in Tandem (trainer evaluation, the server, batch scoring) goes through this class,
 * so they produce the same numbers by construction.
 *
 * @example
 *   const predictor = await Predictor.fromStoredVersion(await store.readVersion('credit', 3));
 *   const batch = predictor.predictBatch(rows, { errors: 'collect' });
 *   toPredictions(predictor, batch);  // [{ label: 'good', probabilities: { bad: 0.1, good: 0.9 } }]
 */
export class Predictor {
  readonly name: string;
  readonly version: number;
  readonly task: Task;
  /** Class names in output order; undefined for regression. */
  readonly classes?: readonly string[];
  /** Values per row in `outputs`: classes.length, or 1 for regression. */
  readonly width: number;
  readonly inputSchema: readonly InputColumnSchema[];
  /** The engine that computes model outputs. */
  readonly engine: EngineKind;
  /** Present when loaded from a stored version. */
  readonly manifest?: Manifest;
  readonly pipeline: FittedPipeline;

  private readonly model: tf.LayersModel;
  private readonly ownsModel: boolean;
  private readonly compute: ModelEngine;
  private readonly targetScaler: TargetScaler | null;
  private readonly sigmoidPair: boolean;
  private features = new Float32Array(0);
  private disposed = false;

  private constructor(
    parts: PredictorParts,
    ownsModel: boolean,
    options: PredictorOptions,
    manifest?: Manifest,
  ) {
    const { manifest: meta, pipeline, model } = parts;
    this.name = meta.name;
    this.version = meta.version ?? 0;
    this.task = meta.task;
    this.pipeline = pipeline;
    this.inputSchema = pipeline.inputSchema;
    this.model = model;
    this.ownsModel = ownsModel;
    this.targetScaler = parts.targetScaler ?? null;
    if (manifest) this.manifest = manifest;

    const choice = chooseEngine(model, options);
    this.compute = choice.engine;
    this.engine = choice.engine.kind;

    const { inputWidth, outputWidth } = this.compute;
    if (inputWidth !== pipeline.width) {
      throw new Error(
        `the model takes ${inputWidth} inputs but the feature pipeline gives ${pipeline.width}`,
      );
    }
    if (meta.task === 'regression') {
      if (outputWidth !== 1)
        throw new Error(`a regression model needs 1 output, it has ${outputWidth}`);
      this.width = 1;
      this.sigmoidPair = false;
      return;
    }
    const classes = parts.labels?.classes;
    if (!classes)
      throw new Error(`a ${meta.task} model needs its label encoder (features.json "labels")`);
    if (meta.task === 'binary' && classes.length !== 2) {
      throw new Error(`a binary model needs 2 classes, the label encoder has ${classes.length}`);
    }
    this.sigmoidPair = meta.task === 'binary' && outputWidth === 1;
    if (!this.sigmoidPair && outputWidth !== classes.length) {
      throw new Error(`the model has ${outputWidth} outputs for ${classes.length} classes`);
    }
    this.classes = classes;
    this.width = classes.length;
  }

  /**
   * Loads a verified stored version (see FileModelStore.readVersion): features.json, the model,
   * then a warm-up prediction on manifest.sample. Any failure is TANDEM_MODEL_LOAD_FAILED naming
   * the version and the reason; nothing is left allocated.
   */
  static async fromStoredVersion(
    stored: StoredVersion,
    options: PredictorOptions = {},
  ): Promise<Predictor> {
    const { manifest } = stored;
    const where = `${stored.name}/${stored.version}`;
    let model: tf.LayersModel | undefined;
    try {
      await initBackend(options.log ? { log: options.log } : {});
      const featuresBytes = stored.files['features.json'];
      if (!featuresBytes) throw new Error('features.json is missing');
      const features = decodeFeaturesFile(featuresBytes);
      checkClasses(manifest, features.labels);
      model = await loadModel(stored.files);
      const predictor = new Predictor(
        {
          manifest: { ...manifest, name: stored.name, version: stored.version },
          pipeline: features.pipeline,
          labels: features.labels,
          targetScaler: features.targetScaler,
          model,
        },
        true,
        options,
        manifest,
      );
      predictor.warmUp(manifest.sample, manifest.target);
      return predictor;
    } catch (error) {
      model?.dispose();
      throw new RuntimeError(
        'TANDEM_MODEL_LOAD_FAILED',
        `model ${where} cannot be served: ${reasonOf(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * A predictor over in-memory parts (the trainer's evaluation). The model stays the caller's:
   * dispose() leaves it alone. Create it after training: the dense engine copies the weights.
   * Throws TANDEM_MODEL_LOAD_FAILED when the parts do not fit together or the warm-up fails.
   */
  static fromParts(parts: PredictorParts, options: PredictorOptions = {}): Predictor {
    try {
      const predictor = new Predictor(parts, false, options);
      if (parts.manifest.sample) predictor.warmUp(parts.manifest.sample, parts.manifest.target);
      return predictor;
    } catch (error) {
      throw new RuntimeError(
        'TANDEM_MODEL_LOAD_FAILED',
        `model ${parts.manifest.name}: ${reasonOf(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Predicts raw rows. With errors: 'throw' an invalid row throws the pipeline's
   * FeatureInputError (code TANDEM_INVALID_INPUT, details naming row and column).
   */
  predictBatch(rows: readonly RawRow[], options: PredictOptions = {}): PredictionBatch {
    if (this.disposed) throw new Error(`predictor ${this.name}/${this.version} was disposed`);
    const n = rows.length;
    const width = this.pipeline.width;
    const features = this.featureBuffer(n * width);
    const transformed = this.pipeline.transformBatch(rows, {
      out: features,
      errors: options.errors ?? 'throw',
    });
    const outputs = new Float32Array(n * this.width);
    if (n > 0) this.writeOutputs(this.compute.predict(features, n), n, outputs);
    for (const row of transformed.rejected)
      outputs.fill(Number.NaN, row * this.width, (row + 1) * this.width);
    return {
      rows: n,
      width: this.width,
      outputs,
      issues: transformed.issues,
      errors: transformed.errors,
      rejected: transformed.rejected,
    };
  }

  /** Releases the model when this predictor loaded it. Further predictions throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ownsModel) this.model.dispose();
  }

  private writeOutputs(raw: Float32Array, n: number, outputs: Float32Array): void {
    if (this.sigmoidPair) {
      for (let i = 0; i < n; i++) {
        const p = raw[i] as number;
        outputs[2 * i] = 1 - p;
        outputs[2 * i + 1] = p;
      }
    } else if (this.targetScaler) {
      for (let i = 0; i < n; i++) outputs[i] = this.targetScaler.restore(raw[i] as number);
    } else {
      outputs.set(raw.subarray(0, n * this.width));
    }
  }

  private featureBuffer(floats: number): Float32Array {
    if (floats > REUSABLE_FLOATS) return new Float32Array(floats);
    if (this.features.length < floats) {
      this.features = new Float32Array(
        Math.min(REUSABLE_FLOATS, Math.max(floats, 2 * this.features.length)),
      );
    }
    return this.features.subarray(0, floats);
  }

  /** One prediction on a training row: proves features, model and outputs fit together. */
  private warmUp(sample: RawRow, target: string | undefined): void {
    const row: Record<string, unknown> = { ...sample };
    if (target !== undefined) delete row[target];
    const batch = this.predictBatch([row], { errors: 'throw' });
    const bad = Array.from(batch.outputs).find((value) => !Number.isFinite(value));
    if (bad !== undefined) throw new Error(`the warm-up prediction gave ${bad}`);
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
