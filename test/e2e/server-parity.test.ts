import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawRow } from '@tandem/features';
import { type TrainResult, train } from '@tandem/trainer';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listening, type NativeAnswer, postJson, removeDir, type V2Answer } from './support.ts';

/**
 * End to end: the real trainer trains credit (fewer epochs than shipped: the numbers, not the
 * accuracy, are under test), the server loads the version it wrote and answers every test row
 * over HTTP. Native, TF Serving and V2 must give exactly the trainer's in-memory float32 outputs.
 */

const CONFIG = fileURLToPath(new URL('../../data/models/credit.json', import.meta.url));

let dir: string;
let result: TrainResult;
let app: FastifyInstance;
let url: string;
let rows: RawRow[];
let expected: Float32Array;
let expectedIssues: { row: number; column: string; kind: string }[];
let columns: { name: string; type: string }[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-parity-'));
  const raw = JSON.parse(readFileSync(CONFIG, 'utf8')) as Record<string, unknown>;
  const here = dirname(CONFIG);
  const split = raw.split as Record<string, unknown>;
  result = await train({
    config: {
      ...raw,
      data: resolve(here, String(raw.data)),
      split: { ...split, file: resolve(here, String(split.file)) },
      training: { ...(raw.training as Record<string, unknown>), epochs: 5 },
    } as never,
    artifacts: dir,
  });
  ({ app, url } = await listening(dir));
  const test = result.testRows.map((row) => {
    const { [result.target]: _target, ...inputs } = row;
    return inputs;
  });
  // The same rows again with a value missing, and with categories never seen in training.
  const missing = test.slice(0, 100).map((row, i) => ({ ...row, [i % 2 ? 'Income' : 'Age']: '' }));
  const unseen = test
    .slice(100, 200)
    .map((row) => ({ ...row, Home: 'houseboat', Job: 'astronaut' }));
  rows = [...test, ...missing, ...unseen];
  const batch = result.predictor.predictBatch(rows);
  expected = batch.outputs;
  expectedIssues = batch.issues;
  columns = result.predictor.inputSchema.map((c) => ({ name: c.name, type: c.type }));
}, 300_000);

afterAll(async () => {
  await app?.close();
  result?.predictor.dispose();
  await removeDir(dir);
});

describe('end-to-end parity with the trainer', () => {
  it('covers every test row, missing values and unseen categories', () => {
    expect(result.testRows.length).toBeGreaterThan(800);
    expect(rows.length).toBe(result.testRows.length + 200);
    expect(expected.length).toBe(rows.length * 2);
    expect(result.predictor.classes).toEqual(['bad', 'good']);
  });

  it('native JSON gives identical float32 probabilities', async () => {
    const { status, body } = await postJson<NativeAnswer>(`${url}/v1/models/credit/predict`, {
      instances: rows,
    });
    expect(status).toBe(200);
    expect(body.model).toEqual({ name: 'credit', version: result.version });
    const got = new Float32Array(
      body.predictions.flatMap((p) => {
        const { probabilities } = p as { probabilities: Record<string, number> };
        return [probabilities.bad as number, probabilities.good as number];
      }),
    );
    expect(got).toEqual(expected);
    expect(body.warnings).toEqual(expectedIssues);
    const kinds = new Set(body.warnings.map((w) => w.kind));
    expect(kinds).toContain('missing');
    expect(kinds).toContain('unseen_category');
  });

  it('native one row per request gives identical float32 probabilities', async () => {
    const some = rows.filter((_, i) => i % 25 === 0);
    const indices = rows.map((_, i) => i).filter((i) => i % 25 === 0);
    for (let k = 0; k < some.length; k++) {
      const { body } = await postJson<NativeAnswer>(`${url}/v1/models/credit/predict`, {
        instances: [some[k]],
      });
      const { probabilities } = body.predictions[0] as { probabilities: Record<string, number> };
      const i = indices[k] as number;
      expect(Math.fround(probabilities.bad as number)).toBe(expected[2 * i]);
      expect(Math.fround(probabilities.good as number)).toBe(expected[2 * i + 1]);
    }
  });

  it('TF Serving gives identical float32 probability vectors', async () => {
    const { status, body } = await postJson<{ predictions: number[][] }>(
      `${url}/v1/models/credit/versions/${result.version}:predict`,
      { instances: rows },
    );
    expect(status).toBe(200);
    expect(new Float32Array(body.predictions.flat())).toEqual(expected);
  });

  it('V2 tensors give identical float32 probabilities', async () => {
    const inputs = columns.map(({ name, type }) => {
      const data = rows.map((row) => {
        const value = row[name];
        if (value === undefined || value === '' || value === null) return null;
        return type === 'numeric' ? Number(value) : String(value);
      });
      return { name, shape: [rows.length], datatype: type === 'numeric' ? 'FP64' : 'BYTES', data };
    });
    const { status, body } = await postJson<V2Answer>(`${url}/v2/models/credit/infer`, {
      id: 'parity',
      inputs,
    });
    expect(status).toBe(200);
    const probabilities = body.outputs.find((o) => o.name === 'probabilities');
    expect(probabilities?.shape).toEqual([rows.length, 2]);
    expect(new Float32Array(probabilities?.data as number[])).toEqual(expected);
  });

  it('V2 binary tensors in and out, with no content type (as Triton clients send), give identical float32', async () => {
    const chunks: Buffer[] = [];
    const inputs = columns.map(({ name, type }) => {
      const values = rows.map((row) => row[name]);
      const missing = (v: unknown) => v === undefined || v === '' || v === null;
      let bytes: Buffer;
      if (type === 'numeric') {
        // NaN is a missing value in binary data, as null is in JSON.
        bytes = Buffer.alloc(8 * values.length);
        for (const [i, v] of values.entries()) {
          bytes.writeDoubleLE(missing(v) ? Number.NaN : Number(v), 8 * i);
        }
      } else {
        bytes = Buffer.concat(
          values.flatMap((v) => {
            const text = Buffer.from(missing(v) ? '' : String(v));
            const size = Buffer.alloc(4);
            size.writeUInt32LE(text.length);
            return [size, text];
          }),
        );
      }
      chunks.push(bytes);
      const datatype = type === 'numeric' ? 'FP64' : 'BYTES';
      return {
        name,
        shape: [rows.length],
        datatype,
        parameters: { binary_data_size: bytes.length },
      };
    });
    const header = Buffer.from(
      JSON.stringify({ inputs, parameters: { binary_data_output: true } }),
    );
    const res = await fetch(`${url}/v2/models/credit/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, ...chunks]),
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const length = Number(res.headers.get('inference-header-content-length'));
    const answer = JSON.parse(body.subarray(0, length).toString('utf8')) as V2Answer;
    expect(answer.outputs.map((o) => o.name)).toEqual(['label', 'probabilities']);
    // Outputs follow the JSON in order: the labels' BYTES, then the probabilities' FP32.
    const labelBytes = (answer.outputs[0]?.parameters as { binary_data_size: number })
      .binary_data_size;
    const data = body.subarray(length + labelBytes);
    const got = new Float32Array(rows.length * 2);
    for (let i = 0; i < got.length; i++) got[i] = data.readFloatLE(4 * i);
    expect(got).toEqual(expected);
  });

  it('TF Serving :classify gives identical float32 probabilities, class by class', async () => {
    const { status, body } = await postJson<{ results: [string, number][][] }>(
      `${url}/v1/models/credit/versions/${result.version}:classify`,
      { examples: rows },
    );
    expect(status).toBe(200);
    expect(body.results[0]?.map(([label]) => label)).toEqual(['bad', 'good']);
    expect(new Float32Array(body.results.flatMap((pairs) => pairs.map(([, p]) => p)))).toEqual(
      expected,
    );
  });

  it('CSV gives identical float32 probabilities', async () => {
    const names = columns.map((c) => c.name);
    const quote = (v: unknown) => {
      const s = v === undefined || v === null ? '' : String(v);
      return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const csv = [names.join(','), ...rows.map((r) => names.map((n) => quote(r[n])).join(','))].join(
      '\n',
    );
    const res = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n').slice(1);
    const got = new Float32Array(lines.flatMap((line) => line.split(',').slice(-2).map(Number)));
    expect(got).toEqual(expected);
  });
});
