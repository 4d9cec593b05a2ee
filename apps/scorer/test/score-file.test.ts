import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RawRow } from '@tandem/features';
import { CARS, writeFixtureVersion } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScorerError } from '../src/errors.ts';
import { scoreFile } from '../src/score-file.ts';
import { DATA, readCsvRecords, useCreditBench, writeCreditModel } from './support.ts';

const bench = useCreditBench('tandem-score-');
/** The first 300 rows of credit.csv, filled in once the bench is open. */
const sourceRows: string[][] = [];
beforeAll(() => {
  sourceRows.push(...bench.rows.slice(0, 300));
});

function csvOf(rows: readonly (readonly string[])[]): string {
  return `${[bench.header, ...rows].map((row) => row.join(',')).join('\n')}\n`;
}

function objectOf(row: readonly string[]): Record<string, string> {
  return Object.fromEntries(bench.header.map((name, j) => [name, row[j] ?? '']));
}

/** What the server's Predictor says for these rows: the reference every output is held to. */
function expected(rows: readonly RawRow[]): { label: string; probabilities: number[] }[] {
  const batch = bench.predictor.predictBatch(rows, { errors: 'collect' });
  const classes = bench.predictor.classes ?? [];
  return rows.map((_, i) => {
    const probabilities = Array.from(batch.outputs.subarray(i * 2, i * 2 + 2));
    const best = (probabilities[1] as number) > (probabilities[0] as number) ? 1 : 0;
    return { label: classes[best] as string, probabilities };
  });
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

describe('scoreFile', () => {
  it('writes the input columns plus label and one probability per class, in input order', async () => {
    const dir = await mkdtemp(join(bench.work, 'csv-'));
    const input = join(dir, 'in.csv');
    await writeFile(input, csvOf(sourceRows));
    const summary = await scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input,
      output: join(dir, 'out.csv'),
    });

    expect(summary).toMatchObject({
      rows: 300,
      scored: 300,
      rejected: 0,
      model: { name: 'credit', version: 1 },
    });
    expect(summary.predictionColumns).toEqual(['label', 'probability_bad', 'probability_good']);
    const out = parse(await readFile(join(dir, 'out.csv'), 'utf8')) as string[][];
    expect(out[0]).toEqual([
      ...bench.header,
      'label',
      'probability_bad',
      'probability_good',
      'error',
    ]);
    const reference = expected(sourceRows.map(objectOf));
    out.slice(1).forEach((row, i) => {
      expect(row.slice(0, bench.header.length)).toEqual(sourceRows[i]);
      const [label, bad, good, error] = row.slice(bench.header.length);
      expect(label).toBe(reference[i]?.label);
      // The text is the float32 value's exact double: it parses back to the same number.
      expect([Number(bad), Number(good)]).toEqual(reference[i]?.probabilities);
      expect(error).toBe('');
    });
    expect(await files(dir)).toEqual(['in.csv', 'out.csv']);
  });

  it('gives the same predictions whichever of CSV and NDJSON goes in and comes out', async () => {
    const dir = await mkdtemp(join(bench.work, 'formats-'));
    const rows = sourceRows.slice(0, 50);
    await writeFile(join(dir, 'in.csv'), csvOf(rows));
    // NDJSON carries numbers as numbers: the features read both the same way.
    const typed = rows.map((row) => {
      const object: Record<string, unknown> = objectOf(row);
      for (const [key, value] of Object.entries(object)) {
        if (value !== '' && Number.isFinite(Number(value))) object[key] = Number(value);
      }
      return object;
    });
    await writeFile(join(dir, 'in.ndjson'), `${typed.map((o) => JSON.stringify(o)).join('\n')}\n`);
    const reference = expected(rows.map(objectOf));

    for (const [input, output] of [
      ['in.csv', 'csv-to.ndjson'],
      ['in.ndjson', 'ndjson-to.csv'],
      ['in.ndjson', 'ndjson-to.jsonl'],
    ] as const) {
      await scoreFile({
        model: 'credit',
        artifacts: bench.artifacts,
        input: join(dir, input),
        output: join(dir, output),
      });
    }
    const csvOut = await readCsvRecords(join(dir, 'ndjson-to.csv'));
    const fromCsv = (await readFile(join(dir, 'csv-to.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const fromNdjson = (await readFile(join(dir, 'ndjson-to.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

    reference.forEach((want, i) => {
      const probabilities = [want.probabilities[0], want.probabilities[1]];
      expect([
        Number(csvOut[i]?.['probability_bad']),
        Number(csvOut[i]?.['probability_good']),
      ]).toEqual(probabilities);
      expect(csvOut[i]?.['label']).toBe(want.label);
      expect(csvOut[i]?.['Income']).toBe(rows[i]?.[bench.header.indexOf('Income')]);
      for (const object of [fromCsv[i], fromNdjson[i]]) {
        expect([object.probability_bad, object.probability_good]).toEqual(probabilities);
        expect(object.label).toBe(want.label);
        expect(object.error).toBeNull();
      }
      expect(fromCsv[i]).toMatchObject(objectOf(rows[i] ?? []));
      expect(fromNdjson[i]).toMatchObject(typed[i] ?? {});
    });
  });

  it('keeps order across many chunks', async () => {
    const dir = await mkdtemp(join(bench.work, 'order-'));
    const rows = Array.from(
      { length: 2000 },
      (_, i) => sourceRows[i % sourceRows.length] as string[],
    );
    // A running id makes any reordering visible.
    const withId = rows.map((row, i) => [...row.slice(0, -1), String(1000 + i)]);
    await writeFile(join(dir, 'in.csv'), csvOf(withId));
    const summary = await scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      batchSize: 97,
    });
    expect(summary.rows).toBe(2000);
    const out = await readCsvRecords(join(dir, 'out.csv'));
    expect(out.map((row) => Number(row['Price']))).toEqual(withId.map((_, i) => 1000 + i));
    const reference = expected(withId.map(objectOf));
    expect(out.map((row) => Number(row['probability_good']))).toEqual(
      reference.map((r) => r.probabilities[1]),
    );
  });

  it('writes bad rows to the rejects file with line and reason, and scores the others', async () => {
    const dir = await mkdtemp(join(bench.work, 'rejects-'));
    const good = sourceRows.slice(0, 5).map((row) => row.join(','));
    const badValue = [...(sourceRows[5] as string[])];
    badValue[bench.header.indexOf('Income')] = 'lots';
    const lines = [
      bench.header.join(','),
      good[0],
      good[1],
      badValue.join(','),
      good[2],
      'too,few',
      good[3],
      good[4],
    ];
    await writeFile(join(dir, 'in.csv'), `${lines.join('\n')}\n`);

    const summary = await scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      rejects: join(dir, 'rejects.csv'),
    });
    expect(summary).toMatchObject({ rows: 7, scored: 5, rejected: 2 });
    const rejects = await readCsvRecords(join(dir, 'rejects.csv'));
    expect(rejects.map((r) => r['line'])).toEqual(['4', '6']);
    expect(rejects[0]?.['reason']).toMatch(/Income/);
    expect(rejects[0]?.['reason']).toMatch(/lots/);
    expect(rejects[0]?.['row']).toBe(badValue.join(','));
    expect(rejects[1]).toEqual({
      line: '6',
      reason: `expected ${bench.header.length} fields, got 2`,
      row: 'too,few',
    });
    const out = parse(await readFile(join(dir, 'out.csv'), 'utf8')) as string[][];
    expect(out[0]).not.toContain('error');
    expect(out.slice(1).map((row) => row.slice(0, bench.header.length))).toEqual(
      sourceRows.slice(0, 5),
    );
  });

  it('without a rejects file, keeps bad rows in place with an error and no prediction', async () => {
    const dir = await mkdtemp(join(bench.work, 'error-column-'));
    const badValue = [...(sourceRows[1] as string[])];
    badValue[bench.header.indexOf('Age')] = 'old';
    await writeFile(
      join(dir, 'in.csv'),
      csvOf([sourceRows[0] as string[], badValue, sourceRows[2] as string[]]),
    );
    const summary = await scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
    });
    expect(summary).toMatchObject({ rows: 3, scored: 2, rejected: 1 });
    const out = await readCsvRecords(join(dir, 'out.csv'));
    expect(out.map((row) => row['Age'])).toEqual([sourceRows[0]?.[4], 'old', sourceRows[2]?.[4]]);
    expect(out[1]).toMatchObject({ label: '', probability_bad: '', probability_good: '' });
    expect(out[1]?.['error']).toMatch(/"Age".*old/);
    expect(out[0]?.['error']).toBe('');
    expect(out[2]?.['label']).not.toBe('');
  });

  it('with strict, stops at the first bad row, names its line and writes nothing', async () => {
    const dir = await mkdtemp(join(bench.work, 'strict-'));
    const badValue = [...(sourceRows[3] as string[])];
    badValue[bench.header.indexOf('Amount')] = 'n/a';
    const rows = [...sourceRows.slice(0, 3), badValue, ...sourceRows.slice(4, 20)];
    await writeFile(join(dir, 'in.csv'), csvOf(rows));
    const run = scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      rejects: join(dir, 'rejects.csv'),
      strict: true,
    });
    await expect(run).rejects.toThrow(ScorerError);
    await expect(run).rejects.toMatchObject({ code: 'TANDEM_SCORE_ROW_INVALID' });
    await expect(run).rejects.toThrow(/^line 5: column "Amount"/);
    expect(await files(dir)).toEqual(['in.csv']);
  });

  it('stops when aborted and leaves neither output nor temporary file', async () => {
    const dir = await mkdtemp(join(bench.work, 'abort-'));
    await writeFile(
      join(dir, 'in.csv'),
      csvOf(Array.from({ length: 5000 }, (_, i) => sourceRows[i % 300] as string[])),
    );
    const controller = new AbortController();
    const run = scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      batchSize: 100,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.rows >= 1000) controller.abort('SIGTERM');
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'TANDEM_SCORE_INTERRUPTED' });
    expect(await files(dir)).toEqual(['in.csv']);
  });

  it('refuses input columns that would shadow a prediction column', async () => {
    const dir = await mkdtemp(join(bench.work, 'clash-'));
    await writeFile(join(dir, 'in.csv'), `label,Age\nx,30\n`);
    await expect(
      scoreFile({
        model: 'credit',
        artifacts: bench.artifacts,
        input: join(dir, 'in.csv'),
        output: join(dir, 'out.csv'),
      }),
    ).rejects.toMatchObject({ code: 'TANDEM_SCORE_COLUMN_CLASH' });
    expect(await files(dir)).toEqual(['in.csv']);
  });

  it('refuses an output or rejects path that is a directory before scoring, and an input that is one', async () => {
    const dir = await mkdtemp(join(bench.work, 'folders-'));
    await writeFile(join(dir, 'in.csv'), csvOf(sourceRows.slice(0, 5)));
    await mkdir(join(dir, 'out.csv'));
    await mkdir(join(dir, 'in-folder.csv'));
    const score = (paths: { input: string; output: string; rejects?: string }) =>
      scoreFile({ model: 'credit', artifacts: bench.artifacts, ...paths });
    await expect(
      score({ input: join(dir, 'in.csv'), output: join(dir, 'out.csv') }),
    ).rejects.toMatchObject({
      code: 'TANDEM_SCORE_OUTPUT_FAILED',
      message: `cannot write ${join(dir, 'out.csv')}: it is a directory`,
    });
    await expect(
      score({
        input: join(dir, 'in.csv'),
        output: join(dir, 'scored.csv'),
        rejects: join(dir, 'out.csv'),
      }),
    ).rejects.toMatchObject({ code: 'TANDEM_SCORE_OUTPUT_FAILED' });
    await expect(
      score({ input: join(dir, 'in-folder.csv'), output: join(dir, 'scored.csv') }),
    ).rejects.toMatchObject({
      code: 'TANDEM_SCORE_INPUT_NOT_FOUND',
      message: `cannot read input ${join(dir, 'in-folder.csv')}: it is a directory`,
    });
    expect(await files(dir)).toEqual(['in-folder.csv', 'in.csv', 'out.csv']);
  });

  it('writes just the header for an input with no rows, and fails clearly on a missing input', async () => {
    const dir = await mkdtemp(join(bench.work, 'empty-'));
    await writeFile(join(dir, 'in.csv'), `${bench.header.join(',')}\n`);
    const summary = await scoreFile({
      model: 'credit',
      artifacts: bench.artifacts,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      rejects: join(dir, 'r.csv'),
    });
    expect(summary.rows).toBe(0);
    expect(await readFile(join(dir, 'out.csv'), 'utf8')).toBe(
      `${bench.header.join(',')},label,probability_bad,probability_good\n`,
    );
    expect(await readFile(join(dir, 'r.csv'), 'utf8')).toBe('line,reason,row\n');
    await expect(
      scoreFile({
        model: 'credit',
        artifacts: bench.artifacts,
        input: join(dir, 'nope.csv'),
        output: join(dir, 'x.csv'),
      }),
    ).rejects.toMatchObject({ code: 'TANDEM_SCORE_INPUT_NOT_FOUND' });
    await expect(
      scoreFile({
        model: 'credit@7',
        artifacts: bench.artifacts,
        input: join(dir, 'in.csv'),
        output: join(dir, 'x.csv'),
      }),
    ).rejects.toMatchObject({ code: 'TANDEM_VERSION_NOT_FOUND' });
    expect(await files(dir)).toEqual(['in.csv', 'out.csv', 'r.csv']);
  });
});

describe('scoreFile with a regressor', () => {
  it('appends one value column, on the target scale, equal to the predictor output', async () => {
    const dir = await mkdtemp(join(bench.work, 'regression-'));
    await writeFixtureVersion(bench.artifacts, { ...CARS, seed: 5 });
    const lines = (await readFile(join(DATA, 'cars.csv'), 'utf8')).trim().split('\n');
    await writeFile(join(dir, 'cars.csv'), `${lines.slice(0, 41).join('\n')}\n`);
    const summary = await scoreFile({
      model: 'cars',
      artifacts: bench.artifacts,
      input: join(dir, 'cars.csv'),
      output: join(dir, 'out.jsonl'),
    });
    expect(summary.predictionColumns).toEqual(['value']);
    const out = (await readFile(join(dir, 'out.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const store = new FileModelStore(bench.artifacts);
    const regressor = await predictorFromStoredVersion(await store.readVersion('cars', 1));
    const rows = parse(`${lines.slice(0, 41).join('\n')}\n`, { columns: true }) as RawRow[];
    const batch = regressor.predictBatch(rows, { errors: 'collect' });
    regressor.dispose();
    expect(out.map((row) => row.value)).toEqual(Array.from(batch.outputs));
    // Miles per gallon, not standardized units.
    const mean = out.reduce((sum, row) => sum + row.value, 0) / out.length;
    expect(mean).toBeGreaterThan(8);
    expect(mean).toBeLessThan(40);
  }, 60_000);
});

describe('scoreFile with a value that overflows float32', () => {
  it('rejects the row whose output is not finite instead of writing NaN', async () => {
    const dir = await mkdtemp(join(bench.work, 'overflow-'));
    const store = join(dir, 'artifacts');
    await writeCreditModel(store);
    const header =
      'Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price';
    const good = '9,rent,60,30,married,no,freelance,73,129,0,0,800,846';
    const huge = '9,rent,60,30,married,no,freelance,1e41,129,0,0,800,846';
    await writeFile(join(dir, 'in.csv'), `${header}\n${good}\n${huge}\n`);
    const summary = await scoreFile({
      model: 'credit',
      artifacts: store,
      input: join(dir, 'in.csv'),
      output: join(dir, 'out.csv'),
      rejects: join(dir, 'rejects.csv'),
    });
    expect(summary).toMatchObject({ rows: 2, scored: 1, rejected: 1 });
    const out = await readCsvRecords(join(dir, 'out.csv'));
    expect(out).toHaveLength(1);
    expect(Number(out[0]?.['probability_good'])).toBeGreaterThan(0);
    const rejects = await readCsvRecords(join(dir, 'rejects.csv'));
    expect(rejects).toEqual([
      { line: '3', reason: 'the model produced a value that is not a finite number', row: huge },
    ]);
  });
});
