/**
 * Prediction throughput of the two engines, side by side in one run: rows/s for 1-row and
 * 1,000-row batches, model only and through the Predictor (raw rows → features → model).
 * The model is a credit-sized MLP (inputs from the credit data's inferred pipeline, hidden 64-32,
 * relu, dropout, one sigmoid unit). Run from the repository root:
 *   npx tsx packages/runtime/bench/predict.bench.ts
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fitPipeline, inferSchema, LabelEncoder, type RawRow } from '@tandem/features';
import { chooseEngine } from '../src/engine-choice.ts';
import { initBackend, Predictor, tf } from '../src/index.ts';

const MIN_SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);

function readCsv(path: string): RawRow[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  return lines.map((line) => {
    const values = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']));
  });
}

/** Calls `run` until MIN_SECONDS have passed; returns rows per second. */
function measure(rowsPerCall: number, run: () => void): number {
  for (let i = 0; i < 50; i++) run();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 20; i++) run();
    calls += 20;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < MIN_SECONDS);
  return (calls * rowsPerCall) / elapsed;
}

const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);

const backend = await initBackend({ log: (line) => console.log(line) });
const rows = readCsv(new URL('../../../data/credit.csv', import.meta.url).pathname);
const { spec } = inferSchema(rows, { exclude: ['Status'] });
const pipeline = fitPipeline(spec, rows);
const labels = LabelEncoder.fit(rows.map((row) => row.Status));
const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [pipeline.width] }),
    tf.layers.dropout({ rate: 0.1 }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' }),
  ],
});

const engines = {
  tfjs: chooseEngine(model, { engine: 'tfjs' }).engine,
  dense: chooseEngine(model, { engine: 'dense' }).engine,
};
const predictors = {
  tfjs: Predictor.fromParts(
    { manifest: { name: 'credit', task: 'binary' }, pipeline, labels, model },
    { engine: 'tfjs' },
  ),
  dense: Predictor.fromParts(
    { manifest: { name: 'credit', task: 'binary' }, pipeline, labels, model },
    { engine: 'dense' },
  ),
};
const batch1000 = rows.slice(0, 1000);
const features1000 = pipeline.transformBatch(batch1000, { errors: 'collect' }).values;

console.log(
  `backend ${backend.name}, tfjs ${backend.tfjsVersion}, node ${process.version}, ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; model ${pipeline.width}-64-32-1, ` +
    `${MIN_SECONDS} s per figure`,
);
console.log(`${'rows/s'.padEnd(34)}${'tfjs'.padStart(12)}${'dense'.padStart(12)}${'ratio'.padStart(9)}`);
const tensorsBefore = tf.memory().numTensors;
for (const size of [1, 1000]) {
  const features = features1000.subarray(0, size * pipeline.width);
  const model = {
    tfjs: measure(size, () => engines.tfjs.predict(features, size)),
    dense: measure(size, () => engines.dense.predict(features, size)),
  };
  const input = batch1000.slice(0, size);
  const predictor = {
    tfjs: measure(size, () => predictors.tfjs.predictBatch(input, { errors: 'collect' })),
    dense: measure(size, () => predictors.dense.predictBatch(input, { errors: 'collect' })),
  };
  for (const [what, figures] of [
    [`model only, ${size}-row batches`, model],
    [`Predictor, ${size}-row batches`, predictor],
  ] as const) {
    const ratio = (figures.dense / figures.tfjs).toFixed(1);
    console.log(`${what.padEnd(34)}${format(figures.tfjs)}${format(figures.dense)}${`${ratio}×`.padStart(9)}`);
  }
}
console.log(`tensors before ${tensorsBefore}, after ${tf.memory().numTensors}`);
