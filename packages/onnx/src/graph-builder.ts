import {
  ATTR,
  type AttributeJson,
  ELEM,
  type ElemType,
  type NodeJson,
  type TensorJson,
} from './proto.ts';

const text = new TextEncoder();

/** A named attribute value; the builder turns it into an AttributeProto. */
export type Attr =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { strings: readonly string[] }
  | { tensor: TensorJson };

/**
 * Builds the node list and initializers of one ONNX graph, with unique tensor names that never
 * collide with the reserved ones (graph inputs and outputs, which are column names).
 */
export class GraphBuilder {
  readonly nodes: NodeJson[] = [];
  readonly initializers: TensorJson[] = [];
  private readonly reserved: Set<string>;
  private counter = 0;

  constructor(reserved: Iterable<string>) {
    this.reserved = new Set(reserved);
  }

  /** A fresh tensor name: `hint_k`, never a reserved name. */
  fresh(hint: string): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.reserved.has(name));
    this.reserved.add(name);
    return name;
  }

  /** Adds a node with one output (named `output` when given) and returns the output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, Attr> = {},
    options: { domain?: string; output?: string } = {},
  ): string {
    const output = options.output ?? this.fresh(opType.toLowerCase());
    this.opMany(opType, inputs, [output], attrs, options.domain);
    return output;
  }

  /** Adds a node with the given output names (an empty name skips an optional output). */
  opMany(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Record<string, Attr> = {},
    domain?: string,
  ): void {
    const attribute = Object.entries(attrs).map(([name, value]) => attributeOf(name, value));
    this.nodes.push({
      opType,
      ...(domain ? { domain } : {}),
      name: this.fresh(`node_${opType}`),
      input: [...inputs],
      output: [...outputs],
      ...(attribute.length > 0 ? { attribute } : {}),
    });
  }

  /** A double constant of shape dims (default [values.length]). */
  doubles(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(ELEM.DOUBLE, dims, rawBytes(Float64Array.from(values)));
  }

  floats(values: ArrayLike<number>, dims: readonly number[]): string {
    return this.initializer(ELEM.FLOAT, dims, rawBytes(Float32Array.from(values)));
  }

  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(
      ELEM.INT64,
      dims,
      rawBytes(BigInt64Array.from(values, (v) => BigInt(v))),
    );
  }

  strings(values: readonly string[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: ELEM.STRING,
      stringData: values.map((v) => text.encode(v)),
    });
    return name;
  }

  /** A double scalar broadcast against [rows, k] tensors. */
  scalar(value: number): string {
    return this.doubles([value], [1, 1]);
  }

  private initializer(dataType: ElemType, dims: readonly number[], rawData: Uint8Array): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dims: [...dims], dataType, rawData });
    return name;
  }

  // Shorthands for the element-wise operators the column graphs use.
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  floor(a: string): string {
    return this.op('Floor', [a]);
  }
  less(a: string, b: string): string {
    return this.op('Less', [a, b]);
  }
  greater(a: string, b: string): string {
    return this.op('Greater', [a, b]);
  }
  or(a: string, b: string): string {
    return this.op('Or', [a, b]);
  }
  and(a: string, b: string): string {
    return this.op('And', [a, b]);
  }
  where(condition: string, ifTrue: string, ifFalse: string): string {
    return this.op('Where', [condition, ifTrue, ifFalse]);
  }
  cast(a: string, to: ElemType): string {
    return this.op('Cast', [a], { to: { int: to } });
  }
  isNaN(a: string): string {
    return this.op('IsNaN', [a]);
  }
}

function attributeOf(name: string, value: Attr): AttributeJson {
  if ('int' in value) return { name, type: ATTR.INT, i: value.int };
  if ('float' in value) return { name, type: ATTR.FLOAT, f: value.float };
  if ('string' in value) return { name, type: ATTR.STRING, s: text.encode(value.string) };
  if ('ints' in value) return { name, type: ATTR.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: ATTR.FLOATS, floats: [...value.floats] };
  if ('strings' in value) {
    return { name, type: ATTR.STRINGS, strings: value.strings.map((s) => text.encode(s)) };
  }
  return { name, type: ATTR.TENSOR, t: value.tensor };
}

/** Little-endian bytes of a typed array (TensorProto.raw_data is little-endian). */
function rawBytes(array: Float64Array | Float32Array | BigInt64Array): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('ONNX raw tensor data is little-endian; this machine is not');
  }
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
