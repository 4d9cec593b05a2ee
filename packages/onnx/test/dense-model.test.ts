import {
  FittedPipeline,
  LabelEncoder,
  type PipelineState,
  type RawRow,
  TargetScaler,
} from '@tandem/features';
import { ACTIVATIONS, type ActivationName } from '@tandem/runtime';
import { Predictor } from '@tandem/runtime/predictor';
import { describe, expect, it } from 'vitest';
import { type DenseStack, exportOnnx } from '../src/index.ts';
import { DENSE_COLUMNS, pipelineOf, seededRandom } from './columns.ts';
import { maxAbsDelta, runOnRows } from './support.ts';

// Dense stacks of every activation the runtime's dense engine declares, exported with a
// hand-made pipeline and compared with the Predictor (dense engine) value by value: the graph
// repeats the engine's float32 arithmetic, so the outputs are the same bits.

const STATE: PipelineState = pipelineOf(DENSE_COLUMNS).toJSON();

const ROWS: RawRow[] = Array.from({ length: 64 }, (_, i) => ({
  income: i % 9 === 0 ? null : i % 13 === 0 ? 900 : (i * 37) % 300,
  home: ['rent', 'owner', 'parents', 'boat', ''][i % 5],
  records: i % 3 === 0,
}));

function stackOf(widths: number[], activations: ActivationName[], seed: number): DenseStack {
  const next = seededRandom(seed);
  const steps = activations.map((activation, i) => {
    const inputs = widths[i] as number;
    const units = widths[i + 1] as number;
    const limit = Math.sqrt(6 / (inputs + units));
    return {
      inputs,
      units,
      weights: Float32Array.from({ length: inputs * units }, () => (2 * next() - 1) * limit),
      bias: Float32Array.from({ length: units }, () => (next() - 0.5) * 0.2),
      activation,
    };
  });
  return { inputWidth: widths[0] as number, outputWidth: widths.at(-1) as number, steps };
}

function predictorOf(
  task: 'binary' | 'multiclass' | 'regression',
  stack: DenseStack,
  labels: LabelEncoder | null,
  target: TargetScaler | null,
): Predictor {
  const features = new TextEncoder().encode(
    JSON.stringify({
      format: 1,
      pipeline: STATE,
      labels: labels?.toJSON() ?? null,
      target: target?.toJSON() ?? null,
    }),
  );
  return Predictor.fromReplica({ meta: { name: 'm', version: 1, task }, features, stack });
}

async function parity(
  task: 'binary' | 'multiclass' | 'regression',
  stack: DenseStack,
  labels: LabelEncoder | null,
  target: TargetScaler | null,
): Promise<number> {
  const predictor = predictorOf(task, stack, labels, target);
  const pipeline = FittedPipeline.fromJSON(STATE);
  const exported = exportOnnx({
    name: 'm',
    version: 1,
    task,
    features: { pipeline, labels, targetScaler: target },
    model: { kind: 'dense', stack },
  });
  const out = await runOnRows(exported.bytes, exported.inputs, ROWS);
  const batch = predictor.predictBatch(ROWS);
  if (task === 'regression') {
    expect(out.value?.dims).toEqual([ROWS.length]);
    return maxAbsDelta(out.value!.data as Float32Array, batch.outputs);
  }
  const classes = labels!.classes;
  expect(out.probabilities?.dims).toEqual([ROWS.length, classes.length]);
  const expectedLabels = Array.from({ length: ROWS.length }, (_, r) => {
    const row = batch.outputs.subarray(r * classes.length, (r + 1) * classes.length);
    return classes[row.indexOf(Math.max(...row))];
  });
  expect(out.label?.data).toEqual(expectedLabels);
  return maxAbsDelta(out.probabilities!.data as Float32Array, batch.outputs);
}

const WIDTH = FittedPipeline.fromJSON(STATE).width;
const THREE = LabelEncoder.fit(['bad', 'good', 'unknown']);
const TWO = LabelEncoder.fit(['no', 'yes']);

describe("dense stacks in ONNX give the dense engine's bits", () => {
  for (const [i, activation] of ACTIVATIONS.entries()) {
    it(`hidden ${activation}, softmax over three classes`, async () => {
      const stack = stackOf([WIDTH, 16, 8, 3], [activation, activation, 'softmax'], 10 + i);
      expect(await parity('multiclass', stack, THREE, null)).toBe(0);
    });
  }

  it('a linear model (no hidden layer), binary softmax', async () => {
    const stack = stackOf([WIDTH, 2], ['softmax'], 3);
    expect(await parity('binary', stack, TWO, null)).toBe(0);
  });

  it('one sigmoid unit gives [1 − p, p]', async () => {
    const stack = stackOf([WIDTH, 8, 1], ['relu', 'sigmoid'], 4);
    expect(await parity('binary', stack, TWO, null)).toBe(0);
  });

  it('regression restores the standardized target', async () => {
    const target = TargetScaler.fit([12, 18, 25, 31, 44]);
    const stack = stackOf([WIDTH, 16, 1], ['tanh', 'linear'], 5);
    expect(await parity('regression', stack, null, target)).toBe(0);
  });

  it('an Activation layer without weights and a Dense layer without bias', async () => {
    const base = stackOf([WIDTH, 8, 3], ['linear', 'softmax'], 6);
    const [first, last] = base.steps as [DenseStack['steps'][0], DenseStack['steps'][0]];
    const stack: DenseStack = {
      ...base,
      steps: [
        { ...first, bias: null },
        { inputs: 8, units: 8, weights: null, bias: null, activation: 'elu' },
        last,
      ],
    };
    expect(await parity('multiclass', stack, THREE, null)).toBe(0);
  });
});
