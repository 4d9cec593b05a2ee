import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferSchema, type RawRow } from '@tandem/features';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll } from 'vitest';
import type { LogEvent, ProfileOutputs } from '../src/index.ts';

const DATA = fileURLToPath(new URL('../../../data/', import.meta.url));

export function readCsv(file: string): RawRow[] {
  return parse(readFileSync(`${DATA}${file}`, 'utf8'), { columns: true }) as RawRow[];
}

/** credit.csv cut in two interleaved halves: training rows (even) and test rows (odd). */
export function creditSplit(): {
  train: RawRow[];
  test: RawRow[];
  inputs: { name: string; type: 'numeric' | 'categorical' | 'boolean' | 'datetime' }[];
} {
  const rows = readCsv('credit.csv');
  const train = rows.filter((_, i) => i % 2 === 0);
  const test = rows.filter((_, i) => i % 2 === 1);
  const { spec } = inferSchema(train, { exclude: ['Status'] });
  return { train, test, inputs: spec.columns.map((c) => ({ name: c.name, type: c.type })) };
}

/** A deterministic stand-in for a binary classifier: a score from Income and Seniority. */
export function fakeScores(rows: readonly RawRow[]): Float32Array {
  const out = new Float32Array(rows.length * 2);
  rows.forEach((row, r) => {
    const income = Number(row.Income) || 0;
    const seniority = Number(row.Seniority) || 0;
    const p = 1 / (1 + Math.exp(-(income / 100 + seniority / 10 - 2)));
    out[r * 2] = 1 - p;
    out[r * 2 + 1] = p;
  });
  return out;
}

export function fakeOutputs(rows: readonly RawRow[]): ProfileOutputs {
  return { task: 'binary', classes: ['bad', 'good'], values: fakeScores(rows) };
}

/** A temporary folder for a describe block's tests: made before them, removed after. */
export function useTempFolder(prefix: string): () => string {
  let folder = '';
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  return () => folder;
}

/** Ground truth for row 0 of answer "a" of credit version 3. */
export const FEEDBACK: LogEvent = {
  type: 'feedback',
  id: 'a',
  row: 0,
  time: '2026-12-01T10:01:00.000Z',
  model: 'credit',
  version: 3,
  truth: 'bad',
};
