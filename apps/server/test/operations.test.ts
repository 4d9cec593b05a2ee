import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { CREDIT_ROW, injectCsv, injectInstances, loaded, testConfig } from './helpers.ts';

describe('before the models are loaded', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({
      config: testConfig(inject('fixtureArtifacts')),
      logger: false,
      defaultMetrics: false,
    });
  });
  afterAll(() => app.close());

  it('is live, not ready, and answers predictions with 503', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().status).toBe('not_ready');
    expect((await app.inject({ url: '/v2/health/ready' })).statusCode).toBe(503);
    const native = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    expect(native.statusCode).toBe(503);
    expect(native.headers['retry-after']).toBe('1');
    expect(native.json().error.code).toBe('TANDEM_SERVER_NOT_READY');
    const v2 = await app.inject({
      method: 'POST',
      url: '/v2/models/credit/infer',
      payload: { inputs: [{ name: 'Age', shape: [1], datatype: 'FP64', data: [30] }] },
    });
    expect(v2.statusCode).toBe(503);
    expect(typeof v2.json().error).toBe('string');

    await app.tandem.registry.start();
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v2/health/ready' })).statusCode).toBe(200);
  });
});

describe('operations', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await loaded(inject('fixtureArtifacts'), ['--max-rows', '3', '--body-limit', '2kb']);
  });
  afterAll(() => app.close());

  it('reports readiness with the default version of each model', async () => {
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      models: [
        { name: 'cars', version: 1 },
        { name: 'credit', version: 2 },
        { name: 'penguins', version: 1 },
      ],
    });
  });

  it('counts requests, rows, issues and tensors in Prometheus metrics', async () => {
    const rows = [CREDIT_ROW, { ...CREDIT_ROW, Income: null, Home: 'castle' }];
    await injectInstances(app, '/v1/models/credit/predict', rows);
    await injectInstances(app, '/v1/models/credit/predict', [{ Age: 'x' }]);
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toContain(
      'tandem_http_requests_total{route="/v1/models/:name/predict",method="POST",status="200",model="credit",version="2"} 1',
    );
    expect(text).toContain(
      'tandem_http_requests_total{route="/v1/models/:name/predict",method="POST",status="400",model="credit",version="2"} 1',
    );
    expect(text).toContain('tandem_rows_predicted_total{model="credit",version="2"} 2');
    expect(text).toContain(
      'tandem_input_issues_total{model="credit",column="Income",kind="missing"} 1',
    );
    expect(text).toContain(
      'tandem_input_issues_total{model="credit",column="Home",kind="unseen_category"} 1',
    );
    expect(text).toContain('tandem_input_rejected_rows_total{model="credit"} 1');
    expect(text).toMatch(
      /tandem_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/models\/:name\/predict",method="POST"\} \d+/,
    );
    expect(text).toMatch(/^tandem_tfjs_tensors \d+$/m);
    expect(text).toContain('tandem_model_versions_served{model="credit"} 2');
    expect(text).toContain('tandem_model_load_failures_total');
  });

  it('413 over the body limit and over the row limit, in each error shape', async () => {
    const big = { instances: [{ ...CREDIT_ROW, Job: 'x'.repeat(3000) }] };
    const native = await app.inject({
      method: 'POST',
      url: '/v1/models/credit/predict',
      payload: big,
    });
    expect(native.statusCode).toBe(413);
    expect(native.json().error.code).toBe('TANDEM_BODY_TOO_LARGE');
    const v2 = await app.inject({ method: 'POST', url: '/v2/models/credit/infer', payload: big });
    expect(v2.statusCode).toBe(413);
    expect(typeof v2.json().error).toBe('string');

    const four = { instances: [CREDIT_ROW, CREDIT_ROW, CREDIT_ROW, CREDIT_ROW] };
    const rows = await app.inject({
      method: 'POST',
      url: '/v1/models/credit/predict',
      payload: four,
    });
    expect(rows.statusCode).toBe(413);
    expect(rows.json().error).toMatchObject({ code: 'TANDEM_REQUEST_TOO_MANY_ROWS' });
    const tfs = await app.inject({
      method: 'POST',
      url: '/v1/models/credit:predict',
      payload: four,
    });
    expect(tfs.statusCode).toBe(413);
    const csv = await injectCsv(app, '/v1/models/credit/predict', 'Age\n1\n2\n3\n4\n');
    expect(csv.statusCode).toBe(413);
    const infer = await app.inject({
      method: 'POST',
      url: '/v2/models/credit/infer',
      payload: { inputs: [{ name: 'Age', shape: [4], datatype: 'FP64', data: [1, 2, 3, 4] }] },
    });
    expect(infer.statusCode).toBe(413);
  });

  it('serves the OpenAPI document and the interactive docs', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/models',
      '/v1/models/{name}',
      '/v1/models/{name}/versions/{version}/predict',
      '/v1/models/{name}/labels/{label}/predict',
      '/v2/models/{name}/infer',
      '/v2/health/ready',
      '/readyz',
      '/metrics',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/bench/constant']).toBeUndefined();
    const predict = doc.paths['/v1/models/{name}/predict'].post;
    expect(Object.keys(predict.requestBody.content)).toEqual([
      'application/json',
      'text/csv',
      'application/x-ndjson',
    ]);
    const docs = await app.inject({ url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/^text\/html/);
    expect(docs.body).toContain('swagger-ui');
  });
});

describe('the benchmark route and unexpected failures', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await loaded(inject('fixtureArtifacts'), ['--bench-routes']);
  });
  afterAll(() => app.close());

  it('answers the constant route with the predict response shape, after the same validation', async () => {
    const ok = await injectInstances(app, '/bench/constant', [CREDIT_ROW]);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({
      model: { name: 'constant', version: 1 },
      predictions: [{ label: 'good', probabilities: { bad: 0.25, good: 0.75 } }],
      warnings: [],
    });
    const bad = await app.inject({ method: 'POST', url: '/bench/constant', payload: { rows: [] } });
    expect(bad.statusCode).toBe(400);
  });

  it('answers a failure inside the predictor with a logged 500 and keeps serving', async () => {
    const served = app.tandem.registry.select('credit');
    const original = served.predictor.predictBatch;
    served.predictor.predictBatch = () => {
      throw new Error('engine exploded: secret internals');
    };
    try {
      const res = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: { code: 'TANDEM_SERVER_INTERNAL', message: 'internal error', details: [] },
      });
      const v2 = await app.inject({
        method: 'POST',
        url: '/v2/models/credit/infer',
        payload: { inputs: [{ name: 'Age', shape: [1], datatype: 'FP64', data: [30] }] },
      });
      expect(v2.statusCode).toBe(500);
      expect(v2.json()).toEqual({ error: 'internal error' });
      expect(served.inFlight).toBe(0);
    } finally {
      served.predictor.predictBatch = original;
    }
    const again = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    expect(again.statusCode).toBe(200);
  });
});
