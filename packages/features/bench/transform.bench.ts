/**
 * Throughput of the credit pipeline on one core, for the two inputs it meets in production.
 * Prints figures; asserts nothing. Run: `npm run bench:features` from the root.
 *
 * - CSV rows, as the batch scorer hands them over: every value a string, in row objects reused
 *   from batch to batch. Before each timed pass the objects are refilled (untimed) with strings
 *   split from each record's text, so, as in a real file, every value is a string the engine has
 *   not seen before: not yet hashed, its numeric value not cached.
 * - JSON rows, as the HTTP API receives them: numbers as numbers, missing as null, through
 *   JSON.parse.
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
  type CsvRow,
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
const rowCount = csvRows.length;
const passes = Math.ceil(MIN_ROWS_PER_ROUND / rowCount);

/** Row objects refilled with new strings before every pass, as a CSV reader would give them. */
class FreshCsvRows {
  static readonly SEPARATOR = '\u001f';
  readonly rows: CsvRow[];
  readonly #records: string[];
  readonly #fill: (row: CsvRow, fields: string[]) => void;

  constructor(source: readonly CsvRow[]) {
    const header = Object.keys(source[0]!);
    this.#records = source.map((row) =>
      header.map((name) => row[name]!).join(FreshCsvRows.SEPARATOR),
    );
    if (
      this.#records.some((record) => record.split(FreshCsvRows.SEPARATOR).length !== header.length)
    ) {
      throw new Error('a value holds the separator');
    }
    this.rows = source.map((row) => ({ ...row }));
    // Named stores on objects of one shape, as the batch scorer's row pool fills them.
    const body = header.map((name, j) => `row[${JSON.stringify(name)}] = fields[${j}];`).join('\n');
    this.#fill = new Function('row', 'fields', body) as (row: CsvRow, fields: string[]) => void;
  }

  refill(): void {
    for (let i = 0; i < this.rows.length; i++) {
      this.#fill(this.rows[i]!, this.#records[i]!.split(FreshCsvRows.SEPARATOR));
    }
  }
}

const freshCsv = new FreshCsvRows(csvRows);
const inputs: ReadonlyArray<{
  name: string;
  rows: readonly RawRow[];
  numbers: boolean;
  beforePass?: () => void;
}> = [
  {
    name: 'CSV rows (every value a new string)',
    rows: freshCsv.rows,
    numbers: false,
    beforePass: () => freshCsv.refill(),
  },
  {
    name: 'JSON rows (numbers, null for missing)',
    rows: asJsonRows(csvRows, new Set(numericColumns)) as RawRow[],
    numbers: true,
  },
];

const out = new Float32Array(rowCount * pipeline.width);
const copy = new Float32Array(rowCount * numericColumns.length);
const one: RawRow[] = [];

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
    'transformBatch, one row per call': () => {
      for (let i = 0; i < rows.length; i++) {
        one[0] = rows[i]!;
        pipeline.transformBatch(one, { out });
      }
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

/**
 * Median rows/s over ROUNDS rounds of `passes` passes over all rows, after a warm-up. Only the
 * passes are timed, not `beforePass`.
 */
function measure(run: () => void, beforePass?: () => void): number {
  for (let p = 0; p < WARMUP_PASSES; p++) {
    beforePass?.();
    run();
  }
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let nanoseconds = 0n;
    for (let p = 0; p < passes; p++) {
      beforePass?.();
      const start = process.hrtime.bigint();
      run();
      nanoseconds += process.hrtime.bigint() - start;
    }
    rates.push((passes * rowCount) / (Number(nanoseconds) / 1e9));
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
    ([name, run]) => [name, measure(run, input.beforePass)] as const,
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
