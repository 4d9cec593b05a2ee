import { ServerError } from '../errors.ts';
import type { V2InferRequest, V2OutputTensor } from './v2.ts';

/**
 * The binary tensor data extension of the Open Inference Protocol (Triton's, also KServe's): the
 * body is the JSON request, `Inference-Header-Content-Length` bytes long, followed by the raw
 * data of every input whose `parameters.binary_data_size` is set, in input order. Data is
 * little-endian, row-major; BOOL is one byte (0 or 1); BYTES elements are a 4-byte length and the
 * bytes (UTF-8 text here); a NaN in FP32 / FP64 data is a missing value, as null is in JSON.
 * Outputs go back the same way when the request asks for it.
 */

export const INFERENCE_HEADER = 'inference-header-content-length';

/** Bytes per element of the fixed-size datatypes tabular inputs use. */
const WIDTH: Readonly<Record<string, number>> = {
  BOOL: 1,
  INT8: 1,
  UINT8: 1,
  INT16: 2,
  UINT16: 2,
  INT32: 4,
  UINT32: 4,
  INT64: 8,
  UINT64: 8,
  FP32: 4,
  FP64: 8,
};

function invalid(message: string): ServerError {
  return new ServerError('TANDEM_REQUEST_INVALID', message);
}

/** The request in `body`, with the binary inputs' data decoded into their `data` arrays. */
export function decodeBinaryRequest(body: Buffer, headerLength: string): V2InferRequest {
  const length = Number(headerLength);
  if (!Number.isInteger(length) || length < 0 || length > body.length) {
    throw invalid(
      `Inference-Header-Content-Length is ${JSON.stringify(headerLength)}; the body has ${body.length} bytes`,
    );
  }
  let request: V2InferRequest;
  try {
    request = JSON.parse(body.subarray(0, length).toString('utf8'));
  } catch (error) {
    throw invalid(`the inference header is not JSON: ${(error as Error).message}`);
  }
  let offset = length;
  for (const input of Array.isArray(request?.inputs) ? request.inputs : []) {
    const size = input?.parameters?.binary_data_size;
    if (size === undefined) continue;
    const name = String(input.name);
    if (
      !Number.isInteger(size) ||
      (size as number) < 0 ||
      offset + (size as number) > body.length
    ) {
      throw invalid(
        `input ${name}: binary_data_size ${JSON.stringify(size)} does not fit the ${body.length - offset} bytes left`,
      );
    }
    const bytes = body.subarray(offset, offset + (size as number));
    offset += size as number;
    input.data = decodeTensor(name, String(input.datatype), elementCount(name, input.shape), bytes);
  }
  if (offset !== body.length) {
    throw invalid(`${body.length - offset} bytes follow the last binary input`);
  }
  return request;
}

function elementCount(name: string, shape: unknown): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw invalid(`input ${name}: shape must be a list of whole numbers`);
  }
  return shape.reduce((product: number, d: number) => product * d, 1);
}

function decodeTensor(name: string, datatype: string, count: number, bytes: Buffer): unknown[] {
  if (datatype === 'BYTES') return decodeStrings(name, count, bytes);
  const width = WIDTH[datatype];
  if (width === undefined) {
    throw invalid(`input ${name}: datatype ${datatype} is not supported in binary form`);
  }
  if (bytes.length !== count * width) {
    throw invalid(
      `input ${name}: ${count} ${datatype} elements take ${count * width} bytes, binary_data_size is ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const read = reader(datatype, view);
  const values: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const value = read(i * width);
    if (datatype === 'BOOL' && value !== 0 && value !== 1) {
      throw invalid(`input ${name}: BOOL element ${i} is the byte ${value}, not 0 or 1`);
    }
    if (typeof value === 'bigint') {
      const number = Number(value);
      if (!Number.isSafeInteger(number)) {
        throw invalid(`input ${name}: ${datatype} element ${i} (${value}) is beyond 2^53`);
      }
      values[i] = number;
    } else if (datatype === 'BOOL') {
      values[i] = value === 1;
    } else {
      // Binary has no null: a NaN (how pandas and numpy hold a missing float) is a missing value.
      values[i] = Number.isNaN(value) ? null : value;
    }
  }
  return values;
}

function reader(datatype: string, view: DataView): (at: number) => number | bigint {
  switch (datatype) {
    case 'BOOL':
    case 'UINT8':
      return (at) => view.getUint8(at);
    case 'INT8':
      return (at) => view.getInt8(at);
    case 'INT16':
      return (at) => view.getInt16(at, true);
    case 'UINT16':
      return (at) => view.getUint16(at, true);
    case 'INT32':
      return (at) => view.getInt32(at, true);
    case 'UINT32':
      return (at) => view.getUint32(at, true);
    case 'INT64':
      return (at) => view.getBigInt64(at, true);
    case 'UINT64':
      return (at) => view.getBigUint64(at, true);
    case 'FP32':
      return (at) => view.getFloat32(at, true);
    default:
      return (at) => view.getFloat64(at, true);
  }
}

function decodeStrings(name: string, count: number, bytes: Buffer): string[] {
  const values: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw invalid(`input ${name}: a BYTES element length is cut short`);
    const size = bytes.readUInt32LE(at);
    at += 4;
    if (at + size > bytes.length) {
      throw invalid(`input ${name}: BYTES element ${values.length} runs past binary_data_size`);
    }
    values.push(bytes.toString('utf8', at, at + size));
    at += size;
  }
  if (values.length !== count) {
    throw invalid(
      `input ${name}: the shape needs ${count} BYTES elements, the data holds ${values.length}`,
    );
  }
  return values;
}

/** Whether the request asks for this output in binary form (one output, or all of them). */
export function wantsBinary(request: V2InferRequest, output: string): boolean {
  if (request.parameters?.binary_data_output === true) return true;
  const asked = request.outputs?.find((o) => o.name === output);
  return asked?.parameters?.binary_data === true;
}

/**
 * A response body with `binary` outputs as raw data after the JSON: returns the body and the
 * JSON's length, for the Inference-Header-Content-Length response header.
 */
export function encodeBinaryResponse(
  response: Record<string, unknown> & { outputs: V2OutputTensor[] },
  binary: (output: V2OutputTensor) => boolean,
): { body: Buffer; headerLength: number } {
  const chunks: Buffer[] = [];
  const outputs = response.outputs.map((output) => {
    if (!binary(output)) return output;
    const data = encodeTensor(output);
    chunks.push(data);
    const { data: _, ...rest } = output;
    return { ...rest, parameters: { binary_data_size: data.length } };
  });
  const header = Buffer.from(JSON.stringify({ ...response, outputs }), 'utf8');
  return { body: Buffer.concat([header, ...chunks]), headerLength: header.length };
}

function encodeTensor(output: V2OutputTensor): Buffer {
  if (output.datatype === 'FP32') {
    const bytes = Buffer.alloc(4 * output.data.length);
    for (let i = 0; i < output.data.length; i++)
      bytes.writeFloatLE(output.data[i] as number, 4 * i);
    return bytes;
  }
  const parts: Buffer[] = [];
  for (const value of output.data) {
    const text = Buffer.from(String(value), 'utf8');
    const size = Buffer.alloc(4);
    size.writeUInt32LE(text.length);
    parts.push(size, text);
  }
  return Buffer.concat(parts);
}
