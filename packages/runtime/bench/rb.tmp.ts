import { readFileSync } from 'node:fs';
import { fitPipeline, inferSchema, type RawRow } from '@tandem/features';
import { DenseEngine } from '../src/dense/dense-engine.ts';
import { extractDenseStack } from '../src/dense/dense-stack.ts';
import { SimdKernel } from '../src/dense/simd-kernel.ts';
import { initBackend, tf } from '../src/index.ts';
import { TfjsEngine } from '../src/tfjs-engine.ts';

await initBackend({ log: () => {} });
const [header, ...lines] = readFileSync('../../data/credit.csv', 'utf8').trim().split('\n');
const names = header!.split(',');
const rows: RawRow[] = lines.map((l) => {
  const v = l.split(',');
  return Object.fromEntries(names.map((n, i) => [n, v[i] ?? '']));
});
const pipeline = fitPipeline(inferSchema(rows, { exclude: ['Status'] }).spec, rows);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [pipeline.width] }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});
const stack = extractDenseStack(model) as any;
const f = pipeline.transformBatch(rows.slice(0, 1000), { errors: 'collect' }).values;
let zeros = 0;
for (const v of f) if (v === 0) zeros++;
console.log('input zeros', (zeros / f.length).toFixed(2));
const e = {
  tfjs: new TfjsEngine(model),
  rb1: new DenseEngine(stack, { kernel: SimdKernel.create(1)! }),
  rb2: new DenseEngine(stack, { kernel: SimdKernel.create(2)! }),
};
const best: Record<string, number> = { tfjs: 1e9, rb1: 1e9, rb2: 1e9 };
for (let r = 0; r < 4; r++)
  for (const [k, eng] of Object.entries(e)) {
    for (let i = 0; i < 20; i++) eng.predict(f, 1000);
    const u = process.cpuUsage();
    const s = performance.now();
    let c = 0;
    while (performance.now() - s < 250) {
      eng.predict(f, 1000);
      c++;
    }
    const d = process.cpuUsage(u);
    best[k] = Math.min(best[k]!, (d.user + d.system) / c);
  }
console.log(
  Object.entries(best)
    .map(([k, v]) => `${k} ${v.toFixed(0)} cpu-us/1000 rows`)
    .join(', '),
);
