import { deflateSync, gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW, listening } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
const json = (res: Response): Promise<any> => res.json();

let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  ({ app, url } = await listening(inject('fixtureArtifacts'), ['--body-limit', '1mb']));
});

afterAll(async () => {
  await app.close();
});

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const V2_BODY = {
  inputs: Object.entries(CREDIT_ROW).map(([name, v]) => ({
    name,
    shape: [1],
    datatype: typeof v === 'number' ? 'FP64' : 'BYTES',
    data: [v],
  })),
};

describe('request bodies', () => {
  it('reads JSON sent with no Content-Type on every protocol', async () => {
    for (const [path, body] of [
      ['/v1/models/credit/predict', { instances: [CREDIT_ROW] }],
      ['/v1/models/credit:predict', { instances: [CREDIT_ROW] }],
      ['/v2/models/credit/infer', V2_BODY],
    ] as const) {
      // A Uint8Array body: fetch sends it with no Content-Type header.
      const res = await fetch(`${url}${path}`, { method: 'POST', body: bytes(body) });
      expect(res.status, path).toBe(200);
    }
    const text = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ instances: [CREDIT_ROW] }),
    });
    expect(text.status).toBe(415);
  });

  it('inflates gzip and deflate bodies, and answers a bomb with 413', async () => {
    const plain = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [CREDIT_ROW] }),
    });
    const expected = await json(plain);
    for (const [encoding, pack] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ] as const) {
      const res = await fetch(`${url}/v1/models/credit/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: pack(bytes({ instances: [CREDIT_ROW] })),
      });
      expect(res.status, encoding).toBe(200);
      const answer = await json(res);
      expect(answer.model).toEqual(expected.model);
      expect(answer.predictions).toEqual(expected.predictions);
    }
    // 64 MB of spaces in 64 kB: over the 1 MB limit once inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(128 * 1024);
    const res = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe('TANDEM_BODY_TOO_LARGE');
    const broken = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bytes({ instances: [CREDIT_ROW] }),
    });
    expect(broken.status).toBe(400);
    const br = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
      body: bytes({ instances: [CREDIT_ROW] }),
    });
    expect(br.status).toBe(415);
  });
});

describe('TensorFlow Serving', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('names the version that answered', async () => {
    const res = await post('/v1/models/credit:predict', { instances: [CREDIT_ROW] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-tandem-model')).toBe('credit');
    expect(res.headers.get('x-tandem-version')).toBe('2');
  });

  it('takes instances or inputs, not both, and checks signature_name', async () => {
    const both = await post('/v1/models/credit:predict', {
      instances: [CREDIT_ROW],
      inputs: { Age: [30] },
    });
    expect(both.status).toBe(400);
    expect((await json(both)).error).toMatch(/both "instances".*"inputs"/);
    const wrong = await post('/v1/models/credit:predict', {
      signature_name: 'nope',
      instances: [CREDIT_ROW],
    });
    expect(wrong.status).toBe(400);
    expect((await json(wrong)).error).toMatch(/signature_name "nope"/);
    const right = await post('/v1/models/credit:predict', {
      signature_name: 'serving_default',
      instances: [CREDIT_ROW],
    });
    expect(right.status).toBe(200);
  });

  it('answers GET /v1/models/{name}/metadata with the signature', async () => {
    for (const path of [
      '/v1/models/credit/metadata',
      '/tfserving/v1/models/credit/metadata',
      '/v1/models/credit/versions/1/metadata',
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      const body = await json(res);
      expect(body.model_spec.name).toBe('credit');
      expect(body.model_spec.version).toBe(path.includes('versions/1') ? '1' : '2');
      const signature = body.metadata.signature_def.signature_def.serving_default;
      expect(signature.inputs.Age.dtype).toBe('DT_DOUBLE');
      expect(signature.inputs.Home.dtype).toBe('DT_STRING');
      expect(signature.method_name).toBe('tensorflow/serving/predict');
    }
  });
});

describe('Open Inference Protocol (V2)', () => {
  const infer = (change: (inputs: (typeof V2_BODY)['inputs']) => void) => {
    const body = structuredClone(V2_BODY);
    change(body.inputs);
    return fetch(`${url}/v2/models/credit/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  };

  it("checks each element against its datatype's range", async () => {
    const res = await infer((inputs) => {
      const age = inputs.find((t) => t.name === 'Age')!;
      age.datatype = 'INT8';
      age.data = [1e6];
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(/Age.*INT8/);
    const fp32 = await infer((inputs) => {
      const income = inputs.find((t) => t.name === 'Income')!;
      income.datatype = 'FP32';
      income.data = [1e39];
    });
    expect(fp32.status).toBe(400);
  });

  it("checks each tensor's datatype against its column", async () => {
    const numericAsBytes = await infer((inputs) => {
      const age = inputs.find((t) => t.name === 'Age')!;
      age.datatype = 'BYTES';
      age.data = ['30'];
    });
    expect(numericAsBytes.status).toBe(400);
    expect((await json(numericAsBytes)).error).toMatch(/Age: datatype BYTES.*numeric/);
    const categoricalAsNumber = await infer((inputs) => {
      const home = inputs.find((t) => t.name === 'Home')!;
      home.datatype = 'FP64';
      home.data = [1];
    });
    expect(categoricalAsNumber.status).toBe(400);
  });
});

describe('health routes', () => {
  it('answer HEAD', async () => {
    for (const path of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']) {
      const res = await fetch(`${url}${path}`, { method: 'HEAD' });
      expect(res.status, path).toBe(200);
    }
  });
});
