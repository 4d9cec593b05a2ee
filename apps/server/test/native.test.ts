import { FileModelStore } from '@tandem/model-store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAR_ROW,
  CREDIT_ROW,
  copyFixtures,
  injectCsv,
  injectInstances,
  loaded,
  type NativeAnswer,
  type NativeErrorAnswer,
  PENGUIN_ROW,
  removeDir,
} from './helpers.ts';

let dir: string;
let app: FastifyInstance;

/** What the version's own predictor says for these rows: the numbers every route must return. */
function expected(version: number, rows: Record<string, unknown>[], name = 'credit') {
  const served = app.tandem.registry.select(name, { version });
  return served.predictor.predictBatch(rows).outputs;
}

beforeAll(async () => {
  dir = await copyFixtures();
  const store = new FileModelStore(dir);
  await store.setLabel('credit', 'staging', 1);
  app = await loaded(dir);
});

afterAll(async () => {
  await app.close();
  await removeDir(dir);
});

describe('native metadata', () => {
  it('lists every model with versions, labels, default version and task', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const { models } = res.json<{ models: Record<string, unknown>[] }>();
    expect(models.map((m) => m.name)).toEqual(['cars', 'credit', 'penguins']);
    const credit = models[1];
    expect(credit).toMatchObject({
      name: 'credit',
      task: 'binary',
      defaultVersion: 2,
      labels: { staging: 1 },
      versions: [
        { version: 1, status: 'available' },
        { version: 2, status: 'available' },
      ],
    });
  });

  it('describes the default version, a version and a label', async () => {
    const byDefault = (await app.inject({ url: '/v1/models/credit' })).json();
    expect(byDefault).toMatchObject({ name: 'credit', version: 2, default: true, labels: [] });
    expect(byDefault.outputs).toEqual({ classes: ['bad', 'good'] });
    const income = byDefault.inputs.find((c: { name: string }) => c.name === 'Income');
    expect(income).toMatchObject({ name: 'Income', type: 'numeric', nullable: true });
    expect(typeof income.min).toBe('number');
    const home = byDefault.inputs.find((c: { name: string }) => c.name === 'Home');
    expect(home.type).toBe('categorical');
    expect(home.levels).toContain('rent');
    expect(byDefault.inputs.map((c: { name: string }) => c.name)).not.toContain('Status');

    const v1 = (await app.inject({ url: '/v1/models/credit/versions/1' })).json();
    expect(v1).toMatchObject({ version: 1, default: false, labels: ['staging'] });
    const staging = (await app.inject({ url: '/v1/models/credit/labels/staging' })).json();
    expect(staging.version).toBe(1);
  });
});

describe('native predict', () => {
  it('answers with the default version and its exact float32 probabilities', async () => {
    const res = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    expect(res.statusCode).toBe(200);
    const body = res.json<NativeAnswer>();
    expect(body.model).toEqual({ name: 'credit', version: 2 });
    const out = expected(2, [CREDIT_ROW]);
    const p = body.predictions[0] as { label: string; probabilities: Record<string, number> };
    expect(Math.fround(p.probabilities.bad as number)).toBe(out[0]);
    expect(Math.fround(p.probabilities.good as number)).toBe(out[1]);
    expect(p.label).toBe((out[1] as number) > (out[0] as number) ? 'good' : 'bad');
    expect(body.warnings).toEqual([]);
  });

  it('selects a version or a label', async () => {
    for (const url of [
      '/v1/models/credit/versions/1/predict',
      '/v1/models/credit/labels/staging/predict',
    ]) {
      const body = (await injectInstances(app, url, [CREDIT_ROW])).json<NativeAnswer>();
      expect(body.model).toEqual({ name: 'credit', version: 1 });
      const p = body.predictions[0] as { probabilities: Record<string, number> };
      expect(Math.fround(p.probabilities.good as number)).toBe(expected(1, [CREDIT_ROW])[1]);
    }
    // Versions 1 and 2 have different weights, so the selection is visible in the numbers.
    expect(expected(1, [CREDIT_ROW])[1]).not.toBe(expected(2, [CREDIT_ROW])[1]);
  });

  it('reports warnings by row, column and kind', async () => {
    const rows = [CREDIT_ROW, { ...CREDIT_ROW, Income: null, Home: 'castle', Amount: 1e9 }];
    const body = (
      await injectInstances(app, '/v1/models/credit/predict', rows)
    ).json<NativeAnswer>();
    expect(body.predictions).toHaveLength(2);
    expect(body.warnings).toEqual(
      expect.arrayContaining([
        { row: 1, column: 'Income', kind: 'missing' },
        { row: 1, column: 'Home', kind: 'unseen_category' },
        { row: 1, column: 'Amount', kind: 'out_of_range' },
      ]),
    );
    expect(body.warnings.every((w) => w.row === 1)).toBe(true);
  });

  it('answers multiclass probabilities and regression values', async () => {
    const penguin = (
      await injectInstances(app, '/v1/models/penguins/predict', [PENGUIN_ROW])
    ).json<NativeAnswer>();
    const pp = penguin.predictions[0] as { label: string; probabilities: Record<string, number> };
    expect(Object.keys(pp.probabilities)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const sum = Object.values(pp.probabilities).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);

    const car = (
      await injectInstances(app, '/v1/models/cars/predict', [CAR_ROW])
    ).json<NativeAnswer>();
    const value = (car.predictions[0] as { value: number }).value;
    expect(Math.fround(value)).toBe(expected(1, [CAR_ROW], 'cars')[0]);
  });

  it('answers CSV with the prediction columns appended', async () => {
    const csv = [
      'Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price',
      '9,rent,60,30,married,no,freelance,73,129,0,0,800,846',
      '17,rent,60,58,widow,no,fixed,48,,0,0,1000,1658',
    ].join('\n');
    const res = await injectCsv(app, '/v1/models/credit/versions/1/predict', csv);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['x-tandem-model']).toBe('credit');
    expect(res.headers['x-tandem-version']).toBe('1');
    expect(res.headers['x-tandem-warnings']).toBe('1');
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe(
      'Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price,label,probability_bad,probability_good',
    );
    expect(lines).toHaveLength(3);
    const out = expected(1, [
      CREDIT_ROW,
      {
        ...CREDIT_ROW,
        Seniority: 17,
        Age: 58,
        Marital: 'widow',
        Job: 'fixed',
        Expenses: 48,
        Income: '',
        Amount: 1000,
        Price: 1658,
      },
    ]);
    const cells = lines[2]!.split(',');
    expect(cells.slice(0, 13).join(',')).toBe('17,rent,60,58,widow,no,fixed,48,,0,0,1000,1658');
    expect(Math.fround(Number(cells[14]))).toBe(out[2]);
    expect(Math.fround(Number(cells[15]))).toBe(out[3]);
  });

  it('answers CSV for regressors with a value column, and refuses a clashing column', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/cars/predict',
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      payload:
        'Cylinders,Displacement,Horsepower,Weight_in_lbs,Acceleration,Year,Origin\n8,307,130,3504,12,1970-01-01,USA\n',
    });
    expect(res.statusCode).toBe(200);
    const [header, line] = res.body.trim().split('\n');
    expect(header?.endsWith(',value')).toBe(true);
    expect(Math.fround(Number(line?.split(',').at(-1)))).toBe(expected(1, [CAR_ROW], 'cars')[0]);
    const clash = await injectCsv(app, '/v1/models/credit/predict', 'Age,label\n30,x\n');
    expect(clash.statusCode).toBe(400);
    expect(clash.json().error.message).toContain('"label"');
  });

  it('answers NDJSON line for line', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/credit/predict',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify(CREDIT_ROW)}\n${JSON.stringify({ ...CREDIT_ROW, Home: 'castle' })}\n`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const out = expected(2, [CREDIT_ROW]);
    expect(Math.fround(lines[0].probabilities.good)).toBe(out[1]);
    expect(lines[0].warnings).toBeUndefined();
    expect(lines[1].warnings).toEqual([{ column: 'Home', kind: 'unseen_category' }]);
  });
});

describe('native errors', () => {
  async function error(url: string, payload: unknown, headers: Record<string, string> = {}) {
    const res = await app.inject({
      method: 'POST',
      url,
      headers,
      payload: payload as string,
    });
    return { status: res.statusCode, body: res.json<NativeErrorAnswer>() };
  }

  it('400 names row, column, expected and received', async () => {
    const { status, body } = await error('/v1/models/credit/predict', {
      instances: [CREDIT_ROW, { ...CREDIT_ROW, Seniority: 'abc' }],
    });
    expect(status).toBe(400);
    expect(body.error.code).toBe('TANDEM_INPUT_INVALID');
    expect(body.error.message).toContain('Seniority');
    expect(body.error.details[0]).toMatchObject({
      row: 1,
      column: 'Seniority',
      problem: 'wrong_type',
      received: 'abc',
    });
    expect(typeof body.error.details[0]?.expected).toBe('string');
  });

  it('400 for malformed bodies', async () => {
    const bad = await error('/v1/models/credit/predict', '{"instances": [', {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('TANDEM_REQUEST_INVALID');
    for (const payload of [{}, { instances: [] }, { instances: [1] }, { instances: 'x' }]) {
      const res = await error('/v1/models/credit/predict', payload);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('TANDEM_REQUEST_INVALID');
    }
    const csv = await error('/v1/models/credit/predict', 'a,b\n1,2,3\n', {
      'content-type': 'text/csv',
    });
    expect(csv.status).toBe(400);
    const ndjson = await error('/v1/models/credit/predict', '{"a":1}\nnope\n', {
      'content-type': 'application/x-ndjson',
    });
    expect(ndjson.status).toBe(400);
    expect(ndjson.body.error.message).toContain('line 2');
  });

  it('404 for unknown model, version, label and route', async () => {
    const cases: [string, string][] = [
      ['/v1/models/nope/predict', 'TANDEM_MODEL_NOT_FOUND'],
      ['/v1/models/credit/versions/9/predict', 'TANDEM_VERSION_NOT_FOUND'],
      ['/v1/models/credit/versions/abc/predict', 'TANDEM_VERSION_NOT_FOUND'],
      ['/v1/models/credit/labels/nope/predict', 'TANDEM_LABEL_NOT_FOUND'],
      ['/v1/nothing', 'TANDEM_ROUTE_NOT_FOUND'],
    ];
    for (const [url, code] of cases) {
      const res = await error(url, { instances: [CREDIT_ROW] });
      expect(res.status, url).toBe(404);
      expect(res.body.error.code, url).toBe(code);
    }
    const meta = await app.inject({ url: '/v1/models/nope' });
    expect(meta.statusCode).toBe(404);
  });

  it('415 for an unsupported content type', async () => {
    const res = await error('/v1/models/credit/predict', 'hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('TANDEM_MEDIA_TYPE_UNSUPPORTED');
  });
});
