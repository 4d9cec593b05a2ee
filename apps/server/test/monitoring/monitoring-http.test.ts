import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawRow } from '@tandem/features';
import { FileModelStore } from '@tandem/model-store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixtures, loaded, removeDir } from '../helpers.ts';
import { creditHalves, writeProfiledVersion } from './profiled-version.ts';

interface ColumnDrift {
  name: string;
  verdict: string;
  metrics: { metric: string; value: number | null }[];
}
interface MonitoringAnswer {
  model: { name: string; version: number };
  profile: { present: boolean };
  rowsSeen: number;
  drift: {
    rowWindow: {
      rows: number;
      verdict: string;
      columns: ColumnDrift[];
      output: { verdict: string };
    };
  } | null;
  performance: {
    task: string;
    rows: number;
    accuracy: number | null;
    logLoss: number | null;
    confusion: number[][];
  };
  driftProblem: string | null;
  driftRowsDropped: number;
  predictionLog: { sent: number; written: number; dropped: number; failed: number } | null;
}

const { reference, sent } = creditHalves();
const rows = sent.slice(0, 2000);

async function monitoring(
  app: FastifyInstance,
  path = '/v1/models/credit/monitoring',
): Promise<MonitoringAnswer> {
  const response = await app.inject({ method: 'GET', url: path });
  expect(response.statusCode).toBe(200);
  return response.json() as MonitoringAnswer;
}

async function predict(
  app: FastifyInstance,
  instances: readonly RawRow[],
  headers: Record<string, string> = {},
) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/models/credit/predict',
    payload: { instances },
    headers,
  });
  expect(response.statusCode).toBe(200);
  return response;
}

function driftedColumns(answer: MonitoringAnswer): string[] {
  return (answer.drift?.rowWindow.columns ?? [])
    .filter((c) => c.verdict === 'drift')
    .map((c) => c.name);
}

describe('monitoring over HTTP', () => {
  let artifacts: string;
  let logFolder: string;
  let app: FastifyInstance;
  let profiled: number;

  beforeAll(async () => {
    artifacts = await copyFixtures();
    profiled = await writeProfiledVersion(artifacts, 'credit', 1, reference);
    logFolder = join(artifacts, 'prediction-log');
    process.env.TANDEM_PREDICTION_LOG = logFolder;
    process.env.TANDEM_MONITOR_ROW_WINDOW = '2000';
    try {
      app = await loaded(artifacts);
    } finally {
      delete process.env.TANDEM_PREDICTION_LOG;
      delete process.env.TANDEM_MONITOR_ROW_WINDOW;
    }
  });

  afterAll(async () => {
    await app?.close();
    await removeDir(artifacts);
  });

  it('2,000 rows as sent give no drift verdict', async () => {
    for (let i = 0; i < rows.length; i += 250) await predict(app, rows.slice(i, i + 250));
    const answer = await monitoring(app);
    expect(answer.model.version).toBe(profiled);
    expect(answer.profile.present).toBe(true);
    expect(answer.drift?.rowWindow.rows).toBe(2000);
    expect(answer.drift?.rowWindow.verdict).toBe('ok');
    expect(driftedColumns(answer)).toEqual([]);
    expect(answer.rowsSeen).toBe(2000);
    expect(answer.driftProblem).toBeNull();
    expect(answer.driftRowsDropped).toBe(0);
  });

  it('the same rows with Amount times 3 flag Amount, and only Amount, in /monitoring and /metrics', async () => {
    const shifted = rows.map((row) => ({ ...row, Amount: Number(row.Amount) * 3 }));
    for (let i = 0; i < shifted.length; i += 500) await predict(app, shifted.slice(i, i + 500));
    const answer = await monitoring(app);
    expect(answer.drift?.rowWindow.rows).toBe(2000);
    expect(driftedColumns(answer)).toEqual(['Amount']);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics?scope=process' })).body;
    const v = `model="credit",version="${profiled}"`;
    expect(metrics).toContain(`tandem_feature_drift_detected{${v},feature="Amount"} 1`);
    expect(metrics).toContain(`tandem_feature_drift_detected{${v},feature="Income"} 0`);
    const wasserstein = new RegExp(
      `tandem_feature_drift\\{${v},feature="Amount",metric="wasserstein_std"\\} ([0-9.e+-]+)`,
    ).exec(metrics);
    expect(Number(wasserstein?.[1])).toBeGreaterThan(0.1);
    expect(metrics).toMatch(new RegExp(`tandem_dataset_drift_share\\{${v}\\} 0\\.0769`));
  });

  it('every protocol feeds the windows: CSV, NDJSON, TF Serving, V2', async () => {
    const before = (await monitoring(app)).rowsSeen;
    const row = rows[0] as RawRow;
    const columns = Object.keys(row);
    const csv = `${columns.join(',')}\n${columns.map((c) => String(row[c])).join(',')}\n`;
    const answers = await Promise.all([
      app.inject({
        method: 'POST',
        url: '/v1/models/credit/predict',
        payload: csv,
        headers: { 'content-type': 'text/csv' },
      }),
      app.inject({
        method: 'POST',
        url: '/v1/models/credit/predict',
        payload: `${JSON.stringify(row)}\n`,
        headers: { 'content-type': 'application/x-ndjson' },
      }),
      app.inject({
        method: 'POST',
        url: '/v1/models/credit:predict',
        payload: { instances: [row] },
      }),
      app.inject({
        method: 'POST',
        url: '/v2/models/credit/infer',
        payload: {
          id: 'caller-v2-id',
          inputs: columns.map((c) => {
            const value = row[c];
            const numeric =
              typeof value === 'string' && value !== '' && Number.isFinite(Number(value));
            return numeric
              ? { name: c, shape: [1], datatype: 'FP64', data: [Number(value)] }
              : { name: c, shape: [1], datatype: 'BYTES', data: [String(value)] };
          }),
        },
      }),
    ]);
    for (const a of answers) expect(a.statusCode, a.body).toBe(200);
    expect((answers[3]?.json() as { id?: string }).id).toBe('caller-v2-id');
    expect((await monitoring(app)).rowsSeen).toBe(before + 4);
  });

  it('feedback by id and row gives live accuracy, log loss and confusion, once per row', async () => {
    const batch = rows.slice(0, 4);
    const answer = await predict(app, batch, { 'x-request-id': 'feedback-batch-1' });
    expect(answer.headers['x-request-id']).toBe('feedback-batch-1');
    const body = answer.json() as {
      id: string;
      predictions: { label: string; probabilities: Record<string, number> }[];
    };
    expect(body.id).toBe('feedback-batch-1');
    const truth = ['good', 'bad', 'good', 'good'];
    const feedback = truth.map((label, row) => ({ id: 'feedback-batch-1', row, label }));
    const first = await app.inject({
      method: 'POST',
      url: '/v1/models/credit/feedback',
      payload: { feedback },
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ received: 4, matched: 4, duplicate: 0, unknown: 0 });
    const again = await app.inject({
      method: 'POST',
      url: '/v1/models/credit/feedback',
      payload: { feedback },
    });
    expect(again.json()).toMatchObject({ matched: 0, duplicate: 4 });

    const correct = body.predictions.filter((p, i) => p.label === truth[i]).length;
    const logLoss =
      -body.predictions.reduce(
        (s, p, i) => s + Math.log(p.probabilities[truth[i] as string] as number),
        0,
      ) / 4;
    const perf = (await monitoring(app)).performance;
    expect(perf.rows).toBe(4);
    expect(perf.accuracy).toBe(correct / 4);
    // The answer's probabilities are the float32 outputs: the same numbers, to float32 precision.
    expect(Math.abs((perf.logLoss as number) - logLoss)).toBeLessThan(1e-6);
    expect(perf.confusion.flat().reduce((a, b) => a + b, 0)).toBe(4);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics?scope=process' })).body;
    expect(metrics).toContain(`tandem_feedback_rows_total{model="credit",version="${profiled}"} 4`);
    expect(metrics).toContain(
      `tandem_feedback_correct_total{model="credit",version="${profiled}"} ${correct}`,
    );
    expect(metrics).toContain('tandem_feedback_label_delay_seconds_count{model="credit"} 4');
  });

  it('refuses a label that is not a class, naming the item, and changes nothing', async () => {
    await predict(app, rows.slice(0, 1), { 'x-request-id': 'bad-feedback' });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/models/credit/feedback',
      payload: { feedback: [{ id: 'bad-feedback', label: 'excellent' }] },
    });
    expect(response.statusCode).toBe(400);
    const error = (response.json() as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('TANDEM_FEEDBACK_INVALID');
    expect(error.message).toContain('feedback[0]');
    expect(error.message).toContain('"excellent"');
    expect((await monitoring(app)).performance.rows).toBe(4);
  });

  it('measures each version against its own profile across a label move and a hot reload', async () => {
    // A version whose training rows had Amount × 3: for it, shifted rows are the norm.
    const shiftedReference = reference.map((row) => ({ ...row, Amount: Number(row.Amount) * 3 }));
    const other = await writeProfiledVersion(artifacts, 'credit', 2, shiftedReference);
    await new FileModelStore(artifacts).setLabel('credit', 'production', other);
    await app.tandem.registry.reload();
    // Rows spread over the whole (ordered) file, shifted like that version's training rows.
    const shifted = rows
      .filter((_, i) => i % 3 === 0)
      .map((row) => ({ ...row, Amount: Number(row.Amount) * 3 }));
    await predict(app, shifted);
    const production = await monitoring(app);
    expect(production.model.version).toBe(other);
    expect(production.drift?.rowWindow.rows).toBe(667);
    expect(driftedColumns(production)).toEqual([]);
    // The first version keeps its own windows and verdict.
    const first = await monitoring(app, `/v1/models/credit/versions/${profiled}/monitoring`);
    expect(driftedColumns(first)).toEqual(['Amount']);
    const labelled = await monitoring(app, '/v1/models/credit/labels/production/monitoring');
    expect(labelled.model.version).toBe(other);
  });

  it('logs every answered row as NDJSON, and the counts add up', async () => {
    await app.close();
    const files = (await readdir(logFolder)).filter((f) => f.startsWith('segment-'));
    expect(files.length).toBeGreaterThan(0);
    let predictions = 0;
    let feedback = 0;
    const routes: Record<string, number> = {};
    for (const f of files) {
      for (const line of (await readFile(join(logFolder, f), 'utf8')).split('\n')) {
        if (line === '') continue;
        const event = JSON.parse(line) as { type: string; model: string; route?: string };
        expect(event.model).toBe('credit');
        if (event.type === 'prediction') {
          predictions++;
          routes[event.route as string] = (routes[event.route as string] ?? 0) + 1;
        } else feedback++;
      }
    }
    // Each protocol names itself: one row each from the protocol test, every other row native.
    expect(routes).toEqual({
      native: 4672,
      'native-csv': 1,
      'native-ndjson': 1,
      tfserving: 1,
      v2: 1,
    });
    // 2,000 + 2,000 + 4 protocol rows + 4 + 1 feedback-test rows + 667; 4 feedback events.
    expect(predictions).toBe(4676);
    expect(feedback).toBe(4);
  });
});
