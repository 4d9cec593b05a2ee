import { type FittedPipeline, LabelEncoder, type RawRow, TargetScaler } from '@tandem/features';
import {
  BITSET_WORDS,
  checkEnsemble,
  encodeFeaturesFile,
  encodeTreeFile,
  type TreeEnsemble,
  type TreeLink,
} from '@tandem/runtime';
import { Predictor, type PredictorReplica } from '@tandem/runtime/predictor';
import { describe, expect, it } from 'vitest';
import { type DenseStack, type ExportMember, exportOnnx } from '../src/index.ts';
import {
  categorical,
  DENSE_COLUMNS,
  numeric,
  pipelineOf,
  RECORDS,
  seededRandom,
} from './columns.ts';
import { maxAbsDelta, runOnRows } from './support.ts';

// An ensemble version's graph: a dense member and a tree member, each with its own pipeline over
// the same raw columns, blended with their weights. Compared with the runtime's ensemble
// Predictor (float64 weighted sum of the members' float32 outputs) value by value.

/** The network's encoding: standardized, one-hot. */
const DENSE_PIPELINE = pipelineOf(DENSE_COLUMNS);

/** The trees' encoding of the same columns: raw numbers (NaN missing) and category codes. */
const TREE_PIPELINE = pipelineOf([
  numeric({
    name: 'income',
    missingIndicator: false,
    observed: { min: 0, max: 300 },
    impute: { strategy: 'none', value: 0 },
    transform: { kind: 'identity' },
  }),
  categorical({
    name: 'home',
    missingIndicator: false,
    missing: 0,
    impute: { strategy: 'none', value: null },
    encoding: { kind: 'codes' },
  }),
  { ...RECORDS, impute: { strategy: 'none', value: 0 } },
]);

const ROWS: RawRow[] = Array.from({ length: 96 }, (_, i) => ({
  income: i % 9 === 0 ? null : i % 13 === 0 ? 900 : (i * 37) % 300,
  home: ['rent', 'owner', 'parents', 'boat', ''][i % 5],
  records: i % 3 === 0,
}));

function stackOf(widths: number[], seed: number): DenseStack {
  const next = seededRandom(seed);
  const steps = widths.slice(1).map((units, i) => {
    const inputs = widths[i] as number;
    return {
      inputs,
      units,
      weights: Float32Array.from({ length: inputs * units }, () => (2 * next() - 1) * 0.8),
      bias: Float32Array.from({ length: units }, () => (next() - 0.5) * 0.2),
      activation: i === widths.length - 2 ? (units === 1 ? 'linear' : 'softmax') : 'relu',
    } as DenseStack['steps'][number];
  });
  return { inputWidth: widths[0] as number, outputWidth: widths.at(-1) as number, steps };
}

/**
 * Depth-two trees, one per output per round: income (missing right or left), then the home code
 * (a category set) or records.
 */
function treesOf(link: TreeLink, outputs: number, rounds: number, seed: number): TreeEnsemble {
  const next = seededRandom(seed);
  const nodes = {
    feature: [] as number[],
    threshold: [] as number[],
    flags: [] as number[],
    left: [] as number[],
    right: [] as number[],
    value: [] as number[],
    bitsetOffset: [] as number[],
  };
  const bitsets: number[] = [];
  const treeStart = [0];
  const treeOutput: number[] = [];
  const push = (feature: number, threshold: number, flags: number, left = -1, right = -1) => {
    if (flags & 2) {
      // Levels 0-2 of home; the set's other words stay empty.
      const words = new Array<number>(BITSET_WORDS).fill(0);
      words[0] = (1 << Math.floor(next() * 3)) | (next() < 0.5 ? 1 << 1 : 0);
      nodes.bitsetOffset.push(bitsets.length);
      bitsets.push(...words);
    } else nodes.bitsetOffset.push(-1);
    nodes.feature.push(feature);
    nodes.threshold.push(threshold);
    nodes.flags.push(flags);
    nodes.left.push(left);
    nodes.right.push(right);
    nodes.value.push(feature < 0 ? (next() - 0.5) * 0.8 : 0);
  };
  for (let t = 0; t < rounds * outputs; t++) {
    // Preorder, children by offset from the tree's root: 0 income, 1 home set, 2-3 leaves,
    // 4 records, 5-6 leaves.
    push(0, Math.round(next() * 300), next() < 0.5 ? 1 : 0, 1, 4);
    push(1, 0, 2, 2, 3);
    push(-1, 0, 0);
    push(-1, 0, 0);
    push(2, 0.5, 0, 5, 6);
    push(-1, 0, 0);
    push(-1, 0, 0);
    treeStart.push(nodes.feature.length);
    treeOutput.push(t % outputs);
  }
  const n = nodes.feature.length;
  const ensemble: TreeEnsemble = {
    inputWidth: TREE_PIPELINE.width,
    outputs,
    link,
    baseline: Float64Array.from({ length: outputs }, (_, k) => 0.2 * k - 0.1),
    treeStart: Uint32Array.from(treeStart),
    treeOutput: Uint32Array.from(treeOutput),
    feature: Int32Array.from(nodes.feature),
    threshold: Float32Array.from(nodes.threshold),
    flags: Uint8Array.from(nodes.flags),
    left: Int32Array.from(nodes.left),
    right: Int32Array.from(nodes.right),
    value: Float64Array.from(nodes.value),
    cover: new Uint32Array(n),
    gain: new Float32Array(n),
    bitsetOffset: Int32Array.from(nodes.bitsetOffset),
    bitsets: Uint32Array.from(bitsets),
    featureNames: [...TREE_PIPELINE.outputNames],
  };
  checkEnsemble(ensemble);
  return ensemble;
}

interface Case {
  task: 'binary' | 'multiclass' | 'regression';
  labels: LabelEncoder | null;
  /** The network's target scaler (regression); trees predict on the target's scale. */
  targetScaler: TargetScaler | null;
  stack: DenseStack;
  trees: TreeEnsemble;
  weights: [number, number];
}

function featuresOf(pipeline: FittedPipeline, c: Case, scaled: boolean) {
  return { pipeline, labels: c.labels, targetScaler: scaled ? c.targetScaler : null };
}

async function parity(c: Case): Promise<number> {
  const dense = featuresOf(DENSE_PIPELINE, c, true);
  const tree = featuresOf(TREE_PIPELINE, c, false);
  const meta = { name: 'e', version: 1, task: c.task };
  const members: PredictorReplica[] = [
    { meta, features: encodeFeaturesFile(dense), stack: c.stack },
    { meta, features: encodeFeaturesFile(tree), trees: encodeTreeFile(c.trees) },
  ];
  const predictor = Predictor.fromReplica({
    meta,
    features: members[0]!.features,
    ensemble: [
      { model: 'mlp', weight: c.weights[0], replica: members[0]! },
      { model: 'gbdt', weight: c.weights[1], replica: members[1]! },
    ],
  });
  const exportMembers: ExportMember[] = [
    { weight: c.weights[0], features: dense, model: { kind: 'dense', stack: c.stack } },
    { weight: c.weights[1], features: tree, model: { kind: 'trees', ensemble: c.trees } },
  ];
  const exported = exportOnnx({
    name: 'e',
    version: 1,
    task: c.task,
    features: dense,
    model: { kind: 'ensemble', members: exportMembers },
  });
  const out = await runOnRows(exported.bytes, exported.inputs, ROWS);
  const batch = predictor.predictBatch(ROWS);
  expect(batch.rejected).toEqual([]);
  if (c.task === 'regression') {
    expect(out.value?.dims).toEqual([ROWS.length]);
    return maxAbsDelta(out.value!.data as Float32Array, batch.outputs);
  }
  const classes = c.labels!.classes;
  expect(out.probabilities?.dims).toEqual([ROWS.length, classes.length]);
  const labels = Array.from({ length: ROWS.length }, (_, r) => {
    const row = batch.outputs.subarray(r * classes.length, (r + 1) * classes.length);
    return classes[row.indexOf(Math.max(...row))];
  });
  expect(out.label?.data).toEqual(labels);
  return maxAbsDelta(out.probabilities!.data as Float32Array, batch.outputs);
}

const DENSE_WIDTH = DENSE_PIPELINE.width;

describe('an ensemble exported as one graph', () => {
  it('binary: a sigmoid network and log-odds trees blend their probabilities', async () => {
    const labels = LabelEncoder.fit(['no', 'yes']);
    const stack = stackOf([DENSE_WIDTH, 6, 1], 3);
    stack.steps.at(-1)!.activation = 'sigmoid';
    const trees = treesOf('logistic', 1, 12, 4);
    const delta = await parity({
      task: 'binary',
      labels,
      targetScaler: null,
      stack,
      trees,
      weights: [0.36, 0.64],
    });
    expect(delta).toBeLessThanOrEqual(1e-6);
  });

  it('multiclass: softmax network and softmax trees, three classes', async () => {
    const delta = await parity({
      task: 'multiclass',
      labels: LabelEncoder.fit(['a', 'b', 'c']),
      targetScaler: null,
      stack: stackOf([DENSE_WIDTH, 5, 3], 5),
      trees: treesOf('softmax', 3, 8, 6),
      weights: [0.52, 0.48],
    });
    expect(delta).toBeLessThanOrEqual(1e-6);
  });

  it("regression: the network's standardized value restored, then blended with the trees'", async () => {
    const delta = await parity({
      task: 'regression',
      labels: null,
      targetScaler: TargetScaler.fit([12, 18, 23, 31, 40]),
      stack: stackOf([DENSE_WIDTH, 4, 1], 7),
      trees: treesOf('identity', 1, 10, 8),
      weights: [0.2, 0.8],
    });
    expect(delta).toBeLessThanOrEqual(1e-5);
  });

  it('refuses members that read different raw columns', () => {
    const other = pipelineOf([numeric({ name: 'income' })]);
    const stack = stackOf([DENSE_WIDTH, 1], 9);
    const single = stackOf([other.width, 1], 10);
    expect(() =>
      exportOnnx({
        name: 'e',
        version: 1,
        task: 'regression',
        features: { pipeline: DENSE_PIPELINE, labels: null, targetScaler: null },
        model: {
          kind: 'ensemble',
          members: [
            {
              weight: 0.5,
              features: { pipeline: DENSE_PIPELINE, labels: null, targetScaler: null },
              model: { kind: 'dense', stack },
            },
            {
              weight: 0.5,
              features: { pipeline: other, labels: null, targetScaler: null },
              model: { kind: 'dense', stack: single },
            },
          ],
        },
      }),
    ).toThrow("an ensemble's members must read the same raw columns");
  });
});
