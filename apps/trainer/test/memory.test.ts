import path from 'node:path';
import { tf } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../src/index.ts';
import { DATA, tempDir } from './support.ts';

let artifacts: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  artifacts = await tempDir('memory');
});

afterAll(async () => {
  await artifacts.remove();
});

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
