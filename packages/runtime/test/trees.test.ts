import { describe, expect, it } from 'vitest';
import {
  decodeTreeFile,
  encodeTreeFile,
  Predictor,
  predictedClass,
  predictorFromTrees,
  type RuntimeError,
  TreeEngine,
} from '../src/index.ts';
import { labels } from './fixtures/tiny.ts';
import {
  binaryTrees,
  ensembleOf,
  mulberry32,
  randomTree,
  referenceLeaf,
  treePipeline,
} from './fixtures/trees.ts';

function expectCode(action: () => unknown, code: string, message: RegExp): void {
  try {
    action();
  } catch (error) {
    expect((error as RuntimeError).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a throw');
}

describe('trees.bin', () => {
  it('round-trips: same arrays, same bytes', () => {
    const ensemble = binaryTrees();
    const bytes = encodeTreeFile(ensemble);
    expect(bytes.length % 8).toBe(0);
    const decoded = decodeTreeFile(bytes);
    for (const key of Object.keys(ensemble) as Array<keyof typeof ensemble>) {
      const a = ensemble[key];
      const b = decoded[key];
      expect(ArrayBuffer.isView(b) ? Array.from(b as Float64Array) : b).toEqual(
        ArrayBuffer.isView(a) ? Array.from(a as Float64Array) : a,
      );
    }
    expect(Buffer.from(encodeTreeFile(decoded)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses a file that is not a valid tree file, saying why', () => {
    const bytes = encodeTreeFile(binaryTrees());
    // A copy of the file with one byte changed.
    const broken = (at: number, value: number) => () => {
      const copy = bytes.slice();
      copy[at] = value;
      return decodeTreeFile(copy);
    };
    const code = 'TANDEM_MODEL_FILES_INVALID';
    expectCode(broken(0, 0), code, /does not start with "TNDT"/);
    expectCode(broken(4, 2), code, /has format 2; this build reads format 1/);
    expectCode(
      () => decodeTreeFile(bytes.slice(0, bytes.length - 8)),
      code,
      /truncated|bytes after/,
    );
    // The right child of node 0 pointing at itself would loop forever.
    const ensemble = binaryTrees();
    ensemble.right[0] = 0;
    expectCode(() => decodeTreeFile(encodeTreeFileUnchecked(ensemble)), code, /out of preorder/);
  });
});

/** encodeTreeFile checks its input; a corrupt file is made by patching a valid one. */
function encodeTreeFileUnchecked(ensemble: ReturnType<typeof binaryTrees>): Uint8Array {
  const right = ensemble.right[0]!;
  ensemble.right[0] = binaryTrees().right[0]!;
  const bytes = encodeTreeFile(ensemble);
  const decoded = decodeTreeFile(bytes);
  // Find the right array's bytes in the file and patch its first entry.
  const offset = decoded.right.byteOffset;
  new DataView(bytes.buffer).setInt32(offset, right, true);
  return bytes;
}

describe('TreeEngine', () => {
  it('agrees with a plain reference traversal, NaN and categories included', () => {
    const next = mulberry32(7);
    const width = 5;
    const specs = Array.from({ length: 40 }, (_, t) => ({
      output: t % 3,
      root: randomTree(next, width, 2, 6),
    }));
    const baseline = [0.5, -0.25, 0];
    const ensemble = ensembleOf(specs, {
      inputWidth: width,
      outputs: 3,
      link: 'softmax',
      baseline,
    });
    const rows = 600;
    const features = new Float32Array(rows * width);
    for (let i = 0; i < features.length; i++) {
      const f = i % width;
      const r = next();
      features[i] = r < 0.1 ? Number.NaN : f < 2 ? Math.floor(next() * 9) : (next() - 0.5) * 5;
    }
    const engine = new TreeEngine(decodeTreeFile(encodeTreeFile(ensemble)));
    const margins = engine.predictMargins(features, rows).slice();
    const probabilities = engine.predict(features, rows);
    for (let i = 0; i < rows; i++) {
      const row = features.subarray(i * width, (i + 1) * width);
      const expected = [...baseline];
      for (const tree of specs) expected[tree.output]! += referenceLeaf(tree.root, row);
      for (let c = 0; c < 3; c++) expect(margins[i * 3 + c]).toBe(expected[c]);
      const max = Math.max(...expected);
      const sum = expected.reduce((s, m) => s + Math.exp(m - max), 0);
      for (let c = 0; c < 3; c++) {
        expect(probabilities[i * 3 + c]).toBe(Math.fround(Math.exp(expected[c]! - max) / sum));
      }
    }
  });

  it('routes by the documented rules', () => {
    const engine = new TreeEngine(binaryTrees());
    // Tree 0: x <= 4 → -1; else c in {b = 1} → 0.5, other codes → 2, c missing → left (0.5); x
    // missing → right. Tree 1: c in {a = 0} → -0.25, else and missing → 0.25.
    const rows = Float32Array.from([4, 0, 4.5, 1, 4.5, 0, 4.5, Number.NaN, Number.NaN, 1, 9, 7]);
    expect(Array.from(engine.predictMargins(rows, 6))).toEqual([
      0.1 - 1 - 0.25,
      0.1 + 0.5 + 0.25,
      0.1 + 2 - 0.25,
      0.1 + 0.5 + 0.25,
      0.1 + 0.5 + 0.25,
      0.1 + 2 + 0.25, // code 7 is in no bitset: right
    ]);
  });
});

describe('Predictor on trees', () => {
  const meta = { name: 't', version: 1, task: 'binary' as const, sample: { x: 1, c: 'a' } };
  const rows = [{ x: 1, c: 'a' }, { x: 6, c: 'b' }, { x: 6, c: 'zz' }, { x: null }, { x: 'bad' }];

  it('turns margins into [1 − p, p]; unseen levels follow the missing branch', () => {
    const predictor = predictorFromTrees({
      meta,
      pipeline: treePipeline(),
      labels,
      trees: binaryTrees(),
    });
    expect(predictor.engine).toBe('trees');
    const batch = predictor.predictBatch(rows, { errors: 'collect' });
    const margins = predictor.predictMargins(rows, { errors: 'collect' });
    expect(batch.rejected).toEqual([4]);
    expect(Array.from(margins.margins.subarray(0, 4))).toEqual([
      0.1 - 1 - 0.25,
      0.1 + 0.5 + 0.25,
      0.1 + 0.5 + 0.25, // 'zz' is NaN: missing goes left in both trees' categorical splits
      0.1 + 0.5 + 0.25, // x missing → right, c missing → left; tree 1: missing → right
    ]);
    for (let i = 0; i < 4; i++) {
      const p = Math.fround(1 / (1 + Math.exp(-margins.margins[i]!)));
      expect([batch.outputs[2 * i], batch.outputs[2 * i + 1]]).toEqual([Math.fround(1 - p), p]);
    }
    expect(Number.isNaN(margins.margins[4])).toBe(true);
  });

  it('rebuilds from its replica with bit-identical outputs', () => {
    const predictor = predictorFromTrees({
      meta,
      pipeline: treePipeline(),
      labels,
      trees: binaryTrees(),
    });
    const replica = structuredClone(predictor.replica()!);
    expect(replica.trees).toBeInstanceOf(Uint8Array);
    const rebuilt = Predictor.fromReplica(replica);
    expect(rebuilt.engine).toBe('trees');
    const a = predictor.predictBatch(rows, { errors: 'collect' });
    const b = rebuilt.predictBatch(rows, { errors: 'collect' });
    expect(Buffer.from(b.outputs.buffer).equals(Buffer.from(a.outputs.buffer))).toBe(true);
    expect(b.issues).toEqual(a.issues);
  });

  it('refuses trees that do not fit the pipeline', () => {
    const trees = binaryTrees();
    trees.inputWidth = 3;
    trees.featureNames.push('f2');
    expectCode(
      () => predictorFromTrees({ meta, pipeline: treePipeline(), labels, trees }),
      'TANDEM_MODEL_LOAD_FAILED',
      /the model takes 3 inputs but the feature pipeline gives 2/,
    );
  });
});

describe('predictedClass', () => {
  it('takes the largest, the first on a tie, never a NaN', () => {
    expect(predictedClass([0.2, 0.5, 0.3])).toBe(1);
    expect(predictedClass([0.4, 0.4, 0.2])).toBe(0);
    expect(predictedClass([Number.NaN, 0.1, 0.9])).toBe(2);
    expect(predictedClass([9, 9, 0.1, 0.6, 0.3], 2, 3)).toBe(1);
  });
});
