export type { DenseStack } from './dense-graph.ts';
export { ONNX_ERRORS, type OnnxErrorCode, OnnxExportError } from './errors.ts';
export {
  type ExportMember,
  type ExportModel,
  type ExportSource,
  exportFeatureGraph,
  exportOnnx,
  IR_VERSION,
  type OnnxExport,
  OPSETS,
  type SingleModel,
} from './export-onnx.ts';
export type { GraphOutput } from './head-graph.ts';
export { type GraphInput, graphInputOf, unsupportedPipelineParts } from './pipeline-graph.ts';
export { decodeModel } from './proto.ts';
export { type InputTensor, rowTensors } from './row-tensors.ts';
export { tritonConfig, tritonDataType } from './triton-config.ts';
