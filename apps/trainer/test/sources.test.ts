import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startS3TestServer } from '@tandem/model-store/testing';
import { parquetWriteFile } from 'hyparquet-writer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../src/config/types.ts';
import { readTable } from '../src/data/read.ts';
import { runGate } from '../src/gate/run-gate.ts';
import { train } from '../src/train/run.ts';
import { postgresForTests } from './sources-servers.ts';
import { DATA, tempDir } from './support.ts';

// Training credit from PostgreSQL, from Parquet (local and s3://) and from the CSV gives the same
// version: features.json byte for byte, every test metric value for value.

const CSV = path.join(DATA, 'credit.csv');
const INTEGER = ['Seniority', 'Time', 'Age', 'Expenses', 'Amount', 'Price'];

const postgres = postgresForTests();
const s3 = await startS3TestServer();

function config(data: TrainConfig['data']): TrainConfig {
  return {
    name: 'credit',
    data,
    target: 'Status',
    task: 'binary',
    split: { file: path.join(DATA, 'splits/credit.json'), validation: 0.2, seed: 42 },
    model: { type: 'gbdt', maxIter: 15 },
  };
}

/** Trains a config into `artifacts` and returns what the comparison needs. */
async function trained(data: TrainConfig['data'], artifacts: string) {
  const result = await train({ config: config(data), artifacts });
  result.predictor.dispose();
  const features = await readFile(path.join(result.path, 'features.json'), 'utf8');
  const manifest = JSON.parse(await readFile(path.join(result.path, 'manifest.json'), 'utf8'));
  return { result, features, manifest };
}

describe('training from other sources than the CSV', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let rows: Record<string, unknown>[];
  let fromCsv: Awaited<ReturnType<typeof trained>>;

  beforeAll(async () => {
    ({ dir, remove } = await tempDir('sources'));
    rows = (await readTable(CSV)).rows;
    fromCsv = await trained(CSV, path.join(dir, 'csv'));
  }, 120_000);
  afterAll(async () => {
    if (postgres.available) postgres.stop();
    if (s3.available) await s3.server.stop();
    await remove();
  });

  function expectSameVersion(other: Awaited<ReturnType<typeof trained>>): void {
    expect(other.features).toBe(fromCsv.features);
    expect(other.result.metrics).toEqual(fromCsv.result.metrics);
    for (const [key, value] of Object.entries(fromCsv.result.metrics)) {
      expect((other.result.metrics as Record<string, unknown>)[key], key).toStrictEqual(value);
    }
    expect(other.manifest.data.rows).toBe(fromCsv.manifest.data.rows);
    expect(other.manifest.split).toEqual(fromCsv.manifest.split);
  }

  describe.skipIf(!postgres.available)('PostgreSQL', () => {
    const url = postgres.available ? postgres.url : '';
    let client: pg.Client;

    beforeAll(async () => {
      client = new pg.Client({ connectionString: url });
      await client.connect();
      // Typed columns, so the mapping is exercised: int2/int4/int8, numeric, float8, boolean, text.
      await client.query(`DROP TABLE IF EXISTS credit_rows;
        CREATE TABLE credit_rows (row_id int PRIMARY KEY, "Status" text, "Seniority" int4,
          "Home" text, "Time" int2, "Age" int4, "Marital" text, "Records" boolean, "Job" text,
          "Expenses" int2, "Income" int8, "Assets" numeric(12, 0), "Debt" float8,
          "Amount" int4, "Price" int4)`);
      const columns = Object.keys(rows[0] as object);
      for (let start = 0; start < rows.length; start += 1000) {
        const batch = rows.slice(start, start + 1000);
        const values: unknown[] = [];
        const tuples = batch.map((row, i) => {
          const records = row['Records'] === 'yes';
          values.push(start + i, ...columns.map((c) => (c === 'Records' ? records : row[c])));
          const first = i * (columns.length + 1);
          const cells = columns.map((_, j) => `$${first + j + 2}`);
          return `($${first + 1}, ${cells.join(', ')})`;
        });
        await client.query(
          `INSERT INTO credit_rows (row_id, ${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`,
          values,
        );
      }
    }, 60_000);
    afterAll(async () => {
      await client?.end();
    });

    it('gives the version the CSV gives, with a hash of the rows and the query', async () => {
      process.env['TANDEM_TEST_CREDIT_DB'] = url;
      const query =
        `SELECT "Status", "Seniority", "Home", "Time", "Age", "Marital", ` +
        `CASE WHEN "Records" THEN 'yes' ELSE 'no' END AS "Records", "Job", "Expenses", "Income", ` +
        `"Assets", "Debt", "Amount", "Price" FROM credit_rows ORDER BY row_id`;
      const fromPostgres = await trained(
        { postgres: 'TANDEM_TEST_CREDIT_DB', query },
        path.join(dir, 'postgres'),
      );
      expectSameVersion(fromPostgres);
      expect(fromPostgres.manifest.data.path).toBe('postgres $TANDEM_TEST_CREDIT_DB');
      expect(fromPostgres.manifest.config.data).toEqual({
        postgres: 'TANDEM_TEST_CREDIT_DB',
        query,
      });
      expect(fromPostgres.manifest.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(fromPostgres.manifest.data.sha256).not.toBe(fromCsv.manifest.data.sha256);
      // The gate rebuilds the test split by running the stored query again.
      const gate = await runGate({
        artifacts: path.join(dir, 'postgres'),
        model: 'credit',
        candidate: 1,
      });
      expect(gate.testRows).toBe(fromCsv.manifest.split.test);
      expect(gate.candidate.value).toBe(fromCsv.result.metrics.accuracy);
      // The same rows again: the same hash; another query text: another.
      const again = await trained({ postgres: url, query }, path.join(dir, 'postgres-again'));
      expect(again.manifest.data.sha256).toBe(fromPostgres.manifest.data.sha256);
      expect(again.manifest.config.data.postgres).toBe(url.replace(/:[^:@/]*@/, '@'));
    }, 120_000);

    it('reads a boolean column as "true" / "false", as the features read it', async () => {
      const { readDataTable } = await import('../src/data/read.ts');
      const table = await readDataTable({
        postgres: url,
        query: `SELECT "Records", "Income", "Assets", "Debt", now()::date AS "Day", TIMESTAMPTZ '2024-03-01 12:30:00.123456+02' AS "At" FROM credit_rows ORDER BY row_id LIMIT 2`,
      });
      expect(table.columns).toEqual(['Records', 'Income', 'Assets', 'Debt', 'Day', 'At']);
      expect(table.rows[0]).toMatchObject({ Records: 'false', Income: 129, Assets: '0', Debt: 0 });
      expect(table.rows[0]?.['At']).toBe('2024-03-01T10:30:00.123Z');
      expect(table.rows[0]?.['Day']).toMatch(/^\d{4}-\d\d-\d\d$/);
    });

    it('names the field of a bad spec, the column of a type without a cell, the failed query', async () => {
      await expect(
        train({ config: config({ postgres: url } as never), artifacts: path.join(dir, 'bad') }),
      ).rejects.toMatchObject({
        code: 'TANDEM_CONFIG_INVALID',
        message: 'config key "data.query": expected a non-empty string, got undefined',
      });
      const { readDataTable } = await import('../src/data/read.ts');
      await expect(
        readDataTable({ postgres: url, query: 'SELECT ARRAY[1, 2] AS "Pair"' }),
      ).rejects.toMatchObject({
        code: 'TANDEM_DATA_INVALID',
        message: expect.stringMatching(
          /column "Pair" has the type _int4, which has no Tandem cell/,
        ),
      });
      await expect(
        readDataTable({ postgres: url, query: 'SELECT * FROM no_such_table' }),
      ).rejects.toMatchObject({
        code: 'TANDEM_DATA_UNAVAILABLE',
        message: expect.stringMatching(/the query failed: relation "no_such_table" does not exist/),
      });
      await expect(
        readDataTable({ postgres: 'TANDEM_TEST_UNSET_VARIABLE', query: 'SELECT 1' }),
      ).rejects.toMatchObject({ code: 'TANDEM_DATA_NOT_FOUND' });
    });
  });

  describe('Parquet', () => {
    let file: string;
    beforeAll(() => {
      file = path.join(dir, 'credit.parquet');
      const columns = Object.keys(rows[0] as object);
      parquetWriteFile({
        filename: file,
        rowGroupSize: 1000,
        columnData: columns.map((name) => {
          const values = rows.map((row) => row[name] as string | null);
          if (name === 'Income' || name === 'Amount') {
            return {
              name,
              type: 'INT64',
              data: values.map((v) => (v === null ? null : BigInt(v))),
            };
          }
          if (name === 'Assets' || name === 'Debt') {
            return {
              name,
              type: 'DOUBLE',
              data: values.map((v) => (v === null ? null : Number(v))),
            };
          }
          if (INTEGER.includes(name)) {
            return {
              name,
              type: 'INT32',
              data: values.map((v) => (v === null ? null : Number(v))),
            };
          }
          return { name, type: 'STRING', data: values };
        }),
      });
    });

    it('gives the version the CSV gives, hashed by its bytes', async () => {
      const fromParquet = await trained(file, path.join(dir, 'parquet'));
      expectSameVersion(fromParquet);
      const { createHash } = await import('node:crypto');
      expect(fromParquet.manifest.data.sha256).toBe(
        createHash('sha256')
          .update(await readFile(file))
          .digest('hex'),
      );
    }, 120_000);

    it('maps Parquet types to cells as docs/data.md says, and refuses JSON naming it', async () => {
      const typed = path.join(dir, 'typed.parquet');
      const optional = 'OPTIONAL' as const;
      parquetWriteFile({
        filename: typed,
        schema: [
          { name: 'root', num_children: 5 },
          { name: 'Big', type: 'INT64', repetition_type: optional },
          { name: 'Flag', type: 'BOOLEAN', repetition_type: optional },
          {
            name: 'At',
            type: 'INT64',
            converted_type: 'TIMESTAMP_MICROS',
            repetition_type: optional,
          },
          { name: 'Day', type: 'INT32', converted_type: 'DATE', repetition_type: optional },
          { name: 'Ratio', type: 'DOUBLE', repetition_type: optional },
        ],
        columnData: [
          { name: 'Big', data: [9007199254740993n, -5n, null] },
          { name: 'Flag', data: [true, false, null] },
          { name: 'At', data: [new Date(Date.UTC(2024, 2, 1, 10, 30, 0, 123)), null, null] },
          { name: 'Day', data: [new Date(Date.UTC(2024, 2, 1)), null, null] },
          { name: 'Ratio', data: [0.25, Number.NaN, null] },
        ],
      });
      const table = await readTable(typed);
      expect(table.columns).toEqual(['Big', 'Flag', 'At', 'Day', 'Ratio']);
      expect(table.rows).toEqual([
        {
          Big: '9007199254740993',
          Flag: 'true',
          At: '2024-03-01T10:30:00.123Z',
          Day: '2024-03-01',
          Ratio: 0.25,
        },
        { Big: -5, Flag: 'false', At: null, Day: null, Ratio: null },
        { Big: null, Flag: null, At: null, Day: null, Ratio: null },
      ]);
      const json = path.join(dir, 'json.parquet');
      parquetWriteFile({
        filename: json,
        columnData: [{ name: 'Doc', type: 'JSON', data: [{ a: 1 }] }],
      });
      await expect(readTable(json)).rejects.toMatchObject({
        code: 'TANDEM_DATA_INVALID',
        message: expect.stringMatching(
          /json\.parquet: column "Doc" is JSON data, which has no Tandem cell/,
        ),
      });
      const damaged = path.join(dir, 'damaged.parquet');
      await writeFile(damaged, (await readFile(typed)).subarray(0, 40));
      await expect(readTable(damaged)).rejects.toMatchObject({
        code: 'TANDEM_DATA_INVALID',
        message: expect.stringMatching(
          /^data file .*damaged\.parquet: not a readable Parquet file/,
        ),
      });
    });

    it.skipIf(!s3.available)(
      'from s3://, through the model store S3 settings',
      async () => {
        const server = s3.available ? s3.server : (undefined as never);
        Object.assign(process.env, server.env, {
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        });
        const bucket = await server.createBucket();
        await server.putObject(bucket, 'data/credit.parquet', await readFile(file));
        const url = `s3://${bucket}/data/credit.parquet`;
        const fromS3 = await trained(url, path.join(dir, 's3'));
        expectSameVersion(fromS3);
        expect(fromS3.manifest.data.path).toBe(url);
        const local = JSON.parse(
          await readFile(path.join(dir, 'parquet/credit/1/manifest.json'), 'utf8'),
        );
        expect(fromS3.manifest.data.sha256).toBe(local.data.sha256);
        await server.putObject(bucket, 'data/credit.csv', await readFile(CSV));
        const csvObject = await trained(`s3://${bucket}/data/credit.csv`, path.join(dir, 's3-csv'));
        expectSameVersion(csvObject);
        expect(csvObject.manifest.data.sha256).toBe(fromCsv.manifest.data.sha256);
        await expect(
          train({
            config: config(`s3://${bucket}/data/missing.csv`),
            artifacts: path.join(dir, 's3'),
          }),
        ).rejects.toMatchObject({ code: 'TANDEM_DATA_NOT_FOUND' });
      },
      120_000,
    );
  });
});
