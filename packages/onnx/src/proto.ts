import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/**
 * ONNX's own schema (onnx/onnx.proto3 of the ONNX project, Apache-2.0), read by protobufjs.
 * Parsed once, on first use.
 */
const SCHEMA_URL = new URL('../schema/onnx.proto3', import.meta.url);

let modelType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  if (modelType === undefined) {
    const root = protobuf.parse(readFileSync(SCHEMA_URL, 'utf8')).root;
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

/** TensorProto.DataType values used by Tandem's graphs. */
export const ELEM = {
  FLOAT: 1,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  DOUBLE: 11,
} as const;
export type ElemType = (typeof ELEM)[keyof typeof ELEM];

/** AttributeProto.AttributeType values. */
export const ATTR = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

export interface AttributeJson {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorJson;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeJson {
  opType: string;
  domain?: string;
  name: string;
  input: string[];
  output: string[];
  attribute?: AttributeJson[];
}

export interface TensorJson {
  name?: string;
  dims: number[];
  dataType: ElemType;
  rawData?: Uint8Array;
  stringData?: Uint8Array[];
}

export interface ValueInfoJson {
  name: string;
  type: {
    tensorType: {
      elemType: ElemType;
      shape: { dim: ({ dimValue: number } | { dimParam: string })[] };
    };
  };
  docString?: string;
}

export interface ModelJson {
  irVersion: number;
  opsetImport: { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  modelVersion: number;
  docString: string;
  metadataProps: { key: string; value: string }[];
  graph: {
    name: string;
    node: NodeJson[];
    initializer: TensorJson[];
    input: ValueInfoJson[];
    output: ValueInfoJson[];
  };
}

/** The ModelProto bytes of a model; checks the object against the schema first. */
export function encodeModel(model: ModelJson): Uint8Array {
  const type = modelProto();
  const problem = type.verify(model as unknown as Record<string, unknown>);
  if (problem !== null) throw new Error(`the ONNX model does not fit onnx.proto3: ${problem}`);
  return type.encode(type.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/** Decodes ModelProto bytes into plain objects (tests and inspection). */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const type = modelProto();
  return type.toObject(type.decode(bytes), { longs: Number, bytes: Array, defaults: false });
}
