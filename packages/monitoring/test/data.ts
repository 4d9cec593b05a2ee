import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inferSchema, type RawRow } from '@tandem/features';
import { parse } from 'csv-parse/sync';
import type { ProfileOutputs } from '../src/index.ts';

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
