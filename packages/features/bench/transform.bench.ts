/**
 * Throughput of the credit pipeline on one core, for the two inputs it meets in production:
 * rows whose values are all strings (CSV, as the batch scorer hands them over) and rows given as
 * JSON objects (numbers as numbers, missing as null: what the HTTP API receives). Prints figures;
 * asserts nothing. Run: `npm run bench:features` from the root.
 *
 * Baseline, per input: a plain loop copying the 9 numeric fields of each row into a
 * Float32Array (`Number(text)` for strings), measured in the same run, so the ratio says what
 * validation, imputation and encoding cost on top of reading the values at all.
 */
import { cpus } from 'node:os';
import { fitPipeline, inferSchema, type RawRow, type TransformReport } from '../src/index.ts';
import {
  asJsonRows,
  CREDIT_TARGET,
  readCreditRows,
  readCreditSplit,
} from '../test/support/credit.ts';

const MIN_ROWS_PER_ROUND = 1_000_000;
const ROUNDS = 5;
const WARMUP_PASSES = 30;

const csvRows = readCreditRows();
const split = readCreditSplit();
const training = split.train.map((i) => csvRows[i]!);
const { spec } = inferSchema(training, { exclude: [CREDIT_TARGET] });
const pipeline = fitPipeline(spec, training);
const numericColumns = spec.columns.filter((c) => c.type === 'numeric').map((c) => c.name);
const inputs: ReadonlyArray<{ name: string; rows: readonly RawRow[]; numbers: boolean }> = [
  { name: 'CSV rows (every value a string)', rows: csvRows, numbers: false },
  {
    name: 'JSON rows (numbers, null for missing)',
    rows: asJsonRows(csvRows, new Set(numericColumns)) as RawRow[],
    numbers: true,
  },
];
const rowCount = csvRows.length;
const passes = Math.ceil(MIN_ROWS_PER_ROUND / rowCount);

const out = new Float32Array(rowCount * pipeline.width);
const copy = new Float32Array(rowCount * numericColumns.length);

function candidates(rows: readonly RawRow[], numbers: boolean): Record<string, () => void> {
  const width = numericColumns.length;
  return {
    [numbers ? 'baseline: copy 9 numeric fields' : 'baseline: Number() of 9 numeric fields']:
      numbers
        ? () => {
            for (let i = 0; i < rows.length; i++) {
              const row = rows[i]!;
              for (let c = 0; c < width; c++) {
                const value = row[numericColumns[c]!];
                copy[i * width + c] = typeof value === 'number' ? value : 0;
              }
            }
          }
        : () => {
            for (let i = 0; i < rows.length; i++) {
              const row = rows[i]!;
              for (let c = 0; c < width; c++) {
                copy[i * width + c] = Number(row[numericColumns[c]!] as string);
              }
            }
          },
    'transformBatch (into a reused out)': () => {
      pipeline.transformBatch(rows, { out });
    },
    'transformBatch (allocating out)': () => {
      pipeline.transformBatch(rows);
    },
    'transformInto, row by row': () => {
      const report: TransformReport = { issues: [], errors: [] };
      for (let i = 0; i < rows.length; i++)
        pipeline.transformInto(rows[i]!, out, i * pipeline.width, i, report);
    },
    'transform(row)': () => {
      for (let i = 0; i < rows.length; i++) pipeline.transform(rows[i]!);
    },
  };
}

/** Median rows/s over ROUNDS rounds of `passes` passes over all rows, after a warm-up. */
function measure(run: () => void): number {
  for (let p = 0; p < WARMUP_PASSES; p++) run();
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push((passes * rowCount) / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

console.log(`@tandem/features transform benchmark`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread`);
console.log(
  `credit: ${rowCount} rows, ${spec.columns.length} input columns → ${pipeline.width} outputs; ` +
    `${ROUNDS} rounds of ${passes * rowCount} rows each, median shown`,
);
for (const input of inputs) {
  console.log(`${input.name}:`);
  const results = Object.entries(candidates(input.rows, input.numbers)).map(
    ([name, run]) => [name, measure(run)] as const,
  );
  const baseline = results[0]![1];
  const nameWidth = Math.max(...results.map(([name]) => name.length));
  for (const [name, rate] of results) {
    const perRow = `${(1e9 / rate).toFixed(0).padStart(5)} ns/row`;
    const ratio = name.startsWith('baseline') ? '' : `  ${(rate / baseline).toFixed(2)}× baseline`;
    console.log(
      `  ${name.padEnd(nameWidth)}  ${(rate / 1e6).toFixed(2).padStart(6)} M rows/s ${perRow}${ratio}`,
    );
  }
}
