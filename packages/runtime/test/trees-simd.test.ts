import { describe, expect, it } from 'vitest';
import {
  decodeTreeFile,
  encodeTreeFile,
  Predictor,
  TreeEngine,
  type TreeEnsemble,
} from '../src/index.ts';
import { MAX_SIMD_LEAVES, SIMD_BLOCK_ROWS, SimdTrees } from '../src/trees/simd-trees.ts';
import { labels } from './fixtures/tiny.ts';
import {
  dataTree,
  ensembleOf,
  mulberry32,
  type NodeSpec,
  type RandomTreeDraws,
  randomTree,
  referenceLeaf,
  treePipeline,
} from './fixtures/trees.ts';
import { expectSameBits, randomRows, WIDE_DRAWS } from './trees-fixtures.ts';

const DRAWS: RandomTreeDraws = { ...WIDE_DRAWS, stop: 0.1 };

function leavesOf(node: NodeSpec): number {
  return 'leaf' in node ? 1 : leavesOf(node.left) + leavesOf(node.right);
}

describe('SIMD trees', () => {
  it('equal the reference traversal, the loop and the compiled code value by value', () => {
    const next = mulberry32(29);
    const width = 7;
    const categorical = 3;
    const outputs = 3;
    // Depth 5: up to 32 leaves, the most one lane mask holds.
    const specs = Array.from({ length: 41 }, (_, t) => ({
      output: t % outputs,
      root: randomTree(next, width, categorical, 5, DRAWS),
    }));
    expect(Math.max(...specs.map((tree) => leavesOf(tree.root)))).toBe(MAX_SIMD_LEAVES);
    const baseline = [0.5, -0, -1.25];
    const ensemble = decodeTreeFile(
      encodeTreeFile(ensembleOf(specs, { inputWidth: width, outputs, link: 'softmax', baseline })),
    );
    const simd = new TreeEngine(ensemble, { traversal: 'simd' });
    const compiled = new TreeEngine(ensemble, { traversal: 'compiled' });
    const loop = new TreeEngine(ensemble, { traversal: 'loop' });
    expect([simd.traversal, compiled.traversal, loop.traversal]).toEqual([
      'simd',
      'compiled',
      'loop',
    ]);
    // Not a multiple of 4 or of the block: the last lanes of the last block hold no row.
    const rows = 2 * SIMD_BLOCK_ROWS + 187;
    const x = randomRows(next, rows, width, categorical, true);
    const margins = simd.predictMargins(x, rows).slice();
    for (let i = 0; i < rows; i++) {
      const row = x.subarray(i * width, (i + 1) * width);
      const expected = [...baseline];
      for (const tree of specs) expected[tree.output]! += referenceLeaf(tree.root, row);
      if (row.slice(0, categorical).every((v) => Number.isNaN(v) || Number.isInteger(v)))
        expectSameBits(margins.subarray(i * outputs, (i + 1) * outputs), expected);
    }
    expectSameBits(margins, loop.predictMargins(x, rows));
    expectSameBits(margins, compiled.predictMargins(x, rows));
    expectSameBits(simd.predict(x, rows).slice(), loop.predict(x, rows));
    // One row at a time, and a row in another position, give the bits of the batch.
    for (const i of [0, 3, 4, SIMD_BLOCK_ROWS, rows - 1]) {
      const one = simd.predictMargins(x.subarray(i * width, (i + 1) * width), 1);
      expectSameBits(one, margins.subarray(i * outputs, (i + 1) * outputs));
    }
    // The default engine runs SIMD on large batches and the compiled code on small ones: the
    // same bits at every batch size.
    const auto = new TreeEngine(ensemble);
    expect(auto.traversal).toBe('simd');
    for (const n of [1, 2, 15, 16, 17, rows]) {
      expectSameBits(auto.predictMargins(x, n).slice(), margins.subarray(0, n * outputs));
    }
  });

  it('agree with the loop on trainer-shaped trees of 31 leaves over encoded rows', () => {
    const next = mulberry32(5);
    const width = 12;
    const categorical = Array.from({ length: width }, (_, f) => f % 4 === 0);
    const rows = 1000;
    const x = new Float32Array(rows * width);
    for (let i = 0; i < x.length; i++) {
      const f = i % width;
      const r = next();
      x[i] = r < 0.08 ? Number.NaN : categorical[f] ? Math.floor(next() * 6) : Math.round(r * 900);
    }
    const specs = Array.from({ length: 100 }, () => ({
      output: 0,
      root: dataTree(next, x, rows, width, categorical, 31),
    }));
    const ensemble = ensembleOf(specs, {
      inputWidth: width,
      outputs: 1,
      link: 'logistic',
      baseline: [-0.7],
    });
    const simd = new TreeEngine(ensemble, { traversal: 'simd' });
    expect(simd.traversal).toBe('simd');
    const loop = new TreeEngine(ensemble, { traversal: 'loop' });
    expectSameBits(simd.predictMargins(x, rows).slice(), loop.predictMargins(x, rows));
    expectSameBits(simd.predict(x, rows).slice(), loop.predict(x, rows));
  });

  it('leave trees of more than 32 leaves to the compiled code', () => {
    let root: NodeSpec = { leaf: 0.5 };
    for (let i = MAX_SIMD_LEAVES - 1; i >= 0; i--) {
      root = { feature: 0, threshold: i, missingLeft: false, left: { leaf: i }, right: root };
    }
    const options = { inputWidth: 1, outputs: 1, link: 'identity' as const, baseline: [0] };
    const wide: TreeEnsemble = ensembleOf([{ output: 0, root }], options);
    expect(leavesOf(root)).toBe(MAX_SIMD_LEAVES + 1);
    expect(SimdTrees.create(wide)).toBeNull();
    const engine = new TreeEngine(wide);
    expect(engine.traversal).toBe('compiled');
    expect(
      Array.from(engine.predictMargins(Float32Array.from([-1, 7.5, 1e9, Number.NaN]), 4)),
    ).toEqual([0, 8, 0.5, 0.5]);
  });

  it('give a Predictor the outputs of the loop, missing values and unseen categories included', () => {
    const pipeline = treePipeline();
    const ensemble = ensembleOf(
      [
        {
          output: 0,
          root: {
            feature: 0,
            threshold: 4,
            missingLeft: true,
            left: { leaf: -1 },
            right: {
              feature: 1,
              categories: [1],
              missingLeft: false,
              left: { leaf: 0.5 },
              right: { leaf: 2 },
            },
          },
        },
      ],
      { inputWidth: 2, outputs: 1, link: 'logistic', baseline: [0.1] },
    );
    const meta = { name: 'm', version: 1, task: 'binary' as const };
    const make = (engine: TreeEngine) => new Predictor({ meta, pipeline, labels, engine });
    const simd = make(new TreeEngine(ensemble, { traversal: 'simd' }));
    const loop = make(new TreeEngine(ensemble, { traversal: 'loop' }));
    expect(simd.engine).toBe('trees');
    const rows = [
      { x: 3, c: 'a' },
      { x: 9, c: 'b' },
      { x: null, c: 'b' },
      { x: 9, c: null },
      { x: 9, c: 'never seen' },
      { x: '7', c: 'a' },
    ];
    const a = simd.predictBatch(rows, { errors: 'collect' });
    const b = loop.predictBatch(rows, { errors: 'collect' });
    expectSameBits(a.outputs, b.outputs);
    expect(a.issues).toEqual(b.issues);
    expect(a.rejected).toEqual(b.rejected);
  });
});
