import { LabelEncoder } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import { TreeShap } from '../src/explain/tree-shap.ts';
import { Explainer, predictorFromTrees, TreeEngine } from '../src/index.ts';
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
  const value = (mask: number) =>
    roots.reduce((sum, root) => sum + conditional(root, row, (f) => ((mask >> f) & 1) === 1), 0);
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Array<number>(width).fill(0);
  for (let i = 0; i < width; i++) {
    for (let mask = 0; mask < 1 << width; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let m = mask; m; m &= m - 1) size++;
      const weight = (factorial(size) * factorial(width - size - 1)) / factorial(width);
      phi[i] = phi[i]! + weight * (value(mask | (1 << i)) - value(mask));
    }
  }
  return phi;
}

describe('path-dependent TreeSHAP', () => {
  it('equals brute-force Shapley values on small random trees, and adds up to the margin', () => {
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
      const shap = new TreeShap(ensemble);
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
