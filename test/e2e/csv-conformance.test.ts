import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { type Predictor, predictorFromStoredVersion } from '@tandem/runtime';
import { scoreFile } from '@tandem/scorer';
import { parseText } from '@tandem/tabular';
import { readTable, train } from '@tandem/trainer';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, listening, tempDir } from './support.ts';

/**
 * One dialect everywhere: the same tricky CSV and NDJSON texts go to every entry point that
 * reads tables (training data, the server's CSV and NDJSON routes, batch scoring), which must give
 * the same rows (hence the same predictions) or the same error message.
 */

let work: { dir: string; remove: () => Promise<void> };
let artifacts: string;
let app: FastifyInstance;
let url: string;
let predictor: Predictor;

const HEADER = [
  'Seniority',
  'Home',
  'Time',
  'Age',
  'Marital',
  'Records',
  'Job',
  'Expenses',
  'Income',
  'Assets',
  'Debt',
  'Amount',
  'Price',
];
const ROWS = [
  ['9', 'rent', '60', '30', 'married', 'no', 'freelance', '73', '129', '0', '0', '800', '846'],
  ['17', 'rent', '60', '58', 'widow', 'no', 'fixed', '48', '131', '0', '0', '1000', '1658'],
  [
    '10',
    'owner',
    '36',
    '46',
    'married',
    'yes',
    'freelance',
    '90',
    '200',
    '3000',
    '0',
    '2000',
    '2985',
  ],
  ['0', 'rent', '60', '24', 'single', 'no', 'fixed', '63', '', '', '0', '900', '1325'],
];

/** The rows as CSV with a BOM, CRLF line ends, blank lines and a quoted line break. */
function trickyCsv(): string {
  const lines = [HEADER.join(','), ...ROWS.map((row) => row.join(','))];
  // A quoted value holding a line break and a comma: an unseen category for every reader.
  lines.push(
    [
      '3',
      '"villa,\r\nsea view"',
      '48',
      '41',
      'married',
      'no',
      'fixed',
      '60',
      '150',
      '0',
      '0',
      '700',
      '900',
    ].join(','),
  );
  return `\ufeff${lines[0]}\r\n\r\n${lines.slice(1).join('\r\n')}\r\n\r\n`;
}

function trickyNdjson(): string {
  const objects = ROWS.map((row) => Object.fromEntries(HEADER.map((name, j) => [name, row[j]])));
  return `\ufeff${objects.map((o) => JSON.stringify(o)).join('\r\n')}\r\n\r\n`;
}

beforeAll(async () => {
  work = await tempDir('conformance');
  artifacts = join(work.dir, 'artifacts');
  const trained = await train({
    config: {
      name: 'credit',
      data: join(DATA, 'credit.csv'),
      target: 'Status',
      task: 'binary',
      model: { type: 'linear' },
      training: { epochs: 3 },
    },
    artifacts,
  });
  trained.predictor.dispose();
  predictor = await predictorFromStoredVersion(
    await new FileModelStore(artifacts).readVersion('credit', 1),
  );
  ({ app, url } = await listening(artifacts));
}, 240_000);

afterAll(async () => {
  predictor?.dispose();
  await app?.close();
  await work?.remove();
});

/** Training's reader: the rows as the trainer would learn from them, predicted in memory. */
async function viaTrainingReader(text: string, extension: string): Promise<number[]> {
  const file = join(work.dir, `train-input.${extension}`);
  await writeFile(file, text);
  const table = await readTable(file);
  return Array.from(predictor.predictBatch(table.rows).outputs);
}

async function viaServer(text: string, type: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/v1/models/credit/predict`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: text,
  });
  return { status: response.status, body: await response.text() };
}

async function viaScorer(text: string, extension: string): Promise<number[]> {
  const input = join(work.dir, `score-input.${extension}`);
  const output = join(work.dir, 'scored.ndjson');
  await writeFile(input, text);
  await scoreFile({ model: 'credit', artifacts, input, output, threads: 1 });
  const lines = (await readFile(output, 'utf8')).trim().split('\n');
  return lines.flatMap((line) => {
    const row = JSON.parse(line) as Record<string, number>;
    return [row['probability_bad'] as number, row['probability_good'] as number];
  });
}

function serverProbabilities(body: string, format: 'csv' | 'ndjson'): number[] {
  if (format === 'ndjson') {
    return body
      .trim()
      .split('\n')
      .flatMap((line) => {
        const p = (JSON.parse(line) as { probabilities: Record<string, number> }).probabilities;
        return [p['bad'] as number, p['good'] as number];
      });
  }
  // The echoed rows hold a quoted line break: read the answer with the shared dialect.
  return parseText(body, 'csv').rows.flatMap((row) => [
    Number(row['probability_bad']),
    Number(row['probability_good']),
  ]);
}

/**
 * The probabilities of the model on the rows the training reader gives (`values` of them, two
 * per row for the binary credit model), and the same from the server's route and batch scoring.
 */
async function expectSameEverywhere(
  text: string,
  format: 'csv' | 'ndjson',
  contentType: string,
  values: number,
): Promise<void> {
  const expected = await viaTrainingReader(text, format);
  expect(expected).toHaveLength(values);
  const server = await viaServer(text, contentType);
  expect(server.status).toBe(200);
  expect(serverProbabilities(server.body, format)).toEqual(expected);
  expect(await viaScorer(text, format)).toEqual(expected);
}

async function errorsFor(
  csv: string,
): Promise<{ training: string; server: string; scorer: string }> {
  const file = join(work.dir, 'bad.csv');
  await writeFile(file, csv);
  const training = await readTable(file).then(
    () => 'no error',
    (error: Error) => error.message,
  );
  const answer = await viaServer(csv, 'text/csv');
  expect(answer.status).toBe(400);
  const server = (JSON.parse(answer.body) as { error: { message: string } }).error.message;
  const scorer = await scoreFile({
    model: 'credit',
    artifacts,
    input: file,
    output: join(work.dir, 'bad-out.csv'),
    threads: 1,
  }).then(
    () => 'no error',
    (error: Error) => error.message,
  );
  return { training, server, scorer };
}

describe('one CSV and NDJSON dialect at every entry point', () => {
  it('reads a BOM, CRLF line ends, blank lines and a quoted line break to the same rows', async () => {
    await expectSameEverywhere(trickyCsv(), 'csv', 'text/csv', 2 * (ROWS.length + 1));
  }, 60_000);

  it('reads NDJSON with a BOM, CRLF line ends and blank lines to the same rows', async () => {
    await expectSameEverywhere(trickyNdjson(), 'ndjson', 'application/x-ndjson', 2 * ROWS.length);
  }, 60_000);

  it('refuses a padded header name (" Income") with the same message everywhere', async () => {
    const padded = HEADER.map((name) => (name === 'Income' ? ' Income' : name));
    const csv = `${padded.join(',')}\n${(ROWS[0] as string[]).join(',')}\n`;
    const { training, server, scorer } = await errorsFor(csv);
    const message = `line 1: the CSV header's column 9, " Income", has spaces around its name: rename it "Income"`;
    expect(training).toContain(message);
    expect(server).toContain(message);
    expect(scorer).toContain(message);
  }, 60_000);

  it('refuses a header that names a column twice with the same message everywhere', async () => {
    const twice = [...HEADER, 'Age'];
    const csv = `${twice.join(',')}\n${[...(ROWS[0] as string[]), '30'].join(',')}\n`;
    const { training, server, scorer } = await errorsFor(csv);
    const message = 'line 1: the CSV header names column "Age" twice';
    expect(training).toContain(message);
    expect(server).toContain(message);
    expect(scorer).toContain(message);
  }, 60_000);

  it('refuses a header that lacks a column the model reads, naming it and the closest name', async () => {
    const misspelt = HEADER.map((name) => (name === 'Income' ? 'Incme' : name));
    const csv = `${misspelt.join(',')}\n${(ROWS[0] as string[]).join(',')}\n`;
    const { server, scorer } = await errorsFor(csv);
    const message = 'the CSV header lacks column "Income"; the closest header name is "Incme"';
    expect(server).toContain(message);
    expect(scorer).toContain(message);
  }, 60_000);

  it('refuses an input column named like a prediction column at the server and in batch scoring', async () => {
    const csv = `${[...HEADER, 'label'].join(',')}\n${[...(ROWS[0] as string[]), 'x'].join(',')}\n`;
    const { server, scorer } = await errorsFor(csv);
    expect(server).toMatch(/"label"/);
    expect(scorer).toMatch(/"label"/);
  }, 60_000);
});
