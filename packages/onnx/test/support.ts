import type { RawRow } from '@tandem/features';
import * as ort from 'onnxruntime-web';
import { type GraphInput, type InputTensor, rowTensors } from '../src/index.ts';

// One thread: no worker threads inside the test process.
ort.env.wasm.numThreads = 1;

export interface OutputTensor {
  dims: readonly number[];
  data: Float32Array | string[] | BigInt64Array;
}

/** Runs ONNX model bytes in ONNX Runtime (WebAssembly) on Tandem raw rows. */
export async function runOnRows(
  bytes: Uint8Array,
  inputs: readonly GraphInput[],
  rows: readonly RawRow[],
): Promise<Record<string, OutputTensor>> {
  return runOnTensors(bytes, rowTensors(inputs, rows));
}

export async function runOnTensors(
  bytes: Uint8Array,
  tensors: Record<string, InputTensor>,
): Promise<Record<string, OutputTensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(tensors)) {
      feeds[name] =
        t.type === 'bool'
          ? new ort.Tensor('bool', t.data, t.dims)
          : t.type === 'string'
            ? new ort.Tensor('string', t.data, t.dims)
            : new ort.Tensor('float64', t.data, t.dims);
    }
    const results = await session.run(feeds);
    const out: Record<string, OutputTensor> = {};
    for (const [name, tensor] of Object.entries(results)) {
      out[name] = { dims: tensor.dims, data: tensor.data as OutputTensor['data'] };
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Largest |a − b| over two equally long arrays; NaN matches NaN only, else Infinity. */
export function maxAbsDelta(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (!(Number.isNaN(x) && Number.isNaN(y))) return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

/** Indices where two arrays differ bit for bit (NaN equals NaN). */
export function differences(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  }
  return out;
}
