import path from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../src/index.ts';
import { DATA, tempDir } from './support.ts';

// The dense engine must give tfjs's numbers on every model Tandem ships, within the stated bounds
// (packages/runtime README / docs/architecture.md): probabilities 1e-6 absolute, regression values
// 2e-6 relative (to max(1, |value|)).
const PROBABILITY_BOUND = 1e-6;
const REGRESSION_RELATIVE_BOUND = 2e-6;
const SHIPPED = ['credit', 'titanic', 'penguins', 'cars'] as const;

let artifacts: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  artifacts = await tempDir('engine-parity');
});

afterAll(async () => {
  await artifacts.remove();
});

describe('dense engine against tfjs on the shipped models', () => {
  for (const name of SHIPPED) {
    it(`${name}: every test row within the stated bound`, async () => {
      const result = await train({
        config: path.join(DATA, 'models', `${name}.json`),
        artifacts: artifacts.dir,
      });
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
