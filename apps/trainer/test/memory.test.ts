import path from 'node:path';
import { tf } from '@tandem/runtime';
import { describe, expect, it } from 'vitest';
import { train } from '../src/index.ts';
import { DATA, useTempDir } from './support.ts';

const artifacts = useTempDir('memory');

describe('training memory', () => {
  for (const model of [
    { type: 'mlp' as const, hidden: [8], dropout: 0.1 },
    { type: 'linear' as const },
  ]) {
    it(`leaves no tensor behind once its predictor is disposed (${model.type})`, async () => {
      const config = {
        name: 'penguins',
        data: path.join(DATA, 'penguins.csv'),
        target: 'species',
        task: 'multiclass' as const,
        model,
        training: { epochs: 3 },
      };
      // The first run initialises the backend, whose own tensors are not the trainer's.
      (await train({ config, artifacts: artifacts.dir })).predictor.dispose();
      const before = tf.memory().numTensors;
      const result = await train({ config, artifacts: artifacts.dir });
      result.predictor.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
