import type { FittedPipeline } from '@tandem/features';
import type { FeaturesFile, PredictorMeta, TreeEnsemble } from '@tandem/runtime';
import { addDenseStack, type DenseStack } from './dense-graph.ts';
import { OnnxExportError } from './errors.ts';
import { GraphBuilder } from './graph-builder.ts';
import {
  addOutputs,
  addPredictions,
  type GraphOutput,
  type Head,
  headOf,
  headOutputs,
} from './head-graph.ts';
import {
  addPipeline,
  type GraphInput,
  graphInputOf,
  unsupportedPipelineParts,
} from './pipeline-graph.ts';
import { ELEM, type ElemType, encodeModel, type ModelJson, type ValueInfoJson } from './proto.ts';
import { addTreeEnsemble } from './tree-graph.ts';

/**
 * Opsets of every exported graph. ai.onnx 20 for StringSplit (blank text is a missing value);
 * ai.onnx.ml 3 for LabelEncoder (2) and TreeEnsembleRegressor (3). IR version 9 goes with
 * opset 20. ONNX Runtime 1.17 and later run them.
 */
export const OPSETS = { 'ai.onnx': 20, 'ai.onnx.ml': 3 } as const;
export const IR_VERSION = 9;

/** One model of a stored version: a dense stack or a tree ensemble. */
export type SingleModel =
  | { kind: 'dense'; stack: DenseStack }
  | { kind: 'trees'; ensemble: TreeEnsemble };

/** A member of an ensemble version: its own features, its model and its share of the blend. */
export interface ExportMember {
  weight: number;
  features: FeaturesFile;
  model: SingleModel;
}

/**
 * The model part of a stored version. An ensemble's `features` (ExportSource) are its first
 * member's: every member reads the same raw columns, each through its own pipeline.
 */
export type ExportModel = SingleModel | { kind: 'ensemble'; members: ExportMember[] };

export interface ExportSource {
  name: string;
  version: number;
  task: PredictorMeta['task'];
  features: FeaturesFile;
  model: ExportModel;
}

export interface OnnxExport {
  /** The ModelProto bytes (model.onnx). */
  bytes: Uint8Array;
  /** One per raw column, in pipeline order. */
  inputs: GraphInput[];
  outputs: GraphOutput[];
}

const OUTPUT_NAMES = ['label', 'probabilities', 'value'];

/**
 * One ONNX graph from raw named columns to Tandem's outputs: the fitted pipeline, the model and
 * the head (probabilities and label, or the value). Refuses, with TANDEM_EXPORT_UNSUPPORTED
 * naming every such part, what a graph cannot express exactly.
 *
 * @example
 *   const { bytes } = exportOnnx({ name: 'credit', version: 3, task: 'binary', features,
 *                                  model: { kind: 'dense', stack: predictor.replica()!.stack } });
 */
export function exportOnnx(source: ExportSource): OnnxExport {
  const { features, model } = source;
  const { pipeline } = features;
  const members: ExportMember[] =
    model.kind === 'ensemble' ? model.members : [{ weight: 1, features, model }];
  const columns = pipeline.toJSON().columns;
  const refused = [
    ...new Set(members.flatMap((member) => unsupportedPipelineParts(member.features.pipeline))),
  ];
  for (const column of columns) {
    if (OUTPUT_NAMES.includes(column.name)) {
      refused.push(`column ${JSON.stringify(column.name)}: has the name of an output`);
    }
  }
  if (refused.length > 0) {
    throw new OnnxExportError(
      'TANDEM_EXPORT_UNSUPPORTED',
      `model ${source.name}/${source.version} cannot be exported to ONNX: ${refused.join('; ')}`,
      refused,
    );
  }
  const inputs = columns.map(graphInputOf);
  const heads = members.map((member) => memberHead(source.task, member, inputs));
  const head = heads[0] as Head;
  const outputs = headOutputs(head);

  const g = new GraphBuilder([...inputs.map((i) => i.name), ...OUTPUT_NAMES]);
  const predictions = members.map((member, m) => {
    const x = addPipeline(g, member.features.pipeline);
    const scores =
      member.model.kind === 'dense'
        ? addDenseStack(g, member.model.stack, x)
        : addTreeEnsemble(g, member.model.ensemble, x);
    return addPredictions(g, heads[m] as Head, scores);
  });
  addOutputs(
    g,
    head,
    model.kind === 'ensemble' ? addBlend(g, members, predictions) : predictions[0]!,
  );

  // An ensemble's members each encode the columns their own way: feature names per member.
  const names: Record<string, string> =
    model.kind === 'ensemble'
      ? {
          'tandem.ensemble': JSON.stringify(
            model.members.map((member) => ({
              model: member.model.kind,
              weight: member.weight,
              feature_names: member.features.pipeline.outputNames,
            })),
          ),
        }
      : { 'tandem.feature_names': JSON.stringify(pipeline.outputNames) };
  const bytes = encodeModel(
    modelJson(g, inputs, outputs, {
      name: `${source.name}_${source.version}`,
      version: source.version,
      doc: `Tandem model ${source.name}/${source.version} (${source.task}): the fitted feature pipeline and the model in one graph.`,
      metadata: {
        'tandem.model': source.name,
        'tandem.version': String(source.version),
        'tandem.task': source.task,
        ...names,
        ...('classes' in head ? { 'tandem.classes': JSON.stringify(head.classes) } : {}),
      },
    }),
  );
  return { bytes, inputs, outputs };
}

/** A member's head, after checking that it reads the graph's columns and predicts its outputs. */
function memberHead(
  task: ExportSource['task'],
  member: ExportMember,
  inputs: readonly GraphInput[],
): Head {
  const { pipeline, labels, targetScaler } = member.features;
  const { model } = member;
  const width = model.kind === 'dense' ? model.stack.inputWidth : model.ensemble.inputWidth;
  const modelOutputs = model.kind === 'dense' ? model.stack.outputWidth : model.ensemble.outputs;
  if (width !== pipeline.width) {
    throw new Error(
      `the model takes ${width} inputs but the feature pipeline gives ${pipeline.width}`,
    );
  }
  const own = pipeline.toJSON().columns.map(graphInputOf);
  const same =
    own.length === inputs.length &&
    own.every((input, i) => input.name === inputs[i]?.name && input.column === inputs[i]?.column);
  if (!same) throw new Error("an ensemble's members must read the same raw columns");
  return headOf(task, modelOutputs, labels, targetScaler);
}

/**
 * Σ weight × member predictions, summed in float64 in member order and rounded to float32 once,
 * as the runtime blends them (blendBatches).
 */
function addBlend(
  g: GraphBuilder,
  members: readonly ExportMember[],
  predictions: readonly string[],
): string {
  let sum: string | undefined;
  members.forEach((member, m) => {
    const term = g.mul(g.cast(predictions[m] as string, ELEM.DOUBLE), g.scalar(member.weight));
    sum = sum === undefined ? term : g.add(sum, term);
  });
  return g.cast(sum as string, ELEM.FLOAT);
}

/**
 * The fitted pipeline alone as a graph: raw columns in, `features` (float [rows, width], in
 * pipeline.outputNames order) out. What the model part of exportOnnx reads; tests compare it
 * with FittedPipeline.transformBatch value by value.
 */
export function exportFeatureGraph(pipeline: FittedPipeline): Uint8Array {
  const refused = unsupportedPipelineParts(pipeline);
  if (refused.length > 0) {
    throw new OnnxExportError(
      'TANDEM_EXPORT_UNSUPPORTED',
      `the feature pipeline cannot be exported to ONNX: ${refused.join('; ')}`,
      refused,
    );
  }
  const inputs = pipeline.toJSON().columns.map(graphInputOf);
  const g = new GraphBuilder([...inputs.map((i) => i.name), 'features']);
  g.op('Identity', [addPipeline(g, pipeline)], {}, { output: 'features' });
  const features = { name: 'features', elemType: ELEM.FLOAT, dims: [-1, pipeline.width] };
  return encodeModel(
    modelJson(g, inputs, [features], {
      name: 'features',
      version: 0,
      doc: 'Tandem fitted feature pipeline',
      metadata: { 'tandem.feature_names': JSON.stringify(pipeline.outputNames) },
    }),
  );
}

function modelJson(
  g: GraphBuilder,
  inputs: readonly GraphInput[],
  outputs: readonly { name: string; elemType: ElemType; dims: number[] }[],
  about: { name: string; version: number; doc: string; metadata: Record<string, string> },
): ModelJson {
  const valueInfo = (name: string, elemType: ElemType, dims: number[]): ValueInfoJson => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (d < 0 ? { dimParam: 'rows' } : { dimValue: d })) },
      },
    },
  });
  return {
    irVersion: IR_VERSION,
    opsetImport: [
      { domain: '', version: OPSETS['ai.onnx'] },
      { domain: 'ai.onnx.ml', version: OPSETS['ai.onnx.ml'] },
    ],
    producerName: 'tandem',
    producerVersion: '1',
    modelVersion: about.version,
    docString: about.doc,
    metadataProps: Object.entries(about.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: about.name,
      node: g.nodes,
      initializer: g.initializers,
      input: inputs.map((i) => valueInfo(i.name, i.elemType, [-1])),
      output: outputs.map((o) => valueInfo(o.name, o.elemType, o.dims)),
    },
  };
}
