import path from 'node:path';
import type { TreeInput } from '@tandem/features';
import { TreeEngine } from '@tandem/runtime';
import { describe, expect, it } from 'vitest';
import { fitBins, float32Edge } from '../src/gbdt/binning.ts';
import { type BoostSettings, boost, shouldStop } from '../src/gbdt/boost.ts';
import type { GbdtLoss } from '../src/gbdt/losses.ts';
import { DATA } from './support.ts';

const numeric = (name: string): TreeInput => ({
  name,
  column: name,
  kind: 'numeric',
  categories: 0,
});
const categorical = (name: string, categories: number): TreeInput => ({
  name,
  column: name,
  kind: 'categorical',
  categories,
});

/** One tree, two leaves, learning rate 1, no early stopping: every figure checkable by hand. */
const STUMP: BoostSettings = {
  learningRate: 1,
  maxIter: 1,
  maxLeafNodes: 2,
  maxDepth: null,
  minSamplesLeaf: 1,
  l2: 0,
  maxBins: 255,
  earlyStopping: false,
  nIterNoChange: 10,
  tol: 1e-7,
  seed: 1,
};

/** A STUMP on one numeric input x. */
const stump = (loss: GbdtLoss, outputs: number, data: ReturnType<typeof part>) =>
  boost(loss, outputs, [numeric('x')], data, null, STUMP);

function part(columns: number[][], y: number[]) {
  const rows = y.length;
  const width = columns.length;
  const x = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) for (let f = 0; f < width; f++) x[i * width + f] = columns[f]![i]!;
  return { x, rows, y: Float64Array.from(y) };
}

describe('a deadline', () => {
  const data = part([[1, 2, 3, 4, 5, 6, 7, 8]], [1, 1, 2, 3, 5, 8, 13, 21]);
  const settings = { ...STUMP, maxIter: 20, learningRate: 0.1 };

  it('stops boosting after the iteration that reaches it, and says so', () => {
    const cut = boost('squared_error', 1, [numeric('x')], data, null, {
      ...settings,
      deadline: performance.now() - 1,
    });
    expect(cut.iterations).toBe(1);
    expect(cut.bestIteration).toBe(1);
    expect(cut.stoppedByDeadline).toBe(true);
    expect(cut.ensemble.treeOutput).toHaveLength(1);
  });

  it('changes nothing when it is not reached', () => {
    const far = boost('squared_error', 1, [numeric('x')], data, null, {
      ...settings,
      deadline: performance.now() + 3_600_000,
    });
    const none = boost('squared_error', 1, [numeric('x')], data, null, settings);
    expect(far.iterations).toBe(20);
    expect(far.stoppedByDeadline).toBe(false);
    expect(Array.from(far.ensemble.value)).toEqual(Array.from(none.ensemble.value));
  });
});

describe('one split, checked by hand', () => {
  it('squared error: mean baseline, gain ΣG²/H, leaf values −G/H', () => {
    // baseline 3; g = 3 − y = [2, 2, 2, −2, −2, −2], h = 1: the split x ≤ 3.5 has
    // gain 6²/3 + 6²/3 − 0²/6 = 24 and leaves −6/3 = −2, 6/3 = 2.
    const { ensemble } = stump('squared_error', 1, part([[1, 2, 3, 4, 5, 6]], [1, 1, 1, 5, 5, 5]));
    expect(Array.from(ensemble.baseline)).toEqual([3]);
    expect(Array.from(ensemble.feature)).toEqual([0, -1, -1]);
    expect(ensemble.threshold[0]).toBe(3.5);
    expect(ensemble.gain[0]).toBeCloseTo(24, 10);
    expect(Array.from(ensemble.value.subarray(1))).toEqual([-2, 2]);
    expect(Array.from(ensemble.cover)).toEqual([6, 3, 3]);
  });

  it('log loss: log-odds baseline, hessian p(1 − p)', () => {
    // baseline log(2/2) = 0, p = 0.5: g = p − y = ±0.5, h = 0.25. Split x ≤ 1.5: G_L = 1,
    // H_L = 0.5, G_R = −1, H_R = 0.5; gain 1/0.5 + 1/0.5 − 0 = 4; leaves −2 and 2.
    const { ensemble } = stump('log_loss', 1, part([[0, 1, 2, 3]], [0, 0, 1, 1]));
    expect(Array.from(ensemble.baseline)).toEqual([0]);
    expect(ensemble.threshold[0]).toBe(1.5);
    expect(ensemble.gain[0]).toBeCloseTo(4, 10);
    expect(ensemble.value[1]).toBeCloseTo(-2, 10);
    expect(ensemble.value[2]).toBeCloseTo(2, 10);
  });

  it('softmax: one tree per class, centred log priors', () => {
    // Priors 1/3 each: baseline 0, p = 1/3; class 0: g = 1/3 − [y = 0], h = 2/9. Best split
    // x ≤ 1.5: G_L = −4/3, H_L = 4/9, G_R = 4/3, H_R = 8/9: gain 4 + 2 = 6; leaves 3, −1.5.
    const { ensemble } = stump('softmax', 3, part([[0, 1, 2, 3, 4, 5]], [0, 0, 1, 1, 2, 2]));
    expect(Array.from(ensemble.baseline)).toEqual([0, 0, 0]);
    expect(Array.from(ensemble.treeOutput)).toEqual([0, 1, 2]);
    expect(ensemble.threshold[0]).toBe(1.5);
    expect(ensemble.gain[0]).toBeCloseTo(6, 6);
    expect(ensemble.value[1]).toBeCloseTo(3, 6);
    expect(ensemble.value[2]).toBeCloseTo(-1.5, 6);
    // Class 2's tree splits at x ≤ 3.5 with the mirror image of class 0's values.
    expect(ensemble.threshold[6]).toBe(3.5);
    expect(ensemble.value[7]).toBeCloseTo(-1.5, 6);
    expect(ensemble.value[8]).toBeCloseTo(3, 6);
  });
});

describe('missing values and categories', () => {
  const nan = Number.NaN;

  it('learns where missing values go, and sends them to the larger child when training had none', () => {
    // x missing on the rows with high targets: missing goes right, with them. z has no gap: a
    // NaN at prediction follows its larger child (left: 4 rows ≤ 2.5 against 2).
    const x = [1, 2, 3, nan, nan, nan];
    const { ensemble } = stump('squared_error', 1, part([x], [0, 0, 0, 9, 9, 9]));
    expect(ensemble.flags[0]! & 1).toBe(0);
    const engine = new TreeEngine(ensemble);
    expect(Array.from(engine.predictMargins(Float32Array.of(nan, 2), 2))).toEqual([9, 0]);

    const z = [1, 2, 2.2, 2.4, 3, 4];
    const zTrees = boost(
      'squared_error',
      1,
      [numeric('z')],
      part([z], [0, 0, 0, 0, 8, 8]),
      null,
      STUMP,
    ).ensemble;
    expect(zTrees.threshold[0]).toBeCloseTo(2.7, 6);
    expect(zTrees.flags[0]! & 1).toBe(1);
    expect(new TreeEngine(zTrees).predictMargins(Float32Array.of(nan), 1)[0]).toBeCloseTo(0, 5);
  });

  it('splits categories by gradient order; unseen levels (NaN) follow the missing branch', () => {
    // Codes 0 and 2 have high targets, 1 low, 10 rows each (the minimum support); no gap in
    // training: NaN goes to the larger child, the {0, 2} side.
    const codes: number[] = [];
    const y: number[] = [];
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 10; i++) {
        codes.push(c);
        y.push(c === 1 ? 0 : 6);
      }
    }
    const { ensemble } = boost(
      'squared_error',
      1,
      [categorical('c', 3)],
      part([codes], y),
      null,
      STUMP,
    );
    expect(ensemble.flags[0]! & 2).toBe(2);
    const engine = new TreeEngine(ensemble);
    const margins = Array.from(engine.predictMargins(Float32Array.of(0, 1, 2, nan), 4));
    expect(margins).toEqual([6, 0, 6, 6]);
  });
});

describe('binning and stopping', () => {
  it('fits midpoints between distinct values, and float32 edges that split float32 values alike', () => {
    const x = Float32Array.of(1, 2, 2, 4, Number.NaN);
    const mapper = fitBins(x, 5, [numeric('x')], 255, 1);
    expect(Array.from(mapper.edges[0]!)).toEqual([1.5, 3]);
    expect(mapper.hasMissing[0]).toBe(1);
    // 0.1 + 0.2 lies between two float32 values: the edge is the float32 at or below it.
    const edge = 0.30000000000000004;
    const e32 = float32Edge(edge);
    expect(e32).toBeLessThanOrEqual(edge);
    expect(Math.fround(e32)).toBe(e32);
  });

  it('stops as scikit-learn does: no loss below the reference minus tol in n iterations', () => {
    expect(shouldStop([1, 0.9, 0.9, 0.9], 3, 1e-7)).toBe(false);
    expect(shouldStop([1, 0.9, 0.9, 0.9, 0.9], 3, 1e-7)).toBe(true);
    expect(shouldStop([1, 0.9, 0.9, 0.9, 0.89], 3, 1e-7)).toBe(false);
  });
});

describe('histogram threads', () => {
  it('give the same trees.bin bytes on 1, 2 and 3 threads', async () => {
    const { readTable } = await import('../src/data/read.ts');
    const { treeData } = await import('../src/gbdt/tree-data.ts');
    const { encodeTreeFile } = await import('@tandem/runtime');
    for (const [name, target, task] of [
      ['credit', 'Status', 'binary'],
      ['penguins', 'species', 'multiclass'],
    ] as const) {
      const table = await readTable(path.join(DATA, `${name}.csv`));
      const data = treeData(table.rows, target, task);
      // A low threshold, so that the workers share nodes of these small sets.
      const fit = (threads: number) =>
        encodeTreeFile(
          boost(data.loss, data.outputs, data.inputs, data.part, null, {
            ...STUMP,
            learningRate: 0.1,
            maxIter: 20,
            maxLeafNodes: 31,
            minSamplesLeaf: 20,
            threads,
            minThreadedRows: 64,
          }).ensemble,
        );
      const one = fit(1);
      expect(Buffer.from(fit(2)).equals(Buffer.from(one))).toBe(true);
      expect(Buffer.from(fit(3)).equals(Buffer.from(one))).toBe(true);
    }
  }, 60_000);
});
