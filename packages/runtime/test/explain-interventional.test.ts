import { describe, expect, it } from 'vitest';
import { InterventionalShap } from '../src/explain/interventional-shap.ts';
import { TreeEngine } from '../src/index.ts';
import { shapleyByEnumeration } from './fixtures/shapley.ts';
import { ensembleOf, mulberry32, randomTree } from './fixtures/trees.ts';

/** Shapley values of v(S) = mean over z of f(x_S, z_rest), every coalition enumerated. */
function bruteForce(engine: TreeEngine, x: Float32Array, background: Float32Array, rows: number) {
  const width = x.length;
  const value = (mask: number) => {
    const mixed = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < width; f++) {
        mixed[r * width + f] = (mask >> f) & 1 ? x[f]! : background[r * width + f]!;
      }
    }
    const margins = engine.predictMargins(mixed, rows);
    return margins.reduce((a, b) => a + b, 0) / rows;
  };
  return shapleyByEnumeration(width, value);
}

describe('interventional TreeSHAP', () => {
  it('equals brute-force Shapley values of the background game, and adds up to the margin', () => {
    const next = mulberry32(13);
    for (let trial = 0; trial < 20; trial++) {
      const width = 2 + (trial % 4);
      const categorical = trial % 2;
      const ensemble = ensembleOf(
        Array.from({ length: 1 + (trial % 3) }, () => ({
          output: 0,
          root: randomTree(next, width, categorical, 3 + (trial % 3)),
        })),
        { inputWidth: width, outputs: 1, link: 'identity', baseline: [0.2] },
      );
      const engine = new TreeEngine(ensemble);
      const rows = 1 + (trial % 5);
      const value = (f: number) => {
        if (next() < 0.15) return Number.NaN;
        return f < categorical ? Math.floor(next() * 9) : (next() - 0.5) * 5;
      };
      const background = Float32Array.from({ length: rows * width }, (_, i) => value(i % width));
      const shap = new InterventionalShap(ensemble, background, rows);
      for (let r = 0; r < 3; r++) {
        const x = Float32Array.from({ length: width }, (_, f) => value(f));
        const phi = new Float64Array(width);
        shap.explainInto(x, 0, phi);
        const expected = bruteForce(engine, x, background, rows);
        for (let f = 0; f < width; f++) expect(Math.abs(phi[f]! - expected[f]!)).toBeLessThan(1e-9);
        const margin = engine.predictMargins(x, 1)[0]!;
        const total = phi.reduce((a, b) => a + b, 0);
        expect(Math.abs(shap.expectedValue[0]! + total - margin)).toBeLessThan(1e-9);
      }
    }
  });
});
