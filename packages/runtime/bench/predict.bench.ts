/**
 * Prediction throughput of the two engines, side by side in one run: rows/s for 1-row and
 * 1,000-row batches, model only and through the Predictor (raw rows → features → model).
 * The model is a credit-sized MLP (inputs from the credit data's inferred pipeline, hidden 64-32,
 * relu, dropout, one sigmoid unit). Figures are the best of interleaved rounds (see compare).
 * Run from the repository root:
 *   npx tsx packages/runtime/bench/predict.bench.ts
 */
import { fitPipeline, inferSchema, LabelEncoder } from '@tandem/features';
import { DenseEngine } from '../src/dense/dense-engine.ts';
import { extractDenseStack } from '../src/dense/dense-stack.ts';
import { initBackend, predictorFromParts, tf } from '../src/index.ts';
import { TfjsEngine } from '../src/tfjs-engine.ts';
import { readDataCsv } from '../test/fixtures/csv.ts';
import { compare, formatRate as format, machineLine } from './harness.ts';

const backend = await initBackend({ log: (line) => console.log(line) });
const rows = readDataCsv('credit');
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

const stack = extractDenseStack(model);
if (typeof stack === 'string') throw new Error(stack);
const engines = { tfjs: new TfjsEngine(model), dense: new DenseEngine(stack) };
const predictors = {
  tfjs: predictorFromParts(
    { manifest: { name: 'credit', task: 'binary' }, pipeline, labels, model },
    { engine: 'tfjs' },
  ),
  dense: predictorFromParts(
    { manifest: { name: 'credit', task: 'binary' }, pipeline, labels, model },
    { engine: 'dense' },
  ),
};
const batch1000 = rows.slice(0, 1000);
const features1000 = pipeline.transformBatch(batch1000, { errors: 'collect' }).values;

console.log(
  `backend ${backend.name}, tfjs ${backend.tfjsVersion}, ${machineLine()}; ` +
    `model ${pipeline.width}-64-32-1 (relu, sigmoid); dense kernel ${engines.dense.kernel}`,
);
console.log(
  `${'rows/s'.padEnd(34)}${'tfjs'.padStart(12)}${'dense'.padStart(12)}${'ratio'.padStart(9)}`,
);
const tensorsBefore = tf.memory().numTensors;
for (const size of [1, 1000]) {
  const features = features1000.subarray(0, size * pipeline.width);
  const input = batch1000.slice(0, size);
  const figures = [
    [
      `model only, ${size}-row batches`,
      compare(
        size,
        {
          tfjs: () => engines.tfjs.predict(features, size),
          dense: () => engines.dense.predict(features, size),
        },
        100,
      ),
    ],
    [
      `Predictor, ${size}-row batches`,
      compare(
        size,
        {
          tfjs: () => predictors.tfjs.predictBatch(input, { errors: 'collect' }),
          dense: () => predictors.dense.predictBatch(input, { errors: 'collect' }),
        },
        100,
      ),
    ],
  ] as const;
  for (const [what, best] of figures) {
    const ratio = (best.dense / best.tfjs).toFixed(1);
    console.log(
      `${what.padEnd(34)}${format(best.tfjs)}${format(best.dense)}${`${ratio}×`.padStart(9)}`,
    );
  }
}
console.log(`tensors before ${tensorsBefore}, after ${tf.memory().numTensors}`);
