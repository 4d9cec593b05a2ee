import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { csvField } from '@tandem/tabular';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScoreFileOptions, scoreFile } from '../src/score-file.ts';
import {
  awkwardCreditCsv,
  REPO_ROOT,
  readCsvRecords,
  startCli,
  useCreditBench,
} from './support.ts';

// Parquet and PostgreSQL outputs hold the CSV output's values, value by value: text as text,
// numbers as the same doubles, an empty field as null.

const bench = useCreditBench('tandem-sinks-');

/** Columns that hold numbers in the table outputs: the probabilities. */
const isNumeric = (name: string) => name.startsWith('probability_');

/** Holds table rows (objects) to the CSV output's records, column by column. */
function expectSameValues(
  table: readonly Record<string, unknown>[],
  csv: readonly Record<string, string>[],
): void {
  expect(table.length).toBe(csv.length);
  const names = Object.keys(csv[0] ?? {});
  let numbers = 0;
  csv.forEach((record, i) => {
    const row = table[i] as Record<string, unknown>;
    expect(Object.keys(row).length, `row ${i}`).toBe(names.length);
    for (const name of names) {
      const text = record[name] as string;
      const expected = text === '' ? null : isNumeric(name) ? Number(text) : text;
      if (typeof expected === 'number') numbers++;
      expect(row[name], `row ${i}, ${name}`).toBe(expected);
    }
  });
  expect(numbers).toBeGreaterThan(csv.length);
}

/** `count` awkward credit rows in `<name>.csv`, and the records of their CSV output. */
async function awkwardInput(name: string, count: number, options: Partial<ScoreFileOptions> = {}) {
  const input = join(bench.work, `${name}.csv`);
  await writeFile(input, awkwardCreditCsv(bench.header, bench.rows, count));
  const output = join(bench.work, `${name}-expected.csv`);
  await scoreFile({ predictor: bench.predictor, batchSize: 64, ...options, input, output });
  return { input, csv: await readCsvRecords(output) };
}

describe('Parquet output', () => {
  it('holds the CSV output value by value, rejected rows (error column) included', async () => {
    const { input, csv } = await awkwardInput('parquet-in', 2000);
    const output = join(bench.work, 'scored.parquet');
    const summary = await scoreFile({
      predictor: bench.predictor,
      input,
      output,
      batchSize: 64,
    });
    expect(summary.outputFormat).toBe('parquet');
    const file = await asyncBufferFromFile(output);
    const rows = await parquetReadObjects({ file });
    expect(csv.filter((r) => r['error'] !== '').length).toBe(summary.rejected);
    expect(summary.rejected).toBeGreaterThan(10);
    expectSameValues(rows, csv);
    // Typed columns: probabilities are doubles, the rest UTF-8 strings, every one nullable.
    const { schema } = await parquetMetadataAsync(file);
    expect(Object.fromEntries(schema.slice(1).map((e) => [e.name, e.type]))).toMatchObject({
      probability_good: 'DOUBLE',
      label: 'BYTE_ARRAY',
      Income: 'BYTE_ARRAY',
    });
  }, 120_000);

  it('writes one Parquet file per shard, whose rows in shard order are the full run', async () => {
    const { input, csv } = await awkwardInput('parquet-shards', 900);
    const rows: Record<string, unknown>[] = [];
    for (let index = 0; index < 3; index++) {
      const summary = await scoreFile({
        predictor: bench.predictor,
        input,
        output: join(bench.work, 'part-{shard}.parquet'),
        shard: { index, count: 3 },
        batchSize: 64,
      });
      expect(summary.output).toBe(join(bench.work, `part-0000${index}.parquet`));
      const file = await asyncBufferFromFile(summary.output);
      rows.push(...(await parquetReadObjects({ file })));
    }
    expectSameValues(rows, csv);
  }, 120_000);
});

describe('Parquet input (@tandem/sources)', () => {
  it('scores a typed Parquet file as the same rows in CSV: the same output records', async () => {
    const rows = bench.rows.slice(0, 1000);
    const numeric = new Set(['Seniority', 'Time', 'Age', 'Expenses', 'Income', 'Assets', 'Debt']);
    const columnData = bench.header.map((name, j) => ({
      name,
      data: rows.map((row) => {
        const text = row[j] ?? '';
        return text === '' ? null : numeric.has(name) ? Number(text) : text;
      }),
      type: numeric.has(name) ? ('DOUBLE' as const) : ('STRING' as const),
    }));
    const input = join(bench.work, 'in.parquet');
    parquetWriteFile({ filename: input, columnData, rowGroupSize: 300 });
    const csvInput = join(bench.work, 'same-rows.csv');
    await writeFile(csvInput, `${[bench.header, ...rows].map((r) => r.join(',')).join('\n')}\n`);
    const fromCsv = join(bench.work, 'from-csv.csv');
    const fromParquet = join(bench.work, 'from-parquet.csv');
    await scoreFile({ predictor: bench.predictor, input: csvInput, output: fromCsv });
    const summary = await scoreFile({ predictor: bench.predictor, input, output: fromParquet });
    expect(summary.rows).toBe(1000);
    const expected = await readCsvRecords(fromCsv);
    expect(await readCsvRecords(fromParquet)).toEqual(expected);
    expect(expected.filter((r) => r['label'] === 'bad').length).toBeGreaterThan(50);
  }, 120_000);
});

describe('PostgreSQL output', () => {
  let url: string;
  let stop: () => void = () => {};
  let db: pg.Client;

  beforeAll(async () => {
    ({ url, stop } = await startPostgres());
    db = new pg.Client({ connectionString: url });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    stop();
  });

  // A table has no order: its rows and the CSV output's are compared sorted the same way.
  const tableRows = async (table: string) =>
    sorted((await db.query(`SELECT * FROM ${table}`)).rows as Record<string, unknown>[]);
  const sortedCsv = (records: Record<string, string>[]) =>
    sorted(records).map((r) => r as Record<string, string>);

  it('appends the rows with COPY: the table equals the CSV output value by value', async () => {
    const { input, csv } = await awkwardInput('pg-in', 1500);
    const summary = await scoreFile({
      predictor: bench.predictor,
      input,
      output: `${url}?table=scored`,
      batchSize: 64,
    });
    expect(summary.outputFormat).toBe('postgres');
    expect(summary.output).toContain('table scored at postgres://');
    expectSameValues(await tableRows('scored'), sortedCsv(csv));
    const { rows } = await db.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'scored'",
    );
    expect(Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]))).toMatchObject({
      probability_bad: 'double precision',
      Income: 'text',
    });
  }, 120_000);

  it('shards append to one table (connection from an environment variable): all the rows', async () => {
    const { input, csv } = await awkwardInput('pg-shards', 700, {
      rejects: join(bench.work, 'r.csv'),
    });
    for (let index = 0; index < 3; index++) {
      await scoreFile({
        predictor: bench.predictor,
        input,
        output: '',
        outputTable: 'public.sharded',
        outputPostgres: 'SCORES_DB',
        env: { SCORES_DB: url },
        rejects: join(bench.work, 'pg-rejects-{shard}.csv'),
        shard: { index, count: 3 },
        batchSize: 64,
      });
    }
    expectSameValues(await tableRows('sharded'), sortedCsv(csv));
  }, 120_000);

  it('a COPY that fails late leaves no row of the run and reports TANDEM_SCORE_TABLE_FAILED', async () => {
    // Income is an integer column here: the text "lots" at row 1,800 cannot go in.
    const lines = [bench.header.join(',')];
    const income = bench.header.indexOf('Income');
    for (let i = 0; i < 2000; i++) {
      const row = [...(bench.rows[i % bench.rows.length] as string[])];
      if (i === 1800) row[income] = 'lots';
      lines.push(row.join(','));
    }
    const input = join(bench.work, 'pg-late.csv');
    await writeFile(input, `${lines.join('\n')}\n`);
    const columns = bench.header.map((n) => `"${n}" ${n === 'Income' ? 'integer' : 'text'}`);
    await db.query(
      `CREATE TABLE late (${columns.join(', ')}, label text, probability_bad double precision, probability_good double precision, error text)`,
    );
    await db.query('INSERT INTO late ("Status") VALUES (\'kept\')');
    const attempt = scoreFile({
      predictor: bench.predictor,
      input,
      output: `${url}?table=late`,
      batchSize: 64,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'TANDEM_SCORE_TABLE_FAILED',
      message: expect.stringMatching(
        /^table late at postgres:\/\/.*: cannot copy the rows: invalid input syntax for type integer: "lots".*rolled back/,
      ),
    });
    // The row that was there stays; none of the 1,800 rows copied before the failure does.
    expect((await tableRows('late')).map((r) => r['Status'])).toEqual(['kept']);
  }, 120_000);

  it('scores the rows of a query (input) as the same rows in CSV', async () => {
    const { csv } = await awkwardInput('pg-query', 600);
    const columns = bench.header.map((n) => `"${n}"`).join(', ');
    const types = bench.header.map((n) => `"${n}" text`).join(', ');
    await db.query(`CREATE TABLE applicants (n integer, ${types})`);
    // Rows that CSV scoring cannot parse have no place in a table: the good ones go in.
    const good = csv.filter((r) => r['error'] === '');
    const copy = db.query(copyFrom('COPY applicants FROM STDIN WITH (FORMAT csv)'));
    await pipeline(
      Readable.from(
        good.map((r, i) => `${i},${bench.header.map((n) => csvField(r[n] ?? '')).join(',')}\n`),
      ),
      copy,
    );
    const output = join(bench.work, 'from-query.csv');
    const summary = await scoreFile({
      predictor: bench.predictor,
      input: [],
      inputQuery: {
        postgres: 'APPLICANTS_DB',
        query: `SELECT ${columns} FROM applicants ORDER BY n`,
      },
      env: { APPLICANTS_DB: url },
      output,
    });
    expect(summary.rows).toBe(good.length);
    expect(summary.input).toBe(
      `postgres $APPLICANTS_DB: SELECT ${columns} FROM applicants ORDER BY n`,
    );
    const scored = await readCsvRecords(output);
    const strip = (r: Record<string, string>) => {
      const { error: _error, ...rest } = r;
      return rest;
    };
    expect(scored.map(strip)).toEqual(good.map(strip));
  }, 120_000);

  it('npm run score -- --output-table with --output-postgres <VAR>, and --output-format parquet', async () => {
    const { input, csv } = await awkwardInput('pg-cli', 200);
    const args = ['--model', 'credit', '-a', bench.artifacts, '--input', input, '--quiet'];
    const table = await startCli(
      [...args, '--output-table', 'from_cli', '--output-postgres', 'SCORES_DB'],
      { env: { SCORES_DB: url } },
    ).done;
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('-> table from_cli at $SCORES_DB');
    expectSameValues(await tableRows('from_cli'), sortedCsv(csv));
    const output = join(bench.work, 'cli.out');
    const parquet = await startCli([...args, '--output', output, '--output-format', 'parquet'])
      .done;
    expect(parquet.code, parquet.stderr).toBe(0);
    expectSameValues(await parquetReadObjects({ file: await asyncBufferFromFile(output) }), csv);
    const lonely = await startCli([...args, '--output', output, '--output-postgres', 'X']).done;
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain('--output-postgres needs --output-table');
  }, 120_000);

  it('names a missing environment variable, and refuses a bad table name', async () => {
    const base = { predictor: bench.predictor, input: join(REPO_ROOT, 'data', 'credit.csv') };
    await expect(
      scoreFile({ ...base, output: '', outputTable: 't', outputPostgres: 'NO_SUCH_DB', env: {} }),
    ).rejects.toThrow('--output-postgres NO_SUCH_DB: the environment variable is not set');
    await expect(scoreFile({ ...base, output: `${url}?table=a;drop` })).rejects.toThrow(
      /--output-table must be <table> or <schema>.<table>/,
    );
  });
});

/** Rows in one order whatever order they came in: by their values, as text, column by column. */
function sorted<T extends Record<string, unknown>>(rows: T[]): T[] {
  const key = (row: T) =>
    JSON.stringify(Object.values(row).map((v) => (v === null ? '' : String(v))));
  return rows
    .map((row) => ({ row, key: key(row) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => e.row);
}

/**
 * The PostgreSQL CI started (TANDEM_TEST_POSTGRES_URL), else a throwaway cluster of this file's
 * own, started with the monitoring package's script: never skipped, so a machine without
 * PostgreSQL 15 fails here rather than passing without the tests.
 */
async function startPostgres(): Promise<{ url: string; stop: () => void }> {
  const given = process.env['TANDEM_TEST_POSTGRES_URL'];
  if (given !== undefined && given !== '') {
    // A database of this run's own on the shared server: table names cannot collide.
    const name = `tandem_scorer_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: given });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(given);
    url.pathname = `/${name}`;
    return { url: url.toString(), stop: () => {} };
  }
  const cluster = (...args: string[]) =>
    execFileSync(
      'bash',
      [join(REPO_ROOT, 'packages/monitoring/scripts/postgres-cluster.sh'), ...args],
      {
        encoding: 'utf8',
      },
    );
  const [url = '', folder = ''] = cluster('start').trim().split(' ');
  return { url, stop: () => void cluster('stop', folder) };
}
