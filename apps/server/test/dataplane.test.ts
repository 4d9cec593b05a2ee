import { MAX_ERROR_DETAILS } from '@tandem/features';
import { describe, expect, it, vi } from 'vitest';
import { ServedVersion } from '../src/registry/served-version.ts';
import { CREDIT_ROW, injectCsv, loadedOnCopy, type NativeErrorAnswer } from './helpers.ts';

const suite = loadedOnCopy();

const csvOf = (rows: Record<string, unknown>[]) => {
  const columns = Object.keys(rows[0] ?? {});
  return `${columns.join(',')}\n${rows.map((r) => columns.map((c) => r[c]).join(',')).join('\n')}\n`;
};

describe('the data plane', () => {
  it('leases the version once per request, on every route, and releases it', async () => {
    const acquire = vi.spyOn(ServedVersion.prototype, 'acquire');
    const requests = [
      { url: '/v1/models/credit/predict', payload: { instances: [CREDIT_ROW] } },
      {
        url: '/v1/models/credit/predict',
        headers: { 'content-type': 'text/csv' },
        payload: csvOf([CREDIT_ROW]),
      },
      {
        url: '/v1/models/credit/predict',
        headers: { 'content-type': 'application/x-ndjson' },
        payload: `${JSON.stringify(CREDIT_ROW)}\n`,
      },
      { url: '/v1/models/credit:predict', payload: { instances: [CREDIT_ROW] } },
      {
        url: '/v2/models/credit/infer',
        payload: {
          inputs: Object.entries(CREDIT_ROW).map(([name, v]) => ({
            name,
            shape: [1],
            datatype: typeof v === 'number' ? 'FP64' : 'BYTES',
            data: [v],
          })),
        },
      },
    ];
    for (const r of requests) {
      acquire.mockClear();
      const res = await suite.app.inject({ method: 'POST', ...r });
      expect(res.statusCode, r.url).toBe(200);
      expect(acquire, r.url).toHaveBeenCalledTimes(1);
      expect(res.headers['x-tandem-version'] ?? '2').toBe('2');
    }
    acquire.mockRestore();
    const served = suite.app.tandem.registry.select('credit');
    expect(served.inFlight).toBe(0);
  });

  it("answers invalid rows with the features package's message and at most MAX_ERROR_DETAILS details", async () => {
    const rows = Array.from({ length: MAX_ERROR_DETAILS + 50 }, () => ({
      ...CREDIT_ROW,
      Age: 'old',
    }));
    const res = await suite.app.inject({
      method: 'POST',
      url: '/v1/models/credit/predict',
      payload: { instances: rows },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<NativeErrorAnswer>();
    expect(error.code).toBe('TANDEM_INPUT_INVALID');
    expect(error.details).toHaveLength(MAX_ERROR_DETAILS);
    expect(error.message).toMatch(/Age/);
    expect(error.message).toMatch(
      new RegExp(
        `\\(and ${MAX_ERROR_DETAILS + 49} more problems in ${MAX_ERROR_DETAILS + 50} rows\\)$`,
      ),
    );
    expect(suite.app.tandem.registry.select('credit').inFlight).toBe(0);
  });

  it('refuses a CSV column named like a prediction column of the served version', async () => {
    const res = await injectCsv(
      suite.app,
      '/v1/models/credit/predict',
      csvOf([{ ...CREDIT_ROW, probability_good: 1 }]),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<NativeErrorAnswer>().error.message).toMatch(/probability_good/);
  });
});
