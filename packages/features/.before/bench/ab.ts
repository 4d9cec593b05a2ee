// scratch: quick A/B, removed before hand-off
import { fitPipeline, inferSchema, type RawRow } from '../src/index.ts';
import { asJsonRows, CREDIT_TARGET, readCreditRows, readCreditSplit } from '../../test/support/credit.ts';
const csvRows = readCreditRows();
const training = readCreditSplit().train.map((i) => csvRows[i]!);
const { spec } = inferSchema(training, { exclude: [CREDIT_TARGET] });
const pipeline = fitPipeline(spec, training);
const numeric = new Set(spec.columns.filter((c) => c.type === 'numeric').map((c) => c.name));
const json = asJsonRows(csvRows, numeric) as RawRow[];
const out = new Float32Array(csvRows.length * pipeline.width);
function measure(rows: readonly RawRow[]): number {
  for (let p = 0; p < 30; p++) pipeline.transformBatch(rows, { out });
  const rates: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let p = 0; p < 100; p++) pipeline.transformBatch(rows, { out });
    rates.push(Number(process.hrtime.bigint() - t) / (100 * rows.length));
  }
  return rates.sort((a, b) => a - b)[3]!;
}
const which = process.argv[2] ?? 'both';
if (which !== 'json') console.log(`csv  ${measure(csvRows).toFixed(0)} ns/row`);
if (which !== 'csv') console.log(`json ${measure(json).toFixed(0)} ns/row`);
