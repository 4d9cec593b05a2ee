import { writeEnsembleFixtureVersion } from '@tandem/fixtures';
import { Explainer, type Explanation } from '@tandem/runtime';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAR_ROW,
  CREDIT_ROW,
  copyFixtures,
  injectCsv,
  loaded,
  loadedOnCopy,
  type NativeErrorAnswer,
  PENGUIN_ROW,
  removeDir,
} from './helpers.ts';

interface ExplainAnswer {
  model: { name: string; version: number };
  method: string;
  space: string;
  /** Each entry in the runtime's Explanation shape (contributions cut to the top K when asked). */
  explanations: Explanation[];
}

const suite = loadedOnCopy();

function explainer(name: string) {
  return Explainer.of(suite.app.tandem.registry.select(name, {}).predictor);
}

describe('POST /v1/models/:name/explain', () => {
  it('answers the Explainer numbers, one contribution per raw column, adding up', async () => {
    const res = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit/explain',
      payload: { instances: [CREDIT_ROW, { ...CREDIT_ROW, Income: 40 }] },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<ExplainAnswer>();
    expect(body.method).toBe('exact_shapley');
    expect(body.space).toBe('margin');
    const expected = explainer('credit').explainBatch([CREDIT_ROW, { ...CREDIT_ROW, Income: 40 }]);
    expect(body.explanations).toEqual(expected.explanations.flat());
    expect(Object.keys(body.explanations[0]!.contributions)).toEqual(Object.keys(CREDIT_ROW));
    for (const e of body.explanations) {
      const sum = Object.values(e.contributions).reduce((a, b) => a + b, 0);
      expect(Math.abs(e.output - e.baseValue - sum)).toBeLessThan(1e-9);
      expect(Math.abs(e.approximationError)).toBeLessThan(1e-9);
    }
    const predicted = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit/predict',
      payload: { instances: [CREDIT_ROW] },
    });
    const probabilities = predicted.json<{
      predictions: { probabilities: Record<string, number> }[];
    }>().predictions[0]!.probabilities;
    const e = body.explanations[0]!;
    expect(e.probability).toBeCloseTo(probabilities[e.class!]!, 5);
  });

  it('explains every class, a named class, the top K, by version and by label', async () => {
    const all = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/penguins/versions/1/explain',
      payload: { instances: [PENGUIN_ROW], classes: 'all', top: 2 },
    });
    expect(all.statusCode).toBe(200);
    const body = all.json<ExplainAnswer>();
    expect(body.explanations.map((e) => e.class)).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    const full = explainer('penguins').explainBatch([PENGUIN_ROW], { classes: 'all' });
    body.explanations.forEach((e, c) => {
      const ranked = Object.entries(full.explanations[0]![c]!.contributions).sort(
        (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
      );
      expect(Object.entries(e.contributions)).toEqual(ranked.slice(0, 2));
      expect(e.approximationError).toBe(full.explanations[0]![c]!.approximationError);
    });
    const one = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/penguins/explain?classes=Gentoo',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify(PENGUIN_ROW)}\n`,
    });
    expect(one.statusCode).toBe(200);
    expect(one.json<ExplainAnswer>().explanations).toEqual(
      [body.explanations[2]!].map((e) => ({
        ...e,
        contributions: full.explanations[0]![2]!.contributions,
      })),
    );
  });

  it('explains a regression value, from a CSV body', async () => {
    const header = Object.keys(CAR_ROW).join(',');
    const line = Object.values(CAR_ROW).join(',');
    const res = await injectCsv(suite.app, '/v1/models/cars/explain', `${header}\n${line}\n`);
    expect(res.statusCode).toBe(200);
    const body = res.json<ExplainAnswer>();
    expect(body.space).toBe('value');
    expect(body.explanations[0]!.class).toBeUndefined();
    expect(body.explanations[0]!.probability).toBeUndefined();
  });

  it('refuses an invalid row with the same coded 400 as predict, and an unknown class', async () => {
    const bad = { instances: [CREDIT_ROW, { ...CREDIT_ROW, Age: 'old' }] };
    const predict = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit/predict',
      payload: bad,
    });
    const explain = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit/explain',
      payload: bad,
    });
    expect(predict.statusCode).toBe(400);
    expect(explain.statusCode).toBe(predict.statusCode);
    expect(explain.json()).toEqual(predict.json());
    expect(explain.json<NativeErrorAnswer>().error.code).toBe('TANDEM_INPUT_INVALID');
    const unknown = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit/explain',
      payload: { instances: [CREDIT_ROW], classes: ['maybe'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<NativeErrorAnswer>().error.code).toBe('TANDEM_EXPLAIN_CLASS_UNKNOWN');
    const missing = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/nope/explain',
      payload: bad,
    });
    expect(missing.json<NativeErrorAnswer>().error.code).toBe('TANDEM_MODEL_NOT_FOUND');
  });
});

describe('KServe V1 :explain and the Open Inference extension', () => {
  it('give the native explanations', async () => {
    const native = (
      await suite.app.inject({
        method: 'POST',
        url: '/v1/models/credit/explain',
        payload: { instances: [CREDIT_ROW] },
      })
    ).json<ExplainAnswer>();
    const kserve = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit:explain',
      payload: { instances: [CREDIT_ROW] },
    });
    expect(kserve.statusCode).toBe(200);
    expect(kserve.json()).toEqual(native);
    const inputs = Object.entries(CREDIT_ROW).map(([name, value]) => ({
      name,
      shape: [1],
      datatype: typeof value === 'number' ? 'FP64' : 'BYTES',
      data: [value],
    }));
    const v2 = await suite.app.inject({
      method: 'POST',
      url: '/v2/models/credit/explain',
      payload: { id: 'r1', inputs },
    });
    expect(v2.statusCode).toBe(200);
    expect(v2.json()).toEqual({
      model_name: 'credit',
      model_version: String(native.model.version),
      id: 'r1',
      method: native.method,
      space: native.space,
      explanations: native.explanations,
    });
    const server = (await suite.app.inject({ method: 'GET', url: '/v2' })).json<{
      extensions: string[];
    }>();
    expect(server.extensions).toContain('explain');
    const bad = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit:explain',
      payload: { instances: [{ ...CREDIT_ROW, Age: 'old' }] },
    });
    const badPredict = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit:predict',
      payload: { instances: [{ ...CREDIT_ROW, Age: 'old' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual(badPredict.json());
  });

  it('are listed in the OpenAPI document', async () => {
    const doc = (await suite.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    const paths = Object.keys(doc.paths);
    expect(paths).toContain('/v1/models/{name}/explain');
    expect(paths).toContain('/v2/models/{name}/explain');
  });
});

describe('explanations of an ensemble version', () => {
  let dir: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    dir = await copyFixtures();
    await writeEnsembleFixtureVersion(dir, 'credit-blend', [
      { name: 'credit', version: 1, weight: 0.4 },
      { name: 'credit', version: 2, weight: 0.6 },
    ]);
    app = await loaded(dir);
  });
  afterAll(async () => {
    await app.close();
    await removeDir(dir);
  });

  it("explain the blend's log-odds, adding up to what predict answers", async () => {
    const rows = [CREDIT_ROW, { ...CREDIT_ROW, Income: 40, Seniority: 1 }];
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/credit-blend/explain',
      payload: { instances: rows },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<ExplainAnswer>();
    expect(body.method).toBe('ensemble_exact_shapley');
    expect(body.space).toBe('margin');
    const predicted = await app.inject({
      method: 'POST',
      url: '/v1/models/credit-blend/predict',
      payload: { instances: rows },
    });
    const predictions = predicted.json<{
      predictions: { probabilities: Record<string, number> }[];
    }>().predictions;
    body.explanations.forEach((e, r) => {
      const sum = Object.values(e.contributions).reduce((a, b) => a + b, 0);
      expect(Math.abs(e.output - e.baseValue - sum)).toBeLessThan(1e-9);
      expect(e.probability).toBeCloseTo(predictions[r]!.probabilities[e.class!]!, 5);
    });
    expect(body.explanations[0]!.contributions).not.toEqual(body.explanations[1]!.contributions);
  });
});
