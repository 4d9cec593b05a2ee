import { readFileSync } from 'node:fs';
import { LabelEncoder } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_BITS } from '../src/explain/leaf-patterns.ts';
import { TreeShap } from '../src/explain/tree-shap.ts';
import {
  decodeFeaturesFile,
  decodeTreeFile,
  Explainer,
  predictorFromTrees,
  TreeEngine,
  type TreeEnsemble,
} from '../src/index.ts';
import { readDataCsv } from './fixtures/csv.ts';
import { shapleyByEnumeration } from './fixtures/shapley.ts';
import {
  ensembleOf,
  mulberry32,
  type NodeSpec,
  randomTree,
  treePipeline,
} from './fixtures/trees.ts';

/** Gives every node a cover: random on leaves, the sum of the children inside. */
function withCovers(node: NodeSpec, next: () => number): NodeSpec {
  if ('leaf' in node) return { ...node, cover: 1 + Math.floor(next() * 20) };
  const left = withCovers(node.left, next);
  const right = withCovers(node.right, next);
  return { ...node, left, right, cover: (left.cover ?? 0) + (right.cover ?? 0) };
}

function goesLeft(node: Extract<NodeSpec, { feature: number }>, x: number): boolean {
  if (Number.isNaN(x)) return node.missingLeft;
  if (node.categories) return node.categories.includes(x);
  return Math.fround(x) <= Math.fround(node.threshold!);
}

/** E[f(x) | x_S], path-dependent: a split on a feature outside S averages its children by cover. */
function conditional(node: NodeSpec, row: ArrayLike<number>, inS: (f: number) => boolean): number {
  if ('leaf' in node) return node.leaf;
  if (inS(node.feature)) {
    return conditional(goesLeft(node, row[node.feature]!) ? node.left : node.right, row, inS);
  }
  const cl = node.left.cover!;
  const cr = node.right.cover!;
  return (
    (cl * conditional(node.left, row, inS) + cr * conditional(node.right, row, inS)) / (cl + cr)
  );
}

/** Shapley values by enumerating every coalition of the features. */
function bruteForce(roots: NodeSpec[], row: ArrayLike<number>, width: number): number[] {
  return shapleyByEnumeration(width, (mask) =>
    roots.reduce((sum, root) => sum + conditional(root, row, (f) => ((mask >> f) & 1) === 1), 0),
  );
}

/** Algorithm 2 on every tree, and leaf tables on every tree that can have them. */
const ALGORITHMS = { 'Algorithm 2': 0, 'leaf tables': Number.POSITIVE_INFINITY };

/** phi of each row under both algorithms: the largest |v2 − v1| and the additivity error. */
function compareAlgorithms(ensemble: TreeEnsemble, x: Float32Array, rows: number) {
  const v1 = new TreeShap(ensemble, { maxTableEntries: 0 });
  const v2 = new TreeShap(ensemble, { maxTableEntries: Number.POSITIVE_INFINITY });
  const size = ensemble.outputs * ensemble.inputWidth;
  const a = new Float64Array(size);
  const b = new Float64Array(size * rows);
  const margins = new Float64Array(ensemble.outputs * rows);
  v2.explainBlock(x, 0, rows, b, margins);
  const engineMargins = new TreeEngine(ensemble).predictMargins(x, rows);
  let difference = 0;
  let additivity = 0;
  for (let r = 0; r < rows; r++) {
    a.fill(0);
    v1.explainInto(x, r * ensemble.inputWidth, a);
    for (let i = 0; i < size; i++)
      difference = Math.max(difference, Math.abs(a[i]! - b[r * size + i]!));
    for (let k = 0; k < ensemble.outputs; k++) {
      let total = v2.expectedValue[k]!;
      for (let f = 0; f < ensemble.inputWidth; f++)
        total += b[r * size + k * ensemble.inputWidth + f]!;
      const margin = margins[r * ensemble.outputs + k]!;
      expect(margin).toBe(engineMargins[r * ensemble.outputs + k]);
      additivity = Math.max(additivity, Math.abs(total - margin));
    }
  }
  return { v1, v2, difference, additivity };
}

/** A shipped tree model (fixtures/shipped-trees) and its first `count` data rows, encoded. */
function shippedModel(dataset: string, count: number) {
  const folder = new URL(`./fixtures/shipped-trees/${dataset}/`, import.meta.url);
  const ensemble = decodeTreeFile(readFileSync(new URL('trees.bin', folder)));
  const features = decodeFeaturesFile(readFileSync(new URL('features.json', folder)));
  const rows = readDataCsv(dataset).slice(0, count);
  const x = features.pipeline.transformBatch(rows, { errors: 'collect' }).values;
  return { ensemble, rows, x };
}

describe('path-dependent TreeSHAP', () => {
  it.each(
    Object.entries(ALGORITHMS),
  )('%s equals brute-force Shapley values on small random trees, and adds up to the margin', (_, maxTableEntries) => {
    const next = mulberry32(7);
    for (let trial = 0; trial < 40; trial++) {
      const width = 2 + (trial % 5);
      const categorical = trial % 2;
      const roots = Array.from({ length: 1 + (trial % 4) }, () =>
        withCovers(randomTree(next, width, categorical, 2 + (trial % 4)), next),
      );
      const ensemble = ensembleOf(
        roots.map((root) => ({ output: 0, root })),
        { inputWidth: width, outputs: 1, link: 'identity', baseline: [0.3] },
      );
      const shap = new TreeShap(ensemble, { maxTableEntries });
      expect(shap.tableTrees).toBe(maxTableEntries === 0 ? 0 : roots.length);
      const engine = new TreeEngine(ensemble);
      for (let r = 0; r < 5; r++) {
        const row = Float32Array.from({ length: width }, (_, f) => {
          if (next() < 0.15) return Number.NaN;
          return f < categorical ? Math.floor(next() * 9) : (next() - 0.5) * 5;
        });
        const phi = new Float64Array(width);
        shap.explainInto(row, 0, phi);
        const expected = bruteForce(roots, row, width);
        for (let f = 0; f < width; f++) expect(phi[f]).toBeCloseTo(expected[f]!, 12);
        const margin = engine.predictMargins(row, 1)[0]!;
        const total = phi.reduce((a, b) => a + b, 0);
        expect(Math.abs(shap.expectedValue[0]! + total - margin)).toBeLessThan(1e-12);
      }
    }
  });

  it('gives a feature no tree splits on exactly 0, and the base value is the cover-weighted mean', () => {
    const root: NodeSpec = {
      feature: 0,
      threshold: 1,
      missingLeft: false,
      cover: 4,
      left: { leaf: 2, cover: 3 },
      right: { leaf: -2, cover: 1 },
    };
    const ensemble = ensembleOf([{ output: 0, root }], {
      inputWidth: 3,
      outputs: 1,
      link: 'identity',
      baseline: [0],
    });
    const shap = new TreeShap(ensemble);
    expect(shap.expectedValue[0]).toBe(1);
    const phi = new Float64Array(3);
    shap.explainInto(Float32Array.from([5, 1, 2]), 0, phi);
    expect(Array.from(phi)).toEqual([-3, 0, 0]);
  });

  it('writes each tree to its own output (softmax ensembles)', () => {
    const next = mulberry32(11);
    const roots = [0, 1, 2, 0, 1, 2].map(() => withCovers(randomTree(next, 3, 0, 3), next));
    const ensemble = ensembleOf(
      roots.map((root, t) => ({ output: t % 3, root })),
      { inputWidth: 3, outputs: 3, link: 'softmax', baseline: [0.1, -0.2, 0.3] },
    );
    const shap = new TreeShap(ensemble);
    const row = Float32Array.from([0.4, -1.2, 2]);
    const phi = new Float64Array(9);
    shap.explainInto(row, 0, phi);
    const margins = new TreeEngine(ensemble).predictMargins(row, 1);
    for (let k = 0; k < 3; k++) {
      const mine = roots.filter((_, t) => t % 3 === k);
      const expected = bruteForce(mine, row, 3);
      for (let f = 0; f < 3; f++) expect(phi[k * 3 + f]).toBeCloseTo(expected[f]!, 12);
      const total = phi.subarray(k * 3, k * 3 + 3).reduce((a, b) => a + b, 0);
      expect(Math.abs(shap.expectedValue[k]! + total - margins[k]!)).toBeLessThan(1e-12);
    }
  });
});

describe('leaf tables (Fast TreeSHAP v2) against Algorithm 2', () => {
  it('give the same values, value by value, on deeper random trees with repeated features', () => {
    const next = mulberry32(21);
    for (let trial = 0; trial < 12; trial++) {
      const width = 3 + (trial % 6);
      const categorical = trial % 3;
      const ensemble = ensembleOf(
        Array.from({ length: 8 }, (_, t) => ({
          output: t % (1 + (trial % 3)),
          root: withCovers(randomTree(next, width, categorical, 4 + (trial % 5)), next),
        })),
        {
          inputWidth: width,
          outputs: 1 + (trial % 3),
          link: trial % 3 === 0 ? 'identity' : 'softmax',
          baseline: Array.from({ length: 1 + (trial % 3) }, (_, k) => k / 10),
        },
      );
      if (ensemble.outputs === 2)
        ensemble.treeOutput.forEach((_, t) => {
          ensemble.treeOutput[t] = t % 2;
        });
      const rows = 20;
      const x = Float32Array.from({ length: rows * width }, (_, i) => {
        if (next() < 0.1) return Number.NaN;
        return i % width < categorical ? Math.floor(next() * 9) : (next() - 0.5) * 5;
      });
      const { v2, difference, additivity } = compareAlgorithms(ensemble, x, rows);
      expect(v2.tableTrees).toBe(8);
      expect(difference).toBeLessThan(1e-9);
      expect(additivity).toBeLessThan(1e-9);
    }
  });

  it.each([
    'credit',
    'cars',
    'penguins',
    'titanic',
  ])('give the same values on the shipped %s model', (dataset) => {
    const { ensemble, rows, x } = shippedModel(dataset, 300);
    const { v2, difference, additivity } = compareAlgorithms(ensemble, x, rows.length);
    expect(v2.tableTrees).toBe(ensemble.treeOutput.length);
    expect(difference).toBeLessThan(1e-9);
    expect(additivity).toBeLessThan(1e-9);
  });

  it.each([
    'credit',
    'titanic',
  ])('explain in WebAssembly to the same bits as in JavaScript on the shipped %s model', (dataset) => {
    const { ensemble, rows, x } = shippedModel(dataset, 150);
    const size = ensemble.outputs * ensemble.inputWidth;
    const phi = {
      wasm: new Float64Array(size * rows.length),
      js: new Float64Array(size * rows.length),
    };
    const margins = {
      wasm: new Float64Array(rows.length * ensemble.outputs),
      js: new Float64Array(rows.length * ensemble.outputs),
    };
    // Phi is added to: both start from the same non-zero values.
    phi.wasm.fill(0.25);
    phi.js.fill(0.25);
    const wasm = new TreeShap(ensemble);
    const js = new TreeShap(ensemble, { wasm: false });
    expect([wasm.sums, js.sums]).toEqual(['webassembly', 'javascript']);
    wasm.explainBlock(x, 0, rows.length, phi.wasm, margins.wasm);
    js.explainBlock(x, 0, rows.length, phi.js, margins.js);
    expect(phi.wasm).toEqual(phi.js);
    expect(margins.wasm).toEqual(margins.js);
    expect(phi.js.some((v) => v !== 0.25)).toBe(true);
  });

  it('keeps within the memory bound: the trees past it run Algorithm 2, with the same values', () => {
    const next = mulberry32(4);
    const ensemble = ensembleOf(
      Array.from({ length: 6 }, () => ({
        output: 0,
        root: withCovers(randomTree(next, 6, 0, 6), next),
      })),
      { inputWidth: 6, outputs: 1, link: 'identity', baseline: [0] },
    );
    const full = new TreeShap(ensemble, { maxTableEntries: Number.POSITIVE_INFINITY });
    const bounded = new TreeShap(ensemble, { maxTableEntries: Math.floor(full.tableEntries / 2) });
    expect(bounded.tableTrees).toBeGreaterThan(0);
    expect(bounded.tableTrees).toBeLessThan(6);
    expect(bounded.tableEntries).toBeLessThanOrEqual(full.tableEntries / 2);
    const x = Float32Array.from({ length: 6 * 10 }, () => (next() - 0.5) * 5);
    const a = new Float64Array(6 * 10);
    const b = new Float64Array(6 * 10);
    full.explainBlock(x, 0, 10, a);
    bounded.explainBlock(x, 0, 10, b);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-9);
  });

  it('has no tables for a path with more than MAX_PATTERN_BITS features or a zero cover share', () => {
    const width = MAX_PATTERN_BITS + 1;
    // A chain splitting on every feature once: one leaf's path has width unique features.
    const chain = (f: number): NodeSpec =>
      f === width
        ? { leaf: 1, cover: 1 }
        : {
            feature: f,
            threshold: 0,
            missingLeft: false,
            cover: 2,
            left: chain(f + 1),
            right: { leaf: -1, cover: 1 },
          };
    // A split whose right child saw no training row: its cover share is 0.
    const zeroShare = { ...chain(width - 1), cover: 3 } as Extract<NodeSpec, { feature: number }>;
    zeroShare.left = { leaf: 1, cover: 3 };
    zeroShare.right = { leaf: 2, cover: 0 };
    const ensemble = ensembleOf(
      [
        { output: 0, root: chain(0) },
        { output: 0, root: zeroShare },
      ],
      { inputWidth: width, outputs: 1, link: 'identity', baseline: [0] },
    );
    const shap = new TreeShap(ensemble, { maxTableEntries: Number.POSITIVE_INFINITY });
    expect(shap.tableTrees).toBe(0);
    const phi = new Float64Array(width);
    shap.explainInto(new Float32Array(width).fill(-1), 0, phi);
    const margin = new TreeEngine(ensemble).predictMargins(new Float32Array(width).fill(-1), 1)[0]!;
    expect(Math.abs(shap.expectedValue[0]! + phi.reduce((s, v) => s + v, 0) - margin)).toBeLessThan(
      1e-12,
    );
  });
});

describe('tree explanations per raw column', () => {
  it('explain the log-odds of a tree predictor; the column no tree uses gets exactly 0', () => {
    const next = mulberry32(5);
    const roots = [0, 1, 2].map(() => withCovers(randomTree(next, 1, 0, 3), next));
    const trees = ensembleOf(
      roots.map((root) => ({ output: 0, root })),
      { inputWidth: 2, outputs: 1, link: 'logistic', baseline: [-0.4] },
    );
    const predictor = predictorFromTrees({
      meta: { name: 't', version: 1, task: 'binary' },
      pipeline: treePipeline(),
      labels: LabelEncoder.fit(['no', 'yes']),
      trees,
    });
    const explainer = Explainer.of(predictor);
    expect(explainer.method).toBe('tree_shap');
    expect(Explainer.of(predictor)).toBe(explainer);
    const rows = [
      { x: 1, c: 'a' },
      { x: -2, c: 'b' },
      { x: null, c: null },
      { x: 0.3, c: 'zz' },
    ];
    const batch = explainer.explainBatch(rows);
    const margins = predictor.predictMargins(rows).margins;
    const outputs = predictor.predictBatch(rows).outputs;
    batch.explanations.forEach(([explanation], r) => {
      expect(explanation!.output).toBe(margins[r]);
      expect(explanation!.probability).toBeCloseTo(outputs[2 * r + 1]!, 6);
      expect(explanation!.contributions.c).toBe(0);
      expect(Math.abs(explanation!.approximationError)).toBeLessThan(1e-12);
    });
  });
});
