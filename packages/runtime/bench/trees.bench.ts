/**
 * Tree-engine throughput next to the feature transform it follows, in one run: a 100-tree ×
 * 31-leaf ensemble (best-first-shaped trees over the credit data's tree-encoded features, split at
 * training values) on credit rows.
 *
 * 1. One thread, rows/s for 1-row and 1,000-row batches: the feature transform alone, the raw
 *    traversal (TreeEngine on encoded rows) with the array loop and compiled, and the Predictor
 *    (raw rows → features → trees) on each; the compiled margins are checked to equal the loop's.
 * 2. Memory: RSS before and after 200,000 1-row and 200,000 batched predictions.
 * 3. TreeSHAP on the same ensemble (covers counted from the credit rows): rows/s of the leaf
 *    tables against Algorithm 2, in 64-row blocks as the Explainer calls it.
 *
 * Run from the repository root: node --expose-gc --import tsx packages/runtime/bench/trees.bench.ts
 */
import { fitPipeline, inferSchema, LabelEncoder, treeSpec } from '@tandem/features';
import { TreeShap } from '../src/explain/tree-shap.ts';
import { Predictor, predictorFromTrees, TreeEngine } from '../src/index.ts';
import { readDataCsv } from '../test/fixtures/csv.ts';
import { dataTree, ensembleOf, mulberry32, type NodeSpec } from '../test/fixtures/trees.ts';
import { compare, formatRate as format, machineLine, rssMiB } from './harness.ts';

/** Covers as training would count them: the rows reaching each leaf (plus one, never zero). */
function withRowCovers(node: NodeSpec, x: Float32Array, rows: number[], width: number): NodeSpec {
  if ('leaf' in node) return { ...node, cover: rows.length + 1 };
  const left: number[] = [];
  const right: number[] = [];
  for (const r of rows) {
    (referenceLeafSide(node, x[r * width + node.feature]!) ? left : right).push(r);
  }
  const l = withRowCovers(node.left, x, left, width);
  const r = withRowCovers(node.right, x, right, width);
  return { ...node, cover: (l.cover ?? 0) + (r.cover ?? 0), left: l, right: r };
}

function referenceLeafSide(node: Extract<NodeSpec, { feature: number }>, v: number): boolean {
  if (Number.isNaN(v)) return node.missingLeft;
  if (node.categories) return node.categories.includes(v);
  return v <= Math.fround(node.threshold!);
}

async function main(): Promise<void> {
  const rows = readDataCsv('credit').map(({ Status: _target, ...row }) => row);
  const { spec } = inferSchema(rows);
  const pipeline = fitPipeline(treeSpec(spec), rows);
  const encoded = pipeline.transformBatch(rows).values;
  const width = pipeline.width;
  const categorical = pipeline.toJSON().columns.map((c) => c.type === 'categorical');
  const next = mulberry32(3);
  const all = rows.map((_, r) => r);
  const ensemble = ensembleOf(
    Array.from({ length: 100 }, () => ({
      output: 0,
      root: withRowCovers(
        dataTree(next, encoded, rows.length, width, categorical, 31),
        encoded,
        all,
        width,
      ),
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
  const compileStart = performance.now();
  const engine = new TreeEngine(ensemble);
  const compileMs = performance.now() - compileStart;
  const loop = new TreeEngine(ensemble, { traversal: 'loop' });
  const loopPredictor = new Predictor({
    meta: { name: 'credit', task: 'binary' },
    pipeline,
    labels: LabelEncoder.fit(['bad', 'good']),
    engine: loop,
  });
  if (engine.traversal !== 'compiled') throw new Error('the tree engine did not compile here');

  const batch = rows.slice(0, 1000);
  const batchFeatures = pipeline.transformBatch(batch).values;
  const one = [rows[0]!];
  const oneFeatures = pipeline.transformBatch(one).values;
  const out = new Float32Array(1000 * width);
  const compiledMargins = engine.predictMargins(encoded, rows.length).slice();
  const loopMargins = loop.predictMargins(encoded, rows.length);
  if (compiledMargins.some((m, i) => !Object.is(m, loopMargins[i]))) {
    throw new Error('compiled and loop margins differ');
  }
  console.log(
    `${machineLine()}\n${ensemble.treeOutput.length} trees, ${ensemble.feature.length} nodes, ${width} features; ` +
      `compiling them took ${compileMs.toFixed(1)} ms\n`,
  );
  const results = {
    '1-row': compare(1, {
      features: () => pipeline.transformBatch(one, { out }),
      loop: () => loop.predict(oneFeatures, 1),
      compiled: () => engine.predict(oneFeatures, 1),
      loopPredictor: () => loopPredictor.predictBatch(one),
      predictor: () => predictor.predictBatch(one),
    }),
    '1,000-row': compare(1000, {
      features: () => pipeline.transformBatch(batch, { out }),
      loop: () => loop.predict(batchFeatures, 1000),
      compiled: () => engine.predict(batchFeatures, 1000),
      loopPredictor: () => loopPredictor.predictBatch(batch),
      predictor: () => predictor.predictBatch(batch),
    }),
  };
  const heads = ['features', 'trees loop', 'compiled', '×', 'pred. loop', 'predictor', '×'];
  console.log(`${'rows/s, 1 thread'.padEnd(18)}${heads.map((h) => h.padStart(12)).join('')}`);
  for (const [name, r] of Object.entries(results)) {
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}`.padStart(12);
    console.log(
      `${name.padEnd(18)}${format(r.features)}${format(r.loop)}${format(r.compiled)}${ratio(r.compiled, r.loop)}` +
        `${format(r.loopPredictor)}${format(r.predictor)}${ratio(r.predictor, r.loopPredictor)}`,
    );
  }
  console.log('(× = compiled traversal against the array loop, same run)');

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
  const tables = new TreeShap(ensemble);
  const path = new TreeShap(ensemble, { maxTableEntries: 0 });
  const phi = new Float64Array(64 * width);
  const block = batchFeatures.subarray(0, 64 * width);
  const shap = compare(64, {
    tables: () => tables.explainBlock(block, 0, 64, phi.fill(0)),
    path: () => path.explainBlock(block, 0, 64, phi.fill(0)),
  });
  console.log(
    `\nTreeSHAP, 64-row blocks: leaf tables ${format(shap.tables).trim()} rows/s ` +
      `(${tables.tableTrees} trees, ${((tables.tableEntries * 8) / 2 ** 20).toFixed(1)} MiB of tables), ` +
      `Algorithm 2 ${format(shap.path).trim()} rows/s, tables / Algorithm 2 ${(shap.tables / shap.path).toFixed(1)} ×`,
  );
}

await main();
