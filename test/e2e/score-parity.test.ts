import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreFile } from '@tandem/scorer';
import { train } from '@tandem/trainer';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listening } from './support.ts';

/**
 * Batch scoring and the server give the same predictions: a CSV of the credit test rows is
 * scored with scoreFile, and the same rows are sent to a server listening on a loopback port,
 * as JSON instances and as a CSV body. Rows with missing values and with a category never seen in
 * training are included.
 */
const root = join(import.meta.dirname, '..', '..');
let work: string;
let app: FastifyInstance;
let url: string;
let columns: string[];
let csvRows: Record<string, string>[];
let scored: Record<string, string>[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tandem-score-parity-'));
  const artifacts = join(work, 'artifacts');
  const trained = await train({
    config: {
      name: 'credit',
      data: join(root, 'data', 'credit.csv'),
      target: 'Status',
      task: 'binary',
      model: { type: 'mlp', hidden: [16] },
      training: { epochs: 10 },
    },
    artifacts,
  });
  trained.predictor.dispose();

  // The test rows as a CSV file: missing values are empty fields.
  columns = Object.keys(trained.testRows[0] ?? {});
  const rows = trained.testRows.map((row) =>
    Object.fromEntries(
      columns.map((c) => [c, row[c] === null || row[c] === undefined ? '' : String(row[c])]),
    ),
  );
  // A few rows a client could send: an unseen category, and values missing on purpose.
  rows.push({ ...(rows[0] as Record<string, string>), Home: 'castle', Job: 'astronaut' });
  rows.push({ ...(rows[1] as Record<string, string>), Income: '', Assets: '', Marital: '' });
  csvRows = rows;
  const input = join(work, 'test-rows.csv');
  await writeFile(input, stringify(rows, { header: true, columns }));
  expect(rows.some((row) => row['Income'] === '')).toBe(true);

  const summary = await scoreFile({
    model: 'credit',
    artifacts,
    input,
    output: join(work, 'scored.csv'),
  });
  expect(summary).toMatchObject({ rows: rows.length, rejected: 0 });
  scored = parse(await readFile(join(work, 'scored.csv'), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];

  ({ app, url } = await listening(artifacts, ['--host', '127.0.0.1']));
}, 180_000);

afterAll(async () => {
  await app?.close();
  await rm(work, { recursive: true, force: true });
});

interface ClassPrediction {
  label: string;
  probabilities: Record<string, number>;
}

describe('batch scoring and the server', () => {
  it('give identical predictions for the same rows sent as JSON instances', async () => {
    // As a JSON client sends them: numbers as numbers, missing as null.
    const instances = csvRows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [
          key,
          value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : value,
        ]),
      ),
    );
    const response = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      model: { version: number };
      predictions: ClassPrediction[];
    };
    expect(body.model.version).toBe(1);
    expect(body.predictions).toHaveLength(scored.length);
    body.predictions.forEach((prediction, i) => {
      const row = scored[i] as Record<string, string>;
      expect(row['label']).toBe(prediction.label);
      expect(Number(row['probability_bad'])).toBe(prediction.probabilities['bad']);
      expect(Number(row['probability_good'])).toBe(prediction.probabilities['good']);
    });
  });

  it('give identical predictions for the same CSV bytes sent to the CSV route', async () => {
    const response = await fetch(`${url}/v1/models/credit/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: await readFile(join(work, 'test-rows.csv')),
    });
    expect(response.status).toBe(200);
    const served = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(served).toHaveLength(scored.length);
    served.forEach((row, i) => {
      const mine = scored[i] as Record<string, string>;
      for (const column of columns) expect(mine[column]).toBe(row[column]);
      expect(mine['label']).toBe(row['label']);
      expect(Number(mine['probability_bad'])).toBe(Number(row['probability_bad']));
      expect(Number(mine['probability_good'])).toBe(Number(row['probability_good']));
    });
  });
});
