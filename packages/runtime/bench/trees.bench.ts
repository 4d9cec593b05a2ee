/**
 * Tree-engine throughput next to the feature transform it follows, in one run: a 100-tree ×
 * 31-leaf ensemble (best-first-shaped trees over the credit data's tree-encoded features, split at
 * training values) on credit rows.
 *
 * 1. One thread, rows/s for 1-row and 1,000-row batches: the feature transform alone, the raw
 *    traversal (TreeEngine on encoded rows) and the Predictor (raw rows → features → trees).
 * 2. Memory: RSS before and after 200,000 1-row and 200,000 batched predictions.
 *
 * Run from the repository root: npx tsx packages/runtime/bench/trees.bench.ts
 */
import { fitPipeline, inferSchema, LabelEncoder, treeSpec } from '@tandem/features';
import { predictorFromTrees, TreeEngine } from '../src/index.ts';
import { readDataCsv } from '../test/fixtures/csv.ts';
import { dataTree, ensembleOf, mulberry32 } from '../test/fixtures/trees.ts';
import { compare, formatRate as format, machineLine, rssMiB } from './harness.ts';

async function main(): Promise<void> {
  const rows = readDataCsv('credit').map(({ Status: _target, ...row }) => row);
  const { spec } = inferSchema(rows);
  const pipeline = fitPipeline(treeSpec(spec), rows);
  const encoded = pipeline.transformBatch(rows).values;
  const width = pipeline.width;
  const categorical = pipeline.toJSON().columns.map((c) => c.type === 'categorical');
  const next = mulberry32(3);
  const ensemble = ensembleOf(
    Array.from({ length: 100 }, () => ({
      output: 0,
      root: dataTree(next, encoded, rows.length, width, categorical, 31),
    })),
    { inputWidth: width, outputs: 1, link: 'logistic', baseline: [0.9] },
  );
  ensemble.featureNames = [...pipeline.outputNames];
  const predictor = predictorFromTrees({
    meta: { name: 'credit', task: 'binary' },
    pipeline,
    labels: LabelEncoder.fit(['bad', 'good']),
    trees: ensemble,
  });
  const engine = new TreeEngine(ensemble);

  const batch = rows.slice(0, 1000);
  const batchFeatures = pipeline.transformBatch(batch).values;
  const one = [rows[0]!];
  const oneFeatures = pipeline.transformBatch(one).values;
  const out = new Float32Array(1000 * width);
  console.log(
    `${machineLine()}\n${ensemble.treeOutput.length} trees, ${ensemble.feature.length} nodes, ${width} features\n`,
  );
  const results = {
    '1-row': compare(1, {
      features: () => pipeline.transformBatch(one, { out }),
      trees: () => engine.predict(oneFeatures, 1),
      predictor: () => predictor.predictBatch(one),
    }),
    '1,000-row': compare(1000, {
      features: () => pipeline.transformBatch(batch, { out }),
      trees: () => engine.predict(batchFeatures, 1000),
      predictor: () => predictor.predictBatch(batch),
    }),
  };
  console.log(
    `${'rows/s, 1 thread'.padEnd(18)}${'features'.padStart(12)}${'trees'.padStart(12)}${'predictor'.padStart(12)}  predictor / features`,
  );
  for (const [name, r] of Object.entries(results)) {
    console.log(
      `${name.padEnd(18)}${format(r.features)}${format(r.trees)}${format(r.predictor)}  ${(r.predictor / r.features).toFixed(2)}`,
    );
  }

  const gc = (globalThis as { gc?: () => void }).gc;
  for (const [what, size] of [
    ['1-row', 1],
    ['1,000-row', 1000],
  ] as const) {
    const input = batch.slice(0, size);
    for (let i = 0; i < 1000; i++) predictor.predictBatch(input);
    gc?.();
    const before = rssMiB();
    for (let done = 0; done < 200_000; done += size) predictor.predictBatch(input);
    gc?.();
    const after = rssMiB();
    console.log(
      `RSS over 200,000 predictions in ${what} batches: ${before.toFixed(1)} → ${after.toFixed(1)} MiB` +
        `${gc ? '' : ' (without --expose-gc: includes garbage not yet collected)'}`,
    );
  }
}

await main();
