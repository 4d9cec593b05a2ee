import { FileModelStore } from '@tandem/model-store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAR_ROW,
  CREDIT_ROW,
  copyFixtures,
  injectCsv,
  loaded,
  removeDir,
  type V2Answer,
} from './helpers.ts';

let dir: string;
let app: FastifyInstance;

function expected(version: number, rows: Record<string, unknown>[], name = 'credit') {
  return app.tandem.registry.select(name, { version }).predictor.predictBatch(rows).outputs;
}

const OTHER_ROW = { ...CREDIT_ROW, Seniority: 1, Home: 'owner', Income: null, Records: 'yes' };

beforeAll(async () => {
  dir = await copyFixtures();
  await new FileModelStore(dir).setLabel('credit', 'stable', 1);
  app = await loaded(dir);
});

afterAll(async () => {
  await app.close();
  await removeDir(dir);
});

describe('TensorFlow Serving', () => {
  async function post(url: string, payload: unknown) {
    const res = await app.inject({ method: 'POST', url, payload: payload as object });
    return { status: res.statusCode, body: res.json() };
  }

  it('predicts instances as probability vectors in class order', async () => {
    const { status, body } = await post('/v1/models/credit:predict', {
      instances: [CREDIT_ROW, OTHER_ROW],
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['predictions']);
    const out = expected(2, [CREDIT_ROW, OTHER_ROW]);
    expect(body.predictions.flat().map(Math.fround)).toEqual(Array.from(out));
  });

  it('selects versions and labels, and takes the columnar form', async () => {
    const v1 = Array.from(expected(1, [CREDIT_ROW]));
    for (const url of [
      '/v1/models/credit/versions/1:predict',
      '/v1/models/credit/labels/stable:predict',
    ]) {
      const { body } = await post(url, { instances: [CREDIT_ROW] });
      expect(body.predictions[0].map(Math.fround), url).toEqual(v1);
    }
    const columns = Object.fromEntries(Object.entries(CREDIT_ROW).map(([k, v]) => [k, [v]]));
    const { body } = await post('/v1/models/credit/versions/1:predict', { inputs: columns });
    expect(body.outputs[0].map(Math.fround)).toEqual(v1);
    // URL-encoded colon, as some HTTP clients send it.
    const encoded = await post('/v1/models/credit%3Apredict', { instances: [CREDIT_ROW] });
    expect(encoded.status).toBe(200);
  });

  it('answers regression values', async () => {
    const { body } = await post('/v1/models/cars:predict', { instances: [CAR_ROW] });
    expect(body.predictions).toHaveLength(1);
    expect(Math.fround(body.predictions[0])).toBe(expected(1, [CAR_ROW], 'cars')[0]);
  });

  it('classifies examples: every class with its probability, in class order', async () => {
    const { Home, Age, ...rest } = CREDIT_ROW;
    const { status, body } = await post('/v1/models/credit/versions/2:classify', {
      signature_name: 'serving_default',
      // Features are lists in tf.Example: a one-value list is that value; context is shared.
      context: { Home },
      examples: [
        { ...rest, Age: [Age] },
        { ...OTHER_ROW, Home: undefined },
      ],
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['results']);
    const out = expected(2, [CREDIT_ROW, { ...OTHER_ROW, Home }]);
    expect(body.results).toHaveLength(2);
    body.results.forEach((pairs: [string, number][], row: number) => {
      expect(pairs.map(([label]) => label)).toEqual(['bad', 'good']);
      expect(pairs.map(([, score]) => Math.fround(score))).toEqual(
        Array.from(out.subarray(row * 2, row * 2 + 2)),
      );
    });
  });

  it('regresses examples to one value each', async () => {
    const { status, body } = await post('/v1/models/cars:regress', {
      examples: [CAR_ROW, CAR_ROW],
    });
    expect(status).toBe(200);
    const value = expected(1, [CAR_ROW], 'cars')[0];
    expect(body.results.map(Math.fround)).toEqual([value, value]);
  });

  it('refuses examples it cannot read as rows, naming the feature', async () => {
    const cases: [unknown, RegExp][] = [
      [{ instances: [CREDIT_ROW] }, /needs "examples"/],
      [
        { examples: [{ ...CREDIT_ROW, Age: [30, 40] }] },
        /examples\[0\]\.Age is a list of 2 values/,
      ],
      [
        { examples: [CREDIT_ROW], context: { Age: 30 } },
        /examples\[0\]\.Age also appears in context/,
      ],
      [{ examples: [CREDIT_ROW], context: [1] }, /context must be (an )?object/],
      [{ examples: [CREDIT_ROW, 'row'] }, /examples\[1\] must be an object/],
      [{ examples: [{ ...CREDIT_ROW, Age: 'old' }] }, /Age/],
    ];
    for (const [payload, message] of cases) {
      const { status, body } = await post('/v1/models/credit:classify', payload);
      expect(status, JSON.stringify(payload)).toBe(400);
      expect(body.error).toMatch(message);
    }
  });

  it('answers errors as {"error": "..."}', async () => {
    const cases: [string, unknown, number][] = [
      ['/v1/models/credit:predict', { instances: [{ ...CREDIT_ROW, Age: 'old' }] }, 400],
      ['/v1/models/credit:predict', { instances: [[1, 2, 3]] }, 400],
      ['/v1/models/credit:predict', { signature_name: 'serving_default' }, 400],
      ['/v1/models/credit:transform', { instances: [CREDIT_ROW] }, 404],
      ['/v1/models/credit:classify', { instances: [CREDIT_ROW] }, 400],
      ['/v1/models/credit:regress', { examples: [CREDIT_ROW] }, 400],
      ['/v1/models/cars:classify', { examples: [CAR_ROW] }, 400],
      ['/v1/models/nope:predict', { instances: [CREDIT_ROW] }, 404],
      ['/v1/models/credit/versions/7:predict', { instances: [CREDIT_ROW] }, 404],
      ['/v1/models/credit/labels/gone:predict', { instances: [CREDIT_ROW] }, 404],
    ];
    for (const [url, payload, code] of cases) {
      const { status, body } = await post(url, payload);
      expect(status, url).toBe(code);
      expect(Object.keys(body), url).toEqual(['error']);
      expect(typeof body.error, url).toBe('string');
    }
    const { body } = await post('/v1/models/credit:predict', {
      instances: [{ ...CREDIT_ROW, Age: 'old' }],
    });
    expect(body.error).toContain('Age');
  });

  it('answers model status under /tfserving without shadowing the native route', async () => {
    const status = (await app.inject({ url: '/tfserving/v1/models/credit' })).json();
    expect(status.model_version_status).toEqual([
      { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    ]);
    const one = (await app.inject({ url: '/tfserving/v1/models/credit/versions/2' })).json();
    expect(one.model_version_status).toHaveLength(1);
    const label = (await app.inject({ url: '/tfserving/v1/models/credit/labels/stable' })).json();
    expect(label.model_version_status[0].version).toBe('1');
    const predict = await post('/tfserving/v1/models/credit:predict', { instances: [CREDIT_ROW] });
    expect(predict.status).toBe(200);
    const native = (await app.inject({ url: '/v1/models/credit' })).json();
    expect(native.name).toBe('credit');
    const missing = await app.inject({ url: '/tfserving/v1/models/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'model nope not found' });
  });
});

describe('Open Inference Protocol (V2)', () => {
  function tensors(rows: Record<string, unknown>[], shape2 = false) {
    const columns = Object.keys(rows[0] ?? {});
    return columns.map((name) => {
      const data = rows.map((r) => r[name] ?? null);
      const numeric = data.every((v) => v === null || typeof v === 'number');
      return {
        name,
        shape: shape2 ? [rows.length, 1] : [rows.length],
        datatype: numeric ? 'FP64' : 'BYTES',
        data: shape2 ? data.map((v) => [v]) : data,
      };
    });
  }

  async function infer(url: string, payload: unknown) {
    const res = await app.inject({ method: 'POST', url, payload: payload as object });
    return { status: res.statusCode, body: res.json() };
  }

  it('answers server metadata, liveness and readiness', async () => {
    expect((await app.inject({ url: '/v2' })).json()).toEqual({
      name: 'tandem',
      version: '0.1.0',
      extensions: ['binary_tensor_data', 'explain'],
    });
    expect((await app.inject({ url: '/v2/health/live' })).json()).toEqual({ live: true });
    const ready = await app.inject({ url: '/v2/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ live: true, ready: true });
  });

  it('describes a model as tensors', async () => {
    const meta = (await app.inject({ url: '/v2/models/credit' })).json();
    expect(meta.name).toBe('credit');
    expect(meta.versions).toEqual(['1', '2']);
    expect(typeof meta.platform).toBe('string');
    expect(meta.inputs).toContainEqual({ name: 'Income', datatype: 'FP64', shape: [-1] });
    expect(meta.inputs).toContainEqual({ name: 'Home', datatype: 'BYTES', shape: [-1] });
    expect(meta.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
    ]);
    const v1 = (await app.inject({ url: '/v2/models/credit/versions/1' })).json();
    expect(v1.name).toBe('credit');
    const cars = (await app.inject({ url: '/v2/models/cars' })).json();
    expect(cars.outputs).toEqual([{ name: 'value', datatype: 'FP32', shape: [-1] }]);
    expect((await app.inject({ url: '/v2/models/credit/ready' })).json()).toEqual({
      name: 'credit',
      ready: true,
    });
    expect((await app.inject({ url: '/v2/models/credit/versions/1/ready' })).json()).toEqual({
      name: 'credit',
      ready: true,
    });
  });

  it('infers from one tensor per column, echoing the id', async () => {
    const rows = [CREDIT_ROW, OTHER_ROW];
    for (const shape2 of [false, true]) {
      const { status, body } = await infer('/v2/models/credit/infer', {
        id: 'req-42',
        inputs: tensors(rows, shape2),
      });
      expect(status).toBe(200);
      const answer = body as V2Answer;
      expect(answer.model_name).toBe('credit');
      expect(answer.model_version).toBe('2');
      expect(answer.id).toBe('req-42');
      const out = expected(2, rows);
      const [label, probabilities] = answer.outputs;
      expect(probabilities).toMatchObject({
        name: 'probabilities',
        datatype: 'FP32',
        shape: [2, 2],
      });
      expect(probabilities!.data.map((v) => Math.fround(v as number))).toEqual(Array.from(out));
      expect(label).toMatchObject({ name: 'label', datatype: 'BYTES', shape: [2] });
      expect(label!.data[0]).toBe((out[1] as number) > (out[0] as number) ? 'good' : 'bad');
    }
  });

  it('honours requested outputs and version paths; regression gives value', async () => {
    const { body } = await infer('/v2/models/credit/versions/1/infer', {
      inputs: tensors([CREDIT_ROW]),
      outputs: [{ name: 'probabilities' }],
    });
    // Without a request id the answer carries the server's (also its x-request-id header).
    expect(typeof body.id).toBe('string');
    expect(body.model_version).toBe('1');
    expect(body.outputs.map((o: { name: string }) => o.name)).toEqual(['probabilities']);
    expect(body.outputs[0].data.map(Math.fround)).toEqual(Array.from(expected(1, [CREDIT_ROW])));

    const cars = await infer('/v2/models/cars/infer', { inputs: tensors([CAR_ROW]) });
    expect(cars.body.outputs).toEqual([
      { name: 'value', datatype: 'FP32', shape: [1], data: [expect.any(Number)] },
    ]);
    expect(Math.fround(cars.body.outputs[0].data[0])).toBe(expected(1, [CAR_ROW], 'cars')[0]);
  });

  it('accepts INT and BOOL datatypes and null as missing', async () => {
    const inputs = tensors([CREDIT_ROW]).map((t) =>
      t.name === 'Age'
        ? { ...t, datatype: 'INT32' }
        : t.name === 'Income'
          ? { ...t, data: [null] }
          : t,
    );
    const { status, body } = await infer('/v2/models/credit/infer', { inputs });
    expect(status).toBe(200);
    expect(body.outputs).toHaveLength(2);
  });

  /** The binary form of JSON tensors: as Triton's client builds it (data after the JSON). */
  function binaryBody(inputs: ReturnType<typeof tensors>, extra: Record<string, unknown> = {}) {
    const chunks: Buffer[] = [];
    const header = inputs.map(({ data, ...tensor }) => {
      let bytes: Buffer;
      if (tensor.datatype === 'FP64') {
        bytes = Buffer.alloc(8 * data.length);
        for (const [i, v] of data.entries()) {
          bytes.writeDoubleLE((v as number | null) ?? Number.NaN, 8 * i);
        }
      } else {
        bytes = Buffer.concat(
          data.flatMap((v) => {
            const text = Buffer.from(String(v ?? ''));
            const size = Buffer.alloc(4);
            size.writeUInt32LE(text.length);
            return [size, text];
          }),
        );
      }
      chunks.push(bytes);
      return { ...tensor, parameters: { binary_data_size: bytes.length } };
    });
    const json = Buffer.from(JSON.stringify({ ...extra, inputs: header }));
    return { payload: Buffer.concat([json, ...chunks]), headerLength: json.length };
  }

  it('takes and gives binary tensors (the binary tensor data extension)', async () => {
    const rows = [CREDIT_ROW, OTHER_ROW];
    const asJson = await infer('/v2/models/credit/infer', { inputs: tensors(rows) });
    const { payload, headerLength } = binaryBody(tensors(rows), { id: 'b-1' });
    // Triton's Python client sends no content type; others say octet-stream or even JSON.
    for (const type of [undefined, 'application/octet-stream', 'application/json']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v2/models/credit/infer',
        headers: {
          'inference-header-content-length': String(headerLength),
          ...(type ? { 'content-type': type } : {}),
        },
        payload,
      });
      expect(res.statusCode, `${type} ${res.body}`).toBe(200);
      expect(res.json()).toEqual({ ...asJson.body, id: 'b-1' });
    }

    // Binary outputs: probabilities as little-endian FP32, labels as length-prefixed BYTES.
    const binary = binaryBody(tensors(rows), {
      outputs: [{ name: 'label' }, { name: 'probabilities', parameters: { binary_data: true } }],
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/credit/infer',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(binary.headerLength),
      },
      payload: binary.payload,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    const length = Number(res.headers['inference-header-content-length']);
    const header = JSON.parse(res.rawPayload.subarray(0, length).toString('utf8'));
    expect(header.outputs[0]).toEqual(asJson.body.outputs[0]);
    expect(header.outputs[1]).toEqual({
      name: 'probabilities',
      datatype: 'FP32',
      shape: [2, 2],
      parameters: { binary_data_size: 16 },
    });
    const data = res.rawPayload.subarray(length);
    expect(data.length).toBe(16);
    const probabilities = Array.from({ length: 4 }, (_, i) => data.readFloatLE(4 * i));
    expect(probabilities).toEqual(Array.from(expected(2, rows)));

    const all = binaryBody(tensors([CAR_ROW]), { parameters: { binary_data_output: true } });
    const cars = await app.inject({
      method: 'POST',
      url: '/v2/models/cars/infer',
      headers: { 'inference-header-content-length': String(all.headerLength) },
      payload: all.payload,
    });
    const carsLength = Number(cars.headers['inference-header-content-length']);
    expect(cars.rawPayload.subarray(carsLength).readFloatLE(0)).toBe(
      expected(1, [CAR_ROW], 'cars')[0],
    );
  });

  it('refuses binary bodies that do not add up, naming the input', async () => {
    const { payload, headerLength } = binaryBody(tensors([CREDIT_ROW]));
    const cases: [Buffer, string, RegExp][] = [
      [payload, String(payload.length + 1), /Inference-Header-Content-Length is "\d+"/],
      [payload, 'ten', /Inference-Header-Content-Length is "ten"/],
      [
        payload.subarray(0, payload.length - 1),
        String(headerLength),
        /does not fit|cut short|runs past|take/,
      ],
      [Buffer.concat([payload, Buffer.from([0])]), String(headerLength), /1 bytes follow/],
      [Buffer.from('{"inputs": [}'), '13', /not JSON/],
    ];
    for (const [body, length, message] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/v2/models/credit/infer',
        headers: { 'inference-header-content-length': length },
        payload: body,
      });
      expect(res.statusCode, String(message)).toBe(400);
      expect(res.json().error).toMatch(message);
    }
    const short = tensors([CREDIT_ROW]).map((t) => (t.name === 'Age' ? { ...t, shape: [2] } : t));
    const mismatch = binaryBody(short);
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/credit/infer',
      headers: { 'inference-header-content-length': String(mismatch.headerLength) },
      payload: mismatch.payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(
      /^input Age: 2 FP64 elements take 16 bytes, binary_data_size is 8$/,
    );
  });

  it('answers errors as {"error": "..."} with 400 / 404 / 415', async () => {
    const good = tensors([CREDIT_ROW]);
    const cases: [string, unknown, number, string][] = [
      ['/v2/models/credit/infer', { inputs: [] }, 400, 'inputs'],
      [
        '/v2/models/credit/infer',
        { inputs: good.map((t) => ({ ...t, shape: [2] })) },
        400,
        'elements',
      ],
      [
        '/v2/models/credit/infer',
        { inputs: [...good.slice(1), { ...good[0], shape: [1, 2] }] },
        400,
        'shape',
      ],
      [
        '/v2/models/credit/infer',
        {
          inputs: good.map((t) =>
            t.name === 'Age' ? { ...t, datatype: 'INT32', data: [30.5] } : t,
          ),
        },
        400,
        'INT32',
      ],
      [
        '/v2/models/credit/infer',
        { inputs: good.map((t) => (t.name === 'Age' ? { ...t, datatype: 'FP16' } : t)) },
        400,
        'FP16',
      ],
      [
        '/v2/models/credit/infer',
        {
          inputs: good.map((t) =>
            t.name === 'Age' ? { ...t, datatype: 'BYTES', data: ['old'] } : t,
          ),
        },
        400,
        'Age',
      ],
      ['/v2/models/credit/infer', { inputs: good, outputs: [{ name: 'logits' }] }, 400, 'logits'],
      ['/v2/models/nope/infer', { inputs: good }, 404, 'nope'],
      ['/v2/models/credit/versions/5/infer', { inputs: good }, 404, '5'],
      ['/v2/models/nope', undefined, 404, 'nope'],
      ['/v2/nothing', undefined, 404, 'nothing'],
    ];
    for (const [url, payload, code, mention] of cases) {
      const res =
        payload === undefined
          ? await app.inject({ url })
          : await app.inject({ method: 'POST', url, payload: payload as object });
      expect(res.statusCode, url).toBe(code);
      const body = res.json();
      expect(Object.keys(body), url).toEqual(['error']);
      expect(body.error, url).toContain(mention);
    }
    const media = await injectCsv(app, '/v2/models/credit/infer', 'a,b\n1,2\n');
    expect(media.statusCode).toBe(415);
    expect(typeof media.json().error).toBe('string');
  });
});
