/**
 * Reading speed of each source against the CSV, in one run: the shipped credit rows repeated to
 * `--rows`, written as CSV, as Parquet (snappy, 10,000-row groups) and, when
 * TANDEM_BENCH_POSTGRES_URL names a server, loaded into a table; each read whole through
 * readSourceTable, best of `--runs`. Prints rows/s and the ratio to the CSV.
 *
 *   npx tsx packages/sources/bench/read.bench.ts [--rows 200000] [--runs 3]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parquetWriteFile } from 'hyparquet-writer';
import pg from 'pg';
import { readSourceTable, type SourceSpec } from '../src/index.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '3' } },
});
const wanted = Number(values.rows);
const runs = Number(values.runs);
const root = path.resolve(import.meta.dirname, '../../..');
const credit = await readSourceTable({ file: path.join(root, 'data/credit.csv') });
const columns = credit.columns;
const rows = Array.from({ length: wanted }, (_, i) => credit.rows[i % credit.rows.length] ?? {});
const numeric = columns.filter((c) =>
  credit.rows.every((r) => r[c] === null || !Number.isNaN(Number(r[c]))),
);

const dir = await mkdtemp(path.join(tmpdir(), 'tandem-bench-sources-'));
const csv = path.join(dir, 'rows.csv');
await writeFile(
  csv,
  `${columns.join(',')}\n${rows.map((r) => columns.map((c) => r[c] ?? '').join(',')).join('\n')}\n`,
);
const parquet = path.join(dir, 'rows.parquet');
parquetWriteFile({
  filename: parquet,
  rowGroupSize: 10_000,
  columnData: columns.map((name) =>
    numeric.includes(name)
      ? {
          name,
          type: 'DOUBLE' as const,
          data: rows.map((r) => (r[name] === null ? null : Number(r[name]))),
        }
      : { name, type: 'STRING' as const, data: rows.map((r) => r[name] as string | null) },
  ),
});

const sources: [string, SourceSpec][] = [
  ['csv', { file: csv }],
  ['parquet', { file: parquet }],
];
const url = process.env['TANDEM_BENCH_POSTGRES_URL'];
if (url !== undefined && url !== '') {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const typed = columns.map((c) => `"${c}" ${numeric.includes(c) ? 'float8' : 'text'}`);
  await client.query(
    `DROP TABLE IF EXISTS bench_rows; CREATE TABLE bench_rows (n int, ${typed.join(', ')})`,
  );
  for (let start = 0; start < rows.length; start += 2000) {
    const batch = rows.slice(start, start + 2000);
    const params: unknown[] = [];
    const tuples = batch.map((r, i) => {
      params.push(start + i, ...columns.map((c) => r[c]));
      const first = i * (columns.length + 1);
      return `(${Array.from({ length: columns.length + 1 }, (_, j) => `$${first + j + 1}`).join(', ')})`;
    });
    await client.query(`INSERT INTO bench_rows VALUES ${tuples.join(', ')}`, params);
  }
  await client.end();
  const list = columns.map((c) => `"${c}"`).join(', ');
  sources.push(['postgres', { postgres: url, query: `SELECT ${list} FROM bench_rows ORDER BY n` }]);
}

const best = new Map<string, number>();
for (let run = 0; run < runs; run++) {
  for (const [name, spec] of sources) {
    const started = process.hrtime.bigint();
    const table = await readSourceTable(spec);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (table.rows.length !== wanted) throw new Error(`${name}: ${table.rows.length} rows`);
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, seconds));
  }
}
const base = best.get('csv') as number;
console.log(`${wanted} rows × ${columns.length} columns, best of ${runs}`);
for (const [name] of sources) {
  const seconds = best.get(name) as number;
  console.log(
    `${name.padEnd(9)} ${(wanted / seconds).toFixed(0).padStart(9)} rows/s  ${(base / seconds).toFixed(2)}× the CSV`,
  );
}
await rm(dir, { recursive: true, force: true });
