import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { describe, expect, it } from 'vitest';
import { type TrainConfig, train } from '../src/index.ts';
import { DATA, useTempDir } from './support.ts';

// The dense engine must give tfjs's numbers on every shipped dataset's config trained as a dense
// model, within the stated bounds (packages/runtime README): probabilities 1e-6 absolute,
// regression values 2e-6 relative (to max(1, |value|)). The shipped configs train trees, which
// run on neither engine: each config keeps its data, split and training, with the dense model it
// shipped with before trees (an MLP 64-32, a linear model for penguins).
const PROBABILITY_BOUND = 1e-6;
const REGRESSION_RELATIVE_BOUND = 2e-6;
const SHIPPED = ['credit', 'titanic', 'penguins', 'cars'] as const;
const MLP: TrainConfig['model'] = {
  type: 'mlp',
  hidden: [64, 32],
  activation: 'relu',
  dropout: 0,
  l2: 0.001,
};
const DENSE_MODEL: Record<(typeof SHIPPED)[number], TrainConfig['model']> = {
  credit: MLP,
  titanic: MLP,
  penguins: { type: 'linear', l2: 0.001 },
  cars: MLP,
};

/** A shipped config with its paths made absolute and its model replaced by a dense one. */
function denseConfig(name: (typeof SHIPPED)[number]): TrainConfig {
  const file = path.join(DATA, 'models', `${name}.json`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as TrainConfig & {
    split?: { file?: string };
  };
  const here = path.dirname(file);
  return {
    ...raw,
    data: path.resolve(here, raw.data as string),
    ...(raw.split?.file
      ? { split: { ...raw.split, file: path.resolve(here, raw.split.file) } }
      : {}),
    model: DENSE_MODEL[name],
  } as TrainConfig;
}

const artifacts = useTempDir('engine-parity');

describe('dense engine against tfjs on the shipped datasets', () => {
  for (const name of SHIPPED) {
    it(`${name}: every test row within the stated bound`, async () => {
      const result = await train({ config: denseConfig(name), artifacts: artifacts.dir });
      const stored = await new FileModelStore(artifacts.dir).readVersion(name, result.version);
      const dense = await predictorFromStoredVersion(stored, { engine: 'dense' });
      const tfjs = await predictorFromStoredVersion(stored, { engine: 'tfjs' });
      try {
        expect(dense.engine).toBe('dense');
        expect(tfjs.engine).toBe('tfjs');
        const fast = dense.predictBatch(result.testRows);
        const reference = tfjs.predictBatch(result.testRows);
        expect(fast.outputs.length).toBe(reference.outputs.length);
        expect(fast.outputs.length).toBe(result.testRows.length * dense.width);
        let worst = 0;
        for (let i = 0; i < reference.outputs.length; i++) {
          const expected = reference.outputs[i]!;
          const difference = Math.abs(fast.outputs[i]! - expected);
          const allowed =
            result.task === 'regression'
              ? REGRESSION_RELATIVE_BOUND * Math.max(1, Math.abs(expected))
              : PROBABILITY_BOUND;
          worst = Math.max(worst, difference / allowed);
        }
        // worst is the largest difference as a fraction of its bound.
        expect(worst).toBeLessThanOrEqual(1);
        // The model the trainer evaluated is the one that was stored: identical outputs.
        const inMemory = result.predictor.predictBatch(result.testRows);
        expect(Array.from(fast.outputs)).toEqual(Array.from(inMemory.outputs));
      } finally {
        dense.dispose();
        tfjs.dispose();
        result.predictor.dispose();
      }
    });
  }
});
