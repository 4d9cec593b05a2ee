/**
 * Tree-engine throughput next to the feature transform it follows, in one run: a 100-tree ×
 * 31-leaf ensemble (random splits over the credit data's tree-encoded features; trees grown by
 * the trainer have the same shape) evaluated on credit rows, rows/s for 1-row and 1,000-row
 * batches: features alone, trees alone, and the whole Predictor (raw rows → features → trees).
 * The ratio column is Predictor / features: what the trees cost on top of the transform every
 * model pays. Best of interleaved rounds. Run from the repository root:
 *   npx tsx packages/runtime/bench/trees.bench.ts
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fitPipeline, inferSchema, LabelEncoder, type RawRow, treeSpec } from '@tandem/features';
import { predictorFromTrees, TreeEngine } from '../src/index.ts';
import { ensembleOf, mulberry32, type NodeSpec } from '../test/fixtures/trees.ts';

const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 0.4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function readCsv(path: string): RawRow[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  return lines.map((line) => {
    const values = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']));
  });
}

function round(rowsPerCall: number, run: () => void): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 10; i++) run();
    calls += 10;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < ROUND_SECONDS);
  return (calls * rowsPerCall) / elapsed;
}

function compare(rowsPerCall: number, runs: Record<string, () => void>): Record<string, number> {
  const best: Record<string, number> = {};
  for (const name of Object.keys(runs)) best[name] = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(runs)) {
      best[name] = Math.max(best[name]!, round(rowsPerCall, run));
    }
  }
  return best;
}

/** A best-first-shaped tree with `leaves` leaves: thresholds from the features' training values. */
function tree(
  next: () => number,
  x: Float32Array,
  rows: number,
  width: number,
  categorical: boolean[],
  leaves: number,
): NodeSpec {
  const split = (depthLeaves: number): NodeSpec => {
    if (depthLeaves <= 1) return { leaf: (next() - 0.5) / 10 };
    const feature = Math.floor(next() * width);
    const leftLeaves = Math.max(1, Math.floor(depthLeaves * (0.3 + 0.4 * next())));
    const sample = x[Math.floor(next() * rows) * width + feature]!;
    const common = {
      feature,
      missingLeft: next() < 0.5,
      left: split(leftLeaves),
      right: split(depthLeaves - leftLeaves),
    };
    if (categorical[feature]) return { ...common, categories: [0, 2] };
    return { ...common, threshold: Number.isNaN(sample) ? 0 : sample };
  };
  return split(leaves);
}

const rows = readCsv('data/credit.csv').map(({ Status: _target, ...row }) => row);
const { spec } = inferSchema(rows);
const pipeline = fitPipeline(treeSpec(spec), rows);
const labels = LabelEncoder.fit(['bad', 'good']);
const encoded = pipeline.transformBatch(rows).values;
const width = pipeline.width;
const categorical = pipeline.toJSON().columns.map((c) => c.type === 'categorical');
const next = mulberry32(3);
const ensemble = ensembleOf(
  Array.from({ length: 100 }, () => ({
    output: 0,
    root: tree(next, encoded, rows.length, width, categorical, 31),
  })),
  { inputWidth: width, outputs: 1, link: 'logistic', baseline: [0.9] },
);
ensemble.featureNames = [...pipeline.outputNames];
const predictor = predictorFromTrees({
  meta: { name: 'credit', task: 'binary' },
  pipeline,
  labels,
  trees: ensemble,
});
const engine = new TreeEngine(ensemble);

const batch = rows.slice(0, 1000);
const batchFeatures = pipeline.transformBatch(batch).values;
const one = [rows[0]!];
const oneFeatures = pipeline.transformBatch(one).values;
const out = new Float32Array(1000 * width);
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

const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);
console.log(
  `node ${process.version}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}; ` +
    `${ensemble.treeOutput.length} trees, ${ensemble.feature.length} nodes, ${width} features\n`,
);
console.log(
  `${'rows/s'.padEnd(12)}${'features'.padStart(12)}${'trees'.padStart(12)}${'predictor'.padStart(12)}  predictor / features`,
);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(12)}${format(r.features!)}${format(r.trees!)}${format(r.predictor!)}  ${(r.predictor! / r.features!).toFixed(2)}`,
  );
}
