import { initBackend, tf } from '@tandem/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING } from '../src/config/defaults.ts';
import { buildModel } from '../src/model/build.ts';
import { fitModel, type TrainingPart } from '../src/train/loop.ts';
import { createProgress } from '../src/train/progress.ts';
import { balancedClassWeights } from '../src/train/targets.ts';

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

function part(xs: number[], ys: number[]): TrainingPart {
  return { x: Float32Array.from(xs), rows: xs.length, width: 1, y: Float32Array.from(ys) };
}

describe('fitModel', () => {
  it('stops when the validation loss stops improving and restores the best weights', async () => {
    const xs = Array.from({ length: 64 }, (_, i) => (i - 32) / 16);
    // Training pulls the slope towards +1 while validation wants -1: validation loss only rises.
    const trainPart = part(xs, xs);
    const validation = part(
      xs,
      xs.map((x) => -x),
    );
    const model = buildModel({ type: 'linear', l2: 0 }, 'regression', 1, 1, 3);
    const tensorsBefore = tf.memory().numTensors;
    const history = await fitModel(model, trainPart, validation, {
      task: 'regression',
      classCount: 1,
      l2: 0,
      training: {
        ...DEFAULT_TRAINING,
        epochs: 100,
        learningRate: 0.05,
        earlyStopping: { patience: 4, restoreBest: true, minDelta: 0 },
      },
    });
    expect(history.bestEpoch).toBe(1);
    expect(history.epochsRun).toBe(5);
    expect(history.stoppedEarly).toBe(true);
    expect(history.valLoss[4]).toBeGreaterThan(history.valLoss[0] as number);
    const input = tf.tensor2d(validation.x, [64, 1]);
    const predicted = model.predict(input, { batchSize: 64 }) as tf.Tensor;
    const values = await predicted.data();
    input.dispose();
    const restoredLoss =
      Array.from(values).reduce((s, p, i) => s + (p - (validation.y[i] as number)) ** 2, 0) / 64;
    expect(restoredLoss).toBeCloseTo(history.bestValLoss, 4);
    predicted.dispose();
    // Every tensor the loop made (data, optimizer state, best-weight copies) was released.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    model.dispose();
  });

  it('learns a separable binary problem and reports the loss of each epoch', async () => {
    const xs = Array.from({ length: 80 }, (_, i) => (i - 40) / 10);
    const labels = xs.map((x) => (x > 0 ? 1 : 0));
    const model = buildModel(
      { type: 'mlp', hidden: [8], dropout: 0.1, l2: 0, activation: 'relu' },
      'binary',
      1,
      2,
      5,
    );
    const epochs: number[] = [];
    const history = await fitModel(model, part(xs, labels), part(xs, labels), {
      task: 'binary',
      classCount: 2,
      l2: 0,
      training: { ...DEFAULT_TRAINING, epochs: 60, learningRate: 0.05, earlyStopping: false },
      onEpoch: (report) => epochs.push(report.epoch),
    });
    expect(epochs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(history.loss[59]).toBeLessThan((history.loss[0] as number) / 2);
    expect(history.bestEpoch).toBe(60);
    model.dispose();
  });

  it('stops at a deadline after the epoch that reaches it, keeping the best epoch so far', async () => {
    const xs = Array.from({ length: 32 }, (_, i) => (i - 16) / 8);
    const run = async (deadline: number | undefined) => {
      const model = buildModel({ type: 'linear', l2: 0 }, 'regression', 1, 1, 3);
      const history = await fitModel(model, part(xs, xs), part(xs, xs), {
        task: 'regression',
        classCount: 1,
        l2: 0,
        training: { ...DEFAULT_TRAINING, epochs: 6, learningRate: 0.05, earlyStopping: false },
        ...(deadline === undefined ? {} : { deadline }),
      });
      model.dispose();
      return history;
    };
    // A deadline already past: one epoch, then the loop stops and says why.
    const cut = await run(performance.now() - 1);
    expect(cut.epochsRun).toBe(1);
    expect(cut.bestEpoch).toBe(1);
    expect(cut.stoppedByDeadline).toBe(true);
    expect(cut.stoppedEarly).toBe(false);
    // One far off changes nothing: every epoch runs, nothing is marked.
    const full = await run(performance.now() + 3_600_000);
    expect(full.epochsRun).toBe(6);
    expect(full.stoppedByDeadline).toBe(false);
    expect(full.loss).toEqual((await run(undefined)).loss);
  });

  it('turns a diverging run into a coded error', async () => {
    const xs = Array.from({ length: 32 }, (_, i) => i * 1e18);
    const model = buildModel({ type: 'linear', l2: 0 }, 'regression', 1, 1, 1);
    await expect(
      fitModel(model, part(xs, xs), part(xs, xs), {
        task: 'regression',
        classCount: 1,
        l2: 0,
        training: { ...DEFAULT_TRAINING, epochs: 5, optimizer: 'sgd', learningRate: 10 },
      }),
    ).rejects.toMatchObject({ code: 'TANDEM_TRAINING_FAILED' });
    model.dispose();
  });
});

describe('balancedClassWeights', () => {
  it('weights each class by n / (k × n_c)', () => {
    expect(balancedClassWeights(Float32Array.from([0, 0, 0, 1]), 2)).toEqual([4 / 6, 2]);
  });
});

describe('progress', () => {
  const report = (epoch: number) => ({
    epoch,
    epochs: 40,
    loss: 0.5,
    valLoss: 0.6,
    bestValLoss: 0.55,
    elapsedMs: epoch * 100,
  });

  it('writes plain lines at the first epoch, every tenth and after the interval', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = createProgress({
      log: (line) => lines.push(line),
      intervalSeconds: 5,
      now: () => now,
    });
    for (let epoch = 1; epoch <= 25; epoch++) {
      now = epoch === 13 ? 6000 : now;
      progress.onEpoch(report(epoch));
    }
    expect(lines.map((line) => line.match(/epoch\s+(\d+)/)?.[1])).toEqual(['1', '10', '13', '20']);
    expect(lines[0]).toMatch(/loss 0\.5000 {2}val loss 0\.6000 .*ETA ≤ 3\.9s/);
  });

  it('redraws one line on a terminal and ends it once', () => {
    let text = '';
    const progress = createProgress({
      tty: { write: (chunk: string) => (text += chunk), columns: 200 },
      log: () => {},
    });
    progress.onEpoch(report(10));
    progress.onEpoch(report(20));
    progress.finish();
    expect(text.split('\r\x1b[2K')).toHaveLength(3);
    expect(text).toMatch(/\[##########\.{10}\] epoch 20\/40/);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.match(/\n/g)).toHaveLength(1);
  });

  it('leaves out the validation loss when nothing is validated', () => {
    const lines: string[] = [];
    const progress = createProgress({ log: (line) => lines.push(line), unit: 'iteration' });
    progress.onEpoch({ ...report(1), valLoss: Number.NaN, bestValLoss: Number.NaN });
    expect(lines).toEqual(['iteration  1/40  loss 0.5000  ETA ≤ 3.9s']);
  });

  it('draws the whole line when the terminal reports no width', () => {
    let text = '';
    const progress = createProgress({
      tty: { write: (chunk: string) => (text += chunk), columns: 0 },
      log: () => {},
    });
    progress.onEpoch(report(40));
    expect(text).toMatch(/epoch 40\/40 {2}loss 0\.5000 {2}val loss 0\.6000 .*ETA ≤ 0\.0s$/);
  });
});
