// No value import here may load TensorFlow.js: worker threads import this module alone
// ('@tandem/runtime/predictor'), and test/predictor-module.test.ts checks that tfjs stays out.
// The one argmax rule, for callers that must stay free of tfjs (scoring workers).
export { predictedClass } from './predictions.ts';

import type {
  FittedPipeline,
  InputColumnSchema,
  InputErrorDetail,
  LabelEncoder,
  RawRow,
  RowIssue,
  TargetScaler,
} from '@tandem/features';
import type { Manifest, Task } from '@tandem/model-store';
import { DenseEngine } from './dense/dense-engine.ts';
import type { DenseStack } from './dense/dense-stack.ts';
import type { EngineKind, ModelEngine } from './engine.ts';
import { blendBatches } from './ensemble/blend.ts';
import type { MemberModel } from './ensemble/ensemble-file.ts';
import { RuntimeError, reasonOf } from './errors.ts';
import { decodeFeaturesFile, encodeFeaturesFile } from './features-file.ts';
import type { TreeEnsemble } from './trees/ensemble.ts';
import { TreeEngine } from './trees/tree-engine.ts';
import { decodeTreeFile, encodeTreeFile } from './trees/tree-file.ts';

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

/** What identifies the model, and a training row for the warm-up. */
export interface PredictorMeta {
  name: string;
  /** The trainer passes 0 (or nothing) before a version is written. */
  version?: number;
  task: Task;
  /** The target column: removed from the sample before the warm-up. */
  target?: string;
  /** One raw training row, predicted once when the predictor is built. */
  sample?: RawRow;
}

/** What a Predictor is built from: the fitted feature state and an engine ready to run. */
export interface PredictorComponents {
  meta: PredictorMeta;
  /** The stored version's manifest, when the model comes from the store. */
  manifest?: Manifest;
  pipeline: FittedPipeline;
  labels?: LabelEncoder | null;
  targetScaler?: TargetScaler | null;
  engine: ModelEngine;
  /** Frees the tfjs model behind the engine when the predictor owns it; dispose() calls it. */
  release?: () => void;
}

/** One member of an ensemble predictor: a predictor of its own and its share of the blend. */
export interface BlendMember {
  model: MemberModel;
  weight: number;
  predictor: Predictor;
}

/**
 * What an ensemble predictor is built from: members sharing the task, the raw input schema and
 * the classes, whose outputs (probabilities, or values on the target's scale) it averages.
 */
export interface BlendComponents {
  meta: PredictorMeta;
  manifest?: Manifest;
  members: readonly BlendMember[];
}

/**
 * A dense-engine or tree-engine predictor as structured-cloneable data (plain objects, strings,
 * numbers, typed arrays): what worker.postMessage can send. Predictor.fromReplica rebuilds it
 * without tfjs. It carries either `stack` (dense) or `trees` (tree ensemble).
 */
export type PredictorReplica = PredictorReplicaBase &
  (
    | {
        /** The dense engine's layers; float32 weights, so the rebuilt engine is bit-identical. */
        stack: DenseStack;
        trees?: undefined;
        ensemble?: undefined;
      }
    | {
        /** The bytes of trees.bin (encodeTreeFile): the rebuilt tree engine is bit-identical. */
        trees: Uint8Array;
        stack?: undefined;
        ensemble?: undefined;
      }
    | {
        /** An ensemble's members, each a replica of its own (features included). */
        ensemble: Array<{ model: MemberModel; weight: number; replica: PredictorReplica }>;
        stack?: undefined;
        trees?: undefined;
      }
  );

export interface PredictorReplicaBase {
  meta: PredictorMeta & { version: number };
  manifest?: Manifest;
  /** The bytes of features.json (encodeFeaturesFile): pipeline, label encoder, target scaler. */
  features: Uint8Array;
}

/** Raw margins of one predictMargins call (tree models). */
export interface MarginBatch {
  rows: number;
  /** Margins per row: 1 (regression, binary: the log-odds of classes[1]) or one per class. */
  width: number;
  /** rows × width, float64: baseline + leaf values, before the link. Rejected rows hold NaN. */
  margins: Float64Array;
  issues: RowIssue[];
  errors: InputErrorDetail[];
  rejected: number[];
}

/** The in-memory parts of a tree model (the trainer's evaluation, tests). */
export interface TreePredictorParts {
  meta: PredictorMeta;
  manifest?: Manifest;
  pipeline: FittedPipeline;
  labels?: LabelEncoder | null;
  targetScaler?: TargetScaler | null;
  trees: TreeEnsemble;
}

/**
 * A predictor over a tree ensemble, without tfjs. Throws TANDEM_MODEL_LOAD_FAILED when the parts
 * do not fit together or the warm-up (on meta.sample, when given) fails.
 *
 * @example
 *   const predictor = predictorFromTrees({ meta, pipeline, labels, trees: decodeTreeFile(bytes) });
 */
export function predictorFromTrees(parts: TreePredictorParts): Predictor {
  const { trees, ...rest } = parts;
  try {
    return new Predictor({ ...rest, engine: new TreeEngine(trees) });
  } catch (error) {
    throw new RuntimeError(
      'TANDEM_MODEL_LOAD_FAILED',
      `model ${parts.meta.name}/${parts.meta.version ?? 0} cannot be served: ${reasonOf(error)}`,
      { cause: error },
    );
  }
}

/** Feature buffers up to this many floats (16 MiB) are kept for the next call. */
const REUSABLE_FLOATS = 1 << 22;

/**
 * Raw rows in, model outputs out: the fitted feature pipeline followed by the model. Everything
 * that predicts in Tandem (trainer evaluation, the server, batch scoring) goes through this class,
 * so they produce the same numbers by construction.
 *
 * This module loads without TensorFlow.js: predictorFromStoredVersion and predictorFromParts
 * (load-predictor.ts) build predictors around a tfjs model; Predictor.fromReplica rebuilds a
 * dense-engine predictor from plain data, in a worker thread for instance.
 *
 * @example
 *   const predictor = await predictorFromStoredVersion(await store.readVersion('credit', 3));
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

  private readonly meta: PredictorMeta;
  private readonly labels: LabelEncoder | null;
  /** Null on an ensemble, whose members compute. */
  private readonly compute: ModelEngine | null;
  private readonly members: readonly BlendMember[] | null;
  private readonly release: (() => void) | undefined;
  private readonly targetScaler: TargetScaler | null;
  private readonly sigmoidPair: boolean;
  private features = new Float32Array(0);
  private disposed = false;

  /**
   * Checks that the components fit together, then predicts meta.sample once when it is given
   * (the warm-up). Throws a plain Error naming the mismatch; predictorFromStoredVersion,
   * predictorFromParts and Predictor.fromReplica turn it into TANDEM_MODEL_LOAD_FAILED.
   */
  constructor(components: PredictorComponents | BlendComponents) {
    const { meta } = components;
    this.meta = meta;
    this.name = meta.name;
    this.version = meta.version ?? 0;
    this.task = meta.task;
    if (components.manifest) this.manifest = components.manifest;
    if ('members' in components) {
      const first = checkMembers(meta.task, components.members);
      this.members = components.members;
      this.compute = null;
      this.engine = 'ensemble';
      this.pipeline = first.pipeline;
      this.inputSchema = first.inputSchema;
      this.labels = first.labels;
      this.targetScaler = null;
      this.release = undefined;
      this.sigmoidPair = false;
      this.width = first.width;
      if (first.classes) this.classes = first.classes;
      if (meta.sample) this.warmUp(meta.sample, meta.target);
      return;
    }
    const { pipeline, engine } = components;
    this.members = null;
    this.pipeline = pipeline;
    this.inputSchema = pipeline.inputSchema;
    this.labels = components.labels ?? null;
    this.compute = engine;
    this.engine = engine.kind;
    this.release = components.release;
    this.targetScaler = components.targetScaler ?? null;

    const { inputWidth, outputWidth } = engine;
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
    } else {
      const classes = this.labels?.classes;
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
    if (meta.sample) this.warmUp(meta.sample, meta.target);
  }

  /**
   * Rebuilds a predictor from predictor.replica() on the dense engine, without loading tfjs:
   * same features, same weights, bit-identical outputs. Runs the same warm-up as the other
   * factories; any failure is TANDEM_MODEL_LOAD_FAILED.
   *
   * @example
   *   worker.postMessage(predictor.replica());  // main thread
   *   // worker thread, importing { Predictor } from '@tandem/runtime/predictor':
   *   parentPort.on('message', (replica) => { const predictor = Predictor.fromReplica(replica); });
   */
  static fromReplica(replica: PredictorReplica): Predictor {
    const { meta } = replica;
    try {
      if (replica.ensemble !== undefined) {
        return new Predictor({
          meta,
          ...(replica.manifest ? { manifest: replica.manifest } : {}),
          members: replica.ensemble.map(({ model, weight, replica: member }) => ({
            model,
            weight,
            predictor: Predictor.fromReplica(member),
          })),
        });
      }
      const features = decodeFeaturesFile(replica.features);
      return new Predictor({
        meta,
        ...(replica.manifest ? { manifest: replica.manifest } : {}),
        ...features,
        engine:
          replica.trees !== undefined
            ? new TreeEngine(decodeTreeFile(replica.trees))
            : new DenseEngine(replica.stack as DenseStack),
      });
    } catch (error) {
      throw new RuntimeError(
        'TANDEM_MODEL_LOAD_FAILED',
        `model ${meta.name}/${meta.version} cannot be rebuilt from its replica: ${reasonOf(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Plain data for Predictor.fromReplica, e.g. to send to worker threads; a copy, so transferring
   * its buffers leaves this predictor whole. Undefined on the tfjs engine (only the dense and tree
   * engines run without tfjs), and on an ensemble with a member on it.
   */
  replica(): PredictorReplica | undefined {
    const { name, version, task } = this;
    const { target, sample } = this.meta;
    let model:
      | { trees: Uint8Array }
      | { stack: DenseStack }
      | { ensemble: Array<{ model: MemberModel; weight: number; replica: PredictorReplica }> };
    const compute = this.compute;
    if (this.members) {
      const ensemble = [];
      for (const { model: family, weight, predictor } of this.members) {
        const replica = predictor.replica();
        if (replica === undefined) return undefined;
        ensemble.push({ model: family, weight, replica });
      }
      model = { ensemble };
    } else if (compute instanceof TreeEngine) {
      model = { trees: encodeTreeFile(compute.ensemble) };
    } else if (compute instanceof DenseEngine) {
      model = { stack: compute.stack };
    } else {
      return undefined;
    }
    return structuredClone({
      meta: {
        name,
        version,
        task,
        ...(target !== undefined ? { target } : {}),
        ...(sample !== undefined ? { sample } : {}),
      },
      ...(this.manifest ? { manifest: this.manifest } : {}),
      features: encodeFeaturesFile({
        pipeline: this.pipeline,
        labels: this.labels,
        targetScaler: this.targetScaler,
      }),
      ...model,
    });
  }

  /** Whether a tfjs model computes (this predictor's or a member's): its owner must keep it. */
  get runsOnTfjs(): boolean {
    return this.members
      ? this.members.some((member) => member.predictor.runsOnTfjs)
      : this.engine === 'tfjs';
  }

  /** An ensemble's members, in blend order; empty on a single model. */
  get blendMembers(): readonly BlendMember[] {
    return this.members ?? [];
  }

  /** The tree ensemble on the tree engine (for explanations and export); else undefined. */
  get trees(): TreeEnsemble | undefined {
    return this.compute instanceof TreeEngine ? this.compute.ensemble : undefined;
  }

  /**
   * Raw margins of a tree model: the same features and the same trees as predictBatch, before
   * the link (sigmoid, softmax; regression margins are the values). Throws RuntimeError
   * TANDEM_ENGINE_UNSUPPORTED on another engine.
   */
  predictMargins(rows: readonly RawRow[], options: PredictOptions = {}): MarginBatch {
    const compute = this.compute;
    if (!(compute instanceof TreeEngine)) {
      throw new RuntimeError(
        'TANDEM_ENGINE_UNSUPPORTED',
        `model ${this.name}/${this.version} runs on the ${this.engine} engine; margins need a tree model`,
      );
    }
    if (this.disposed) throw new Error(`predictor ${this.name}/${this.version} was disposed`);
    const n = rows.length;
    const features = this.featureBuffer(n * this.pipeline.width);
    const transformed = this.pipeline.transformBatch(rows, {
      out: features,
      errors: options.errors ?? 'throw',
    });
    const k = compute.outputWidth;
    const margins =
      n > 0 ? compute.predictMargins(features, n).slice(0, n * k) : new Float64Array(0);
    for (const row of transformed.rejected) margins.fill(Number.NaN, row * k, (row + 1) * k);
    return {
      rows: n,
      width: k,
      margins,
      issues: transformed.issues,
      errors: transformed.errors,
      rejected: transformed.rejected,
    };
  }

  /**
   * Predicts raw rows. With errors: 'throw' an invalid row throws the pipeline's
   * FeatureInputError (code TANDEM_INPUT_INVALID, details naming row and column).
   */
  predictBatch(rows: readonly RawRow[], options: PredictOptions = {}): PredictionBatch {
    if (this.disposed) throw new Error(`predictor ${this.name}/${this.version} was disposed`);
    if (this.members) {
      const batches = this.members.map((member) => member.predictor.predictBatch(rows, options));
      return blendBatches(
        batches,
        this.members.map((member) => member.weight),
      );
    }
    const compute = this.compute as ModelEngine;
    const n = rows.length;
    const width = this.pipeline.width;
    const features = this.featureBuffer(n * width);
    const transformed = this.pipeline.transformBatch(rows, {
      out: features,
      errors: options.errors ?? 'throw',
    });
    const outputs = new Float32Array(n * this.width);
    if (n > 0) this.writeOutputs(compute.predict(features, n), n, outputs);
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
    this.release?.();
    for (const member of this.members ?? []) member.predictor.dispose();
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

/**
 * The first member, once the members are checked to fit together: at least two, positive
 * weights summing to 1, one task, the same raw columns (names and types, in order), the same
 * classes.
 */
function checkMembers(task: Task, members: readonly BlendMember[]): Predictor {
  const first = members[0]?.predictor;
  if (!first || members.length < 2) throw new Error('an ensemble needs at least 2 members');
  const total = members.reduce((sum, member) => sum + member.weight, 0);
  if (members.some((member) => !(member.weight > 0)) || Math.abs(total - 1) > 1e-9) {
    throw new Error(`an ensemble's weights must be positive and sum to 1, they sum to ${total}`);
  }
  // The same columns of the same types; each member validates a row by its own fitted ranges.
  const columnsOf = (predictor: Predictor) =>
    JSON.stringify(predictor.inputSchema.map(({ name, type }) => [name, type]));
  const schema = columnsOf(first);
  const classes = JSON.stringify(first.classes ?? null);
  members.forEach(({ predictor }, index) => {
    const which = `member ${index + 1} (${members[index]?.model})`;
    if (predictor.task !== task)
      throw new Error(`${which} is a ${predictor.task} model, not ${task}`);
    if (columnsOf(predictor) !== schema) {
      throw new Error(`${which} reads other input columns than member 1`);
    }
    if (JSON.stringify(predictor.classes ?? null) !== classes) {
      throw new Error(`${which} has other classes than member 1`);
    }
  });
  return first;
}
