import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeTreeFile,
  encodeTreeFile,
  runtimeInfo,
  TreeEngine,
  type TreeEnsemble,
} from '../src/index.ts';
import {
  compileTrees,
  MAX_PRELOADED_FEATURES,
  MAX_TREE_NODES,
} from '../src/trees/compiled-trees.ts';
import {
  binaryTrees,
  ensembleOf,
  mulberry32,
  type NodeSpec,
  randomTree,
  referenceLeaf,
} from './fixtures/trees.ts';
import { expectSameBits, randomRows, WIDE_DRAWS } from './trees-fixtures.ts';

describe('compiled trees', () => {
  const originalFunction = globalThis.Function;
  afterEach(() => {
    globalThis.Function = originalFunction;
  });

  for (const [width, categorical] of [
    [6, 2],
    [MAX_PRELOADED_FEATURES + 8, 10], // too many features to preload: read in place
  ] as const) {
    it(`equal the reference traversal and the loop value by value (${width} features)`, () => {
      const next = mulberry32(11 + width);
      const outputs = 3;
      const specs = Array.from({ length: 57 }, (_, t) => ({
        output: t % outputs,
        root: randomTree(next, width, categorical, 7, WIDE_DRAWS),
      }));
      const baseline = [0.5, -0, -1.25];
      const ensemble = decodeTreeFile(
        encodeTreeFile(
          ensembleOf(specs, { inputWidth: width, outputs, link: 'softmax', baseline }),
        ),
      );
      const compiled = new TreeEngine(ensemble, { traversal: 'compiled' });
      const loop = new TreeEngine(ensemble, { traversal: 'loop' });
      expect(compiled.traversal).toBe('compiled');
      expect(runtimeInfo().trees).toBe('simd');
      expect(loop.traversal).toBe('loop');
      const rows = 700; // not a multiple of the 256-row block
      const x = randomRows(next, rows, width, categorical);
      const margins = compiled.predictMargins(x, rows).slice();
      for (let i = 0; i < rows; i++) {
        const row = x.subarray(i * width, (i + 1) * width);
        const expected = [...baseline];
        for (const tree of specs) expected[tree.output]! += referenceLeaf(tree.root, row);
        expectSameBits(margins.subarray(i * outputs, (i + 1) * outputs), expected);
      }
      expectSameBits(margins, loop.predictMargins(x, rows));
      expectSameBits(compiled.predict(x, rows).slice(), loop.predict(x, rows));
      const y = randomRows(next, rows, width, categorical, true);
      expectSameBits(compiled.predictMargins(y, rows).slice(), loop.predictMargins(y, rows));
      // One function per tree adds the same values in the same order.
      const perTree = compileTrees(ensemble, 1)!;
      expect(perTree.length).toBe(specs.length);
      const summed = Float64Array.from(
        { length: rows * outputs },
        (_, i) => baseline[i % outputs]!,
      );
      for (const group of perTree) group(x, width, 0, rows, summed);
      expectSameBits(summed, margins);
      // One row at a time gives the bits of the batch.
      for (const i of [0, 255, 256, 699]) {
        const one = compiled.predictMargins(x.subarray(i * width, (i + 1) * width), 1);
        expectSameBits(one, margins.subarray(i * outputs, (i + 1) * outputs));
      }
    });
  }

  it('fall back to the loop, with the same outputs, where code generation is refused', () => {
    const ensemble = binaryTrees();
    const rows = Float32Array.from([4, 0, 4.5, 1, 4.5, 0, Number.NaN, 7]);
    const compiled = new TreeEngine(ensemble, { traversal: 'compiled' });
    globalThis.Function = function refused() {
      throw new EvalError('Code generation from strings disallowed for this context');
    } as unknown as FunctionConstructor;
    const refused = new TreeEngine(ensemble, { traversal: 'compiled' });
    globalThis.Function = originalFunction;
    expect(refused.traversal).toBe('loop');
    expectSameBits(refused.predictMargins(rows, 4), compiled.predictMargins(rows, 4));
  });

  it('leave a tree too large for one optimised function to the loop', () => {
    // A chain of splits: each left child a leaf, MAX_TREE_NODES + 1 nodes in all.
    let root: NodeSpec = { leaf: 0.5 };
    for (let i = MAX_TREE_NODES / 2 - 1; i >= 0; i--) {
      root = { feature: 0, threshold: i, missingLeft: false, left: { leaf: i }, right: root };
    }
    const options = { inputWidth: 1, outputs: 1, link: 'identity' as const, baseline: [0] };
    const small = ensembleOf([{ output: 0, root: { leaf: 1 } }], options);
    const large = ensembleOf(
      [
        { output: 0, root: { leaf: 1 } },
        { output: 0, root },
      ],
      options,
    );
    expect(large.feature.length).toBe(1 + MAX_TREE_NODES + 1);
    expect(new TreeEngine(small, { traversal: 'compiled' }).traversal).toBe('compiled');
    const engine = new TreeEngine(large);
    expect(engine.traversal).toBe('loop');
    expect(Array.from(engine.predictMargins(Float32Array.from([-1, 7.5, 1e9]), 3))).toEqual([
      1, 9, 1.5,
    ]);
  });

  it('print numbers only: an ensemble carrying anything else is refused', () => {
    const bad = (patch: Partial<Record<keyof TreeEnsemble, unknown>>) => () =>
      compileTrees({ ...binaryTrees(), ...patch } as TreeEnsemble);
    const value = Array.from(binaryTrees().value) as unknown[];
    value[1] = '0); globalThis.hacked = (1';
    expect(bad({ value })).toThrow(/leaf value .* is not finite/);
    const feature = Array.from(binaryTrees().feature) as unknown[];
    feature[0] = '0] + globalThis.hacked + x[0';
    expect(bad({ feature })).toThrow(/is not an integer/);
    const threshold = Array.from(binaryTrees().threshold);
    threshold[0] = 0.1; // not a float32
    expect(bad({ threshold })).toThrow(/threshold 0.1 is not a float32/);
    expect((globalThis as { hacked?: unknown }).hacked).toBeUndefined();
  });
});
