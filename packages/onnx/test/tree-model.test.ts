import {
  FittedPipeline,
  LabelEncoder,
  type NumericColumnState,
  type PipelineState,
  type RawRow,
} from '@tandem/features';
import { checkEnsemble, encodeTreeFile, type TreeEnsemble, type TreeLink } from '@tandem/runtime';
import { Predictor } from '@tandem/runtime/predictor';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../src/index.ts';
import {
  categorical,
  datetime,
  numeric,
  pipelineOf,
  seededRandom,
  UNSCALED_PARTS,
} from './columns.ts';
import { maxAbsDelta, runOnRows } from './support.ts';

// Random tree ensembles over a tree-encoded pipeline (identity numbers, category codes, NaN for
// missing, rare and unseen values), exported and compared with the tree engine value by value.

const STATE: PipelineState = pipelineOf(
  [
    numericIdentity('x', -50, 50),
    numericIdentity('y', 0, 1e4),
    categorical({
      missingIndicator: false,
      missing: 3,
      levels: ['a', 'b', 'c', 'd', 'e'],
      counts: [40, 30, 15, 8, 3],
      rare: ['z'],
      rareCounts: [1],
      impute: { strategy: 'none', value: null },
      encoding: { kind: 'codes' },
    }),
    {
      name: 'b',
      type: 'boolean',
      nullable: true,
      missingIndicator: false,
      missing: 0,
      trueCount: 50,
      falseCount: 50,
      impute: { strategy: 'none', value: 0 },
    },
    datetime({
      missingIndicator: false,
      missing: 4,
      observed: { min: Date.UTC(2000, 0, 1), max: Date.UTC(2020, 0, 1) },
      impute: { strategy: 'none', value: 0 },
      parts: UNSCALED_PARTS,
    }),
  ],
  100,
).toJSON();

/** A numeric column passed through as it is (trees split on raw values). */
function numericIdentity(name: string, min: number, max: number): NumericColumnState {
  return numeric({
    name,
    missingIndicator: false,
    missing: 5,
    observed: { min, max },
    impute: { strategy: 'none', value: 0 },
    transform: { kind: 'identity' },
  });
}

const PIPELINE = FittedPipeline.fromJSON(STATE);
const CATEGORICAL_FEATURE = PIPELINE.outputNames.indexOf('c');

function rowsOf(seed: number, n: number): RawRow[] {
  const next = seededRandom(seed);
  const pick = <T>(values: T[]): T => values[Math.floor(next() * values.length)] as T;
  return Array.from({ length: n }, (_, i) => ({
    x: i % 11 === 0 ? null : Math.round((next() * 140 - 70) * 4) / 4,
    y: i % 13 === 0 ? '' : Math.round(next() * 12000),
    c: pick(['a', 'b', 'c', 'd', 'e', 'z', 'never seen', '', 'a', 'b']),
    b: next() < 0.5,
    d: i % 17 === 0 ? null : Date.UTC(1995, 0, 1) + Math.floor(next() * 30 * 365.25 * 86_400_000),
  }));
}

/** Random trees in preorder; numeric thresholds taken from feature values, so ties occur. */
function ensembleOf(seed: number, link: TreeLink, outputs: number, trees: number): TreeEnsemble {
  const next = seededRandom(seed);
  const features = PIPELINE.transformBatch(rowsOf(seed + 1, 200)).values;
  const width = PIPELINE.width;
  const feature: number[] = [];
  const threshold: number[] = [];
  const flags: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const bitsetOffset: number[] = [];
  const bitsets: number[] = [];
  const treeStart = [0];
  const treeOutput: number[] = [];
  for (let t = 0; t < trees; t++) {
    const start = feature.length;
    const grow = (depth: number): void => {
      const at = feature.length;
      const leaf = depth >= 4 || (depth > 0 && next() < 0.25);
      if (leaf) {
        feature.push(-1);
        threshold.push(0);
        flags.push(0);
        left.push(-1);
        right.push(-1);
        value.push((next() - 0.5) * 0.7);
        bitsetOffset.push(-1);
        return;
      }
      const f = next() < 0.3 ? CATEGORICAL_FEATURE : Math.floor(next() * width);
      const categorical = f === CATEGORICAL_FEATURE;
      feature.push(f);
      let sample = Number.NaN;
      while (Number.isNaN(sample))
        sample = features[Math.floor(next() * 200) * width + f] as number;
      threshold.push(categorical ? 0 : sample);
      flags.push((next() < 0.5 ? 1 : 0) | (categorical ? 2 : 0));
      left.push(at - start + 1);
      right.push(-1);
      value.push(0);
      if (categorical) {
        bitsetOffset.push(bitsets.length);
        // Codes 0–4 are levels; 7 and 200 never occur; an empty set sends only NaN left.
        const words = new Array(8).fill(0);
        if (next() < 0.9) {
          for (const code of [0, 1, 2, 3, 4, 7, 200]) {
            if (next() < 0.45) words[code >>> 5] |= 1 << (code & 31);
          }
        }
        bitsets.push(...words.map((w) => w >>> 0));
      } else {
        bitsetOffset.push(-1);
      }
      grow(depth + 1);
      right[at] = feature.length - start;
      grow(depth + 1);
    };
    grow(0);
    treeStart.push(feature.length);
    treeOutput.push(t % outputs);
  }
  const ensemble: TreeEnsemble = {
    inputWidth: width,
    outputs,
    link,
    baseline: Float64Array.from({ length: outputs }, (_, k) => 0.3 * k - 0.1),
    treeStart: Uint32Array.from(treeStart),
    treeOutput: Uint32Array.from(treeOutput),
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    flags: Uint8Array.from(flags),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    cover: new Uint32Array(feature.length),
    gain: new Float32Array(feature.length),
    bitsetOffset: Int32Array.from(bitsetOffset),
    bitsets: Uint32Array.from(bitsets),
    featureNames: [...PIPELINE.outputNames],
  };
  checkEnsemble(ensemble);
  return ensemble;
}

async function parity(
  task: 'binary' | 'multiclass' | 'regression',
  ensemble: TreeEnsemble,
  labels: LabelEncoder | null,
): Promise<number> {
  const features = new TextEncoder().encode(
    JSON.stringify({ format: 1, pipeline: STATE, labels: labels?.toJSON() ?? null, target: null }),
  );
  const predictor = Predictor.fromReplica({
    meta: { name: 't', version: 1, task },
    features,
    trees: encodeTreeFile(ensemble),
  });
  const rows = rowsOf(99, 400);
  const batch = predictor.predictBatch(rows);
  const exported = exportOnnx({
    name: 't',
    version: 1,
    task,
    features: { pipeline: PIPELINE, labels, targetScaler: null },
    model: { kind: 'trees', ensemble },
  });
  const out = await runOnRows(exported.bytes, exported.inputs, rows);
  const values = (out.probabilities ?? out.value)!.data as Float32Array;
  if (labels) {
    const k = labels.classes.length;
    const expected = Array.from({ length: rows.length }, (_, r) => {
      const p = Array.from(batch.outputs.subarray(r * k, (r + 1) * k));
      return labels.classes[p.indexOf(Math.max(...p))];
    });
    expect(out.label!.data).toEqual(expected);
  }
  return maxAbsDelta(values, batch.outputs);
}

describe('tree ensembles in ONNX agree with the tree engine', () => {
  it('regression (identity): numeric and categorical splits, missing values both ways', async () => {
    const delta = await parity('regression', ensembleOf(1, 'identity', 1, 40), null);
    expect(delta).toBe(0);
  });

  it('binary (logistic): [1 − p, p]', async () => {
    const delta = await parity(
      'binary',
      ensembleOf(2, 'logistic', 1, 40),
      LabelEncoder.fit(['n', 'y']),
    );
    expect(delta).toBeLessThanOrEqual(1e-6);
  });

  it('multiclass (softmax): one tree per class and iteration', async () => {
    const labels = LabelEncoder.fit(['p', 'q', 'r']);
    const delta = await parity('multiclass', ensembleOf(3, 'softmax', 3, 60), labels);
    expect(delta).toBeLessThanOrEqual(1e-6);
  });
});
