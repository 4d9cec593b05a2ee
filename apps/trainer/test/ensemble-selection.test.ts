import { describe, expect, it } from 'vitest';
import { blendHeldOut, foldLossesOf, selectEnsemble } from '../src/train/ensemble-selection.ts';

const all = (n: number) => new Uint8Array(n).fill(1);

describe('selectEnsemble', () => {
  it('averages two regressors whose errors cancel, with the weights a hand computation gives', () => {
    // Truth 0, 0; candidate a predicts +1, +1 and b predicts -1, -1: each has RMSE 1, their
    // average 0. Round 1 picks a (the earlier on a tie), round 2 picks b (RMSE 0): weights ½, ½.
    const a = { outputs: Float32Array.of(1, 1), predicted: all(2) };
    const b = { outputs: Float32Array.of(-1, -1), predicted: all(2) };
    const selection = selectEnsemble('regression', [a, b], [0, 0], undefined, 4);
    expect(selection.picks).toBe(2);
    expect(selection.weights).toEqual([0.5, 0.5]);
    expect(selection.loss).toBe(0);
    expect(Array.from(selection.heldOut.outputs)).toEqual([0, 0]);
  });

  it('keeps the better classifier alone when blending only adds loss', () => {
    // good predicts the true class with 0.9, bad with 0.4: every blend is worse than good alone.
    const good = { outputs: Float32Array.of(0.1, 0.9, 0.9, 0.1), predicted: all(2) };
    const bad = { outputs: Float32Array.of(0.6, 0.4, 0.4, 0.6), predicted: all(2) };
    const selection = selectEnsemble('binary', [bad, good], ['yes', 'no'], ['no', 'yes'], 5);
    expect(selection.weights).toEqual([0, 1]);
    expect(selection.loss).toBeCloseTo(-Math.log(0.9), 6);
  });

  it('scores only rows every candidate predicted, and per fold', () => {
    const a = { outputs: Float32Array.of(2, 0, 100), predicted: Uint8Array.of(1, 1, 0) };
    const b = { outputs: Float32Array.of(0, 2, 5), predicted: all(3) };
    const blended = blendHeldOut([a, b], [0.5, 0.5], 1);
    expect(Array.from(blended.outputs)).toEqual([1, 1, 52.5]);
    expect(Array.from(blended.predicted)).toEqual([1, 1, 0]);
    const losses = foldLossesOf('regression', blended, [1, 3, 0], undefined, [[0], [1, 2]]);
    // Fold 1: |1 − 1| = 0; fold 2: row 2 is left out, |1 − 3| = 2.
    expect(losses).toEqual([0, 2]);
  });
});
