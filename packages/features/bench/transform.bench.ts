/**
 * Throughput of the credit pipeline on rows given as JSON objects (as the HTTP API receives them),
 * on one core. Prints figures; asserts nothing. Run: `npm run bench:features` from the root.
 *
 * Baseline: a plain loop copying the 9 numeric fields of each row into a Float32Array, measured
 * in the same run, so the ratio says what validation, imputation and encoding cost on top of
 * reading the values at all.
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
const rows = asJsonRows(csvRows, new Set(numericColumns)) as RawRow[];
const passes = Math.ceil(MIN_ROWS_PER_ROUND / rows.length);

const out = new Float32Array(rows.length * pipeline.width);
const copy = new Float32Array(rows.length * numericColumns.length);

const candidates: Record<string, () => void> = {
  'baseline: copy 9 numeric fields': () => {
    const width = numericColumns.length;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      for (let c = 0; c < width; c++) {
        const value = row[numericColumns[c]!];
        copy[i * width + c] = typeof value === 'number' ? value : 0;
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

/** Median rows/s over ROUNDS rounds of `passes` passes over all rows, after a warm-up. */
function measure(run: () => void): number {
  for (let p = 0; p < WARMUP_PASSES; p++) run();
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let p = 0; p < passes; p++) run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push((passes * rows.length) / seconds);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

console.log(`@tandem/features transform benchmark`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, one thread`);
console.log(
  `credit: ${rows.length} rows as JSON objects, ${spec.columns.length} input columns → ${pipeline.width} outputs; ` +
    `${ROUNDS} rounds of ${passes * rows.length} rows each, median shown`,
);
const results = Object.entries(candidates).map(([name, run]) => [name, measure(run)] as const);
const baseline = results[0]![1];
const nameWidth = Math.max(...results.map(([name]) => name.length));
for (const [name, rate] of results) {
  const ratio = name.startsWith('baseline') ? '' : `  ${(rate / baseline).toFixed(2)}× baseline`;
  console.log(
    `  ${name.padEnd(nameWidth)}  ${(rate / 1e6).toFixed(2).padStart(6)} M rows/s${ratio}`,
  );
}
