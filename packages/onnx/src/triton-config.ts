import type { GraphOutput } from './head-graph.ts';
import type { GraphInput } from './pipeline-graph.ts';

/**
 * Triton's config.pbtxt data_type for a V2 datatype: Triton names the BYTES tensor type
 * TYPE_STRING in model configurations, every other type TYPE_<datatype>.
 */
export function tritonDataType(datatype: string): string {
  return datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${datatype}`;
}

/**
 * config.pbtxt of a Triton model repository entry for an exported version: the ONNX Runtime
 * backend, one input per raw column and Tandem's outputs, named and typed as Tandem's V2
 * metadata names and types them, shapes as V2 metadata gives them ([-1], [-1, classes]).
 * max_batch_size 0: the row dimension is part of each shape, so requests are the V2 requests a
 * Tandem server takes (Triton's dynamic batcher needs max_batch_size > 0 and [N, 1] inputs).
 * The version policy serves exactly the exported version.
 */
export function tritonConfig(model: {
  name: string;
  version: number;
  inputs: readonly GraphInput[];
  outputs: readonly GraphOutput[];
}): string {
  const tensor = (name: string, datatype: string, dims: readonly number[]) =>
    `  {\n    name: ${quoted(name)}\n    data_type: ${tritonDataType(datatype)}\n    dims: [ ${dims.join(', ')} ]\n  }`;
  return [
    `name: ${quoted(model.name)}`,
    'backend: "onnxruntime"',
    'max_batch_size: 0',
    `version_policy: { specific: { versions: [ ${model.version} ] } }`,
    'input [',
    model.inputs.map((i) => tensor(i.name, i.datatype, [-1])).join(',\n'),
    ']',
    'output [',
    model.outputs.map((o) => tensor(o.name, o.datatype, o.dims)).join(',\n'),
    ']',
    '',
  ].join('\n');
}

/** A protobuf text-format string literal. */
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
