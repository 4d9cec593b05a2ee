import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { fitPipeline, inferSchema } from './src/index.ts';

const rows = parse(readFileSync('/work/main/data/credit.csv'), { columns: true }) as Record<
  string,
  string
>[];
const { spec } = inferSchema(rows, { exclude: ['Status'] });
const p = fitPipeline(spec, rows);
const json = rows.map((r) => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    o[k] = v === '' ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return o;
});
const objs = JSON.parse(JSON.stringify(json));
const out = new Float32Array(objs.length * p.width);
for (let w = 0; w < 50; w++) p.transformBatch(objs, { out });
const t = performance.now();
let n = 0;
for (let w = 0; w < 300; w++) {
  p.transformBatch(objs, { out });
  n += objs.length;
}
const dt = performance.now() - t;
console.log(((n / dt) * 1000).toFixed(0), 'rows/s');
