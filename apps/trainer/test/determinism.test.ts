import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TrainConfig, train } from '../src/index.ts';
import { DATA, useTempDir } from './support.ts';

const work = useTempDir('determinism');

// Dropout and a random split on purpose: both must follow the seed too.
const CONFIG: TrainConfig = {
  name: 'titanic',
  data: path.join(DATA, 'titanic.csv'),
  target: 'survived',
  task: 'binary',
  model: { type: 'mlp', hidden: [16, 8], dropout: 0.2, l2: 0.001 },
  training: { epochs: 12, earlyStopping: false },
};

async function run(seed: number) {
  const result = await train({ config: CONFIG, artifacts: path.join(work.dir, 'artifacts'), seed });
  result.predictor.dispose();
  const file = (name: string) => readFile(path.join(result.path, name));
  return {
    result,
    features: await file('features.json'),
    model: await file('model.json'),
    weights: await file('weights.bin'),
  };
}

describe('determinism', () => {
  it('gives byte-identical files and identical metrics for the same config and seed', async () => {
    const first = await run(11);
    const second = await run(11);
    expect(second.result.version).toBe(first.result.version + 1);
    expect(second.features.equals(first.features)).toBe(true);
    expect(second.model.equals(first.model)).toBe(true);
    expect(second.weights.equals(first.weights)).toBe(true);
    expect(second.result.metrics).toEqual(first.result.metrics);
    expect(second.result.history.loss).toEqual(first.result.history.loss);
    expect(second.result.split).toEqual(first.result.split);
  });

  it('gives another split and other weights for another seed', async () => {
    const first = await run(11);
    const other = await run(12);
    expect(other.result.split.test).not.toEqual(first.result.split.test);
    expect(other.weights.equals(first.weights)).toBe(false);
    expect(other.result.history.loss).not.toEqual(first.result.history.loss);
  });
});
