import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { Explainer, type Predictor, predictorFromStoredVersion } from '@tandem/runtime';
import { parseText } from '@tandem/tabular';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreFile } from '../src/score-file.ts';
import { DATA, readCsvRecords, startCli, writeCreditModel } from './support.ts';

let work: string;
let artifacts: string;
let predictor: Predictor;
let input: string;
let rows: Record<string, unknown>[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tandem-explain-'));
  artifacts = join(work, 'artifacts');
  await writeCreditModel(artifacts);
  predictor = await predictorFromStoredVersion(
    await new FileModelStore(artifacts).readVersion('credit', 1),
  );
  const text = await readFile(join(DATA, 'credit.csv'), 'utf8');
  const lines = text.split('\n').slice(0, 301);
  lines[7] = lines[7]!.replace(/^([^,]*),([^,]*),/, '$1,lots,');
  input = join(work, 'in.csv');
  await writeFile(input, `${lines.join('\n')}\n`);
  rows = parseText(`${lines.join('\n')}\n`, 'csv').rows.map((row) => {
    const { Status: _, ...rest } = row as Record<string, unknown>;
    return rest;
  });
}, 120_000);

afterAll(async () => {
  predictor?.dispose();
  await rm(work, { recursive: true, force: true });
});

describe('score --explain', () => {
  it('adds the Explainer numbers per raw column, the same on worker threads', async () => {
    const expected = Explainer.of(predictor).explainBatch(rows, { errors: 'collect' });
    const outputs: string[] = [];
    for (const threads of [1, 2]) {
      const output = join(work, `out-${threads}.csv`);
      const summary = await scoreFile({
        predictor,
        input,
        output,
        explain: {},
        batchSize: 64,
        threads,
        waitForWorkers: true,
      });
      expect(summary.threads).toBe(threads);
      expect(summary.predictionColumns).toContain('contribution_Income');
      outputs.push(await readFile(output, 'utf8'));
    }
    expect(outputs[1]).toBe(outputs[0]);
    const records = await readCsvRecords(join(work, 'out-1.csv'));
    expect(records).toHaveLength(rows.length);
    records.forEach((record, r) => {
      const explanation = expected.explanations[r]![0];
      if (explanation === undefined) {
        expect(record.error).not.toBe('');
        expect(record.base_value).toBe('');
        return;
      }
      expect(record.explained_class).toBe(explanation.class);
      expect(Number(record.base_value)).toBe(explanation.baseValue);
      expect(Number(record.approximation_error)).toBe(explanation.approximationError);
      for (const [column, value] of Object.entries(explanation.contributions)) {
        expect(Number(record[`contribution_${column}`])).toBe(value);
      }
    });
    expect(expected.rejected).toEqual([6]);
  });

  it('writes the top K as column / contribution pairs (NDJSON), from the command line', async () => {
    const output = join(work, 'top.ndjson');
    const run = startCli([
      '--model',
      'credit',
      '--artifacts',
      artifacts,
      '--input',
      input,
      '--output',
      output,
      '--explain',
      '--top',
      '3',
      '--quiet',
    ]);
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const lines = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const expected = Explainer.of(predictor).explainBatch([rows[0]!]).explanations[0]![0]!;
    const ranked = Object.entries(expected.contributions).sort(
      (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
    );
    for (let i = 0; i < 3; i++) {
      expect(lines[0][`top${i + 1}_column`]).toBe(ranked[i]![0]);
      expect(lines[0][`top${i + 1}_contribution`]).toBe(ranked[i]![1]);
    }
    expect(lines[0].contribution_Income).toBeUndefined();
    const usage = await startCli([
      '--model',
      'credit',
      '--input',
      input,
      '--output',
      output,
      '--top',
      '2',
    ]).done;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--top needs --explain/);
  });
});
