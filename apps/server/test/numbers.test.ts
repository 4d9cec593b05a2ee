import { describe, expect, it, vi } from 'vitest';
import { CREDIT_ROW, loadedOnCopy } from './helpers.ts';

const suite = loadedOnCopy();

const HUGE = 1e41;
const OTHER_ROW = { ...CREDIT_ROW, Age: 41 };

/** The same two rows (the second one given) through every predict route. */
function requests(second: Record<string, unknown>) {
  const rows = [OTHER_ROW, second];
  const columns = Object.keys(CREDIT_ROW);
  const csv = `${columns.join(',')}\n${rows.map((r) => columns.map((c) => (r as Record<string, unknown>)[c]).join(',')).join('\n')}\n`;
  return [
    { name: 'native JSON', url: '/v1/models/credit/predict', payload: { instances: rows } },
    {
      name: 'native NDJSON',
      url: '/v1/models/credit/predict',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: rows.map((r) => JSON.stringify(r)).join('\n'),
    },
    {
      name: 'native CSV',
      url: '/v1/models/credit/predict',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    },
    { name: 'TF Serving', url: '/v1/models/credit:predict', payload: { instances: rows } },
    {
      name: 'TF Serving columnar',
      url: '/tfserving/v1/models/credit:predict',
      payload: {
        inputs: Object.fromEntries(
          columns.map((c) => [c, rows.map((r) => (r as Record<string, unknown>)[c])]),
        ),
      },
    },
    {
      name: 'V2',
      url: '/v2/models/credit/infer',
      payload: {
        inputs: columns.map((c) => ({
          name: c,
          shape: [2],
          datatype:
            typeof (CREDIT_ROW as Record<string, unknown>)[c] === 'number' ? 'FP64' : 'BYTES',
          data: rows.map((r) => (r as Record<string, unknown>)[c]),
        })),
      },
    },
  ];
}

describe('numbers beyond float32', () => {
  it('are a 400 naming the row and the column on every route', async () => {
    for (const r of requests({ ...CREDIT_ROW, Income: HUGE })) {
      const res = await suite.app.inject({ method: 'POST', ...r });
      expect(res.statusCode, r.name).toBe(400);
      const body = res.json();
      const message = typeof body.error === 'string' ? body.error : body.error.message;
      expect(message, r.name).toMatch(/row 1, column "Income".*float32/);
      expect(res.headers['x-tandem-error-code'], r.name).toBe('TANDEM_INPUT_INVALID');
    }
  });

  it('a model output that is not finite is a coded error on every route, not a 200', async () => {
    const served = suite.app.tandem.registry.select('credit');
    const real = served.predictor.predictBatch.bind(served.predictor);
    // A model whose arithmetic overflows for the second row, as float32 does past ~3.4e38.
    const spy = vi.spyOn(served.predictor, 'predictBatch').mockImplementation((rows, options) => {
      const batch = real(rows, options);
      batch.outputs.fill(Number.NaN, batch.width, 2 * batch.width);
      return batch;
    });
    try {
      for (const r of requests(CREDIT_ROW)) {
        const res = await suite.app.inject({ method: 'POST', ...r });
        expect(res.statusCode, r.name).toBe(422);
        const body = res.json();
        expect(res.headers['x-tandem-error-code'], r.name).toBe('TANDEM_PREDICTION_NOT_FINITE');
        const message = typeof body.error === 'string' ? body.error : body.error.message;
        expect(message, r.name).toMatch(/row 1\b/);
      }
    } finally {
      spy.mockRestore();
    }
    const ok = await suite.app.inject({ method: 'POST', ...requests(CREDIT_ROW)[0]! });
    expect(ok.statusCode).toBe(200);
  });
});
