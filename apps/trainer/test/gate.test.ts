import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfig } from '../src/config/types.ts';
import { TrainerError } from '../src/errors.ts';
import { compareMetric, metricFor } from '../src/gate/compare.ts';
import { runGate } from '../src/gate/run-gate.ts';
import { train } from '../src/train/run.ts';
import { DATA, runCli } from './support.ts';

let work: string;
let artifacts: string;
let store: FileModelStore;
const accuracy: Record<number, number> = {};

const penguins = (overrides: Partial<TrainConfig> = {}): TrainConfig => ({
  name: 'penguins',
  data: join(DATA, 'penguins.csv'),
  target: 'species',
  task: 'multiclass',
  ...overrides,
});

/**
 * v1: a linear model trained properly. v2: one epoch at a tiny learning rate, a realistically
 * worse model on the same data and split. v3: v1's config again, so the same model and metrics.
 * The model type is fixed: `auto` would pick gradient-boosted trees, which the epoch count and
 * learning rate of `training` do not govern.
 */
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tandem-gate-'));
  artifacts = join(work, 'artifacts');
  store = new FileModelStore(artifacts);
  const linear = { type: 'linear' } as const;
  const configs = [
    penguins({ model: linear }),
    penguins({
      model: linear,
      training: { epochs: 1, learningRate: 0.0003, earlyStopping: false },
    }),
    penguins({ model: linear }),
  ];
  for (const config of configs) {
    const result = await train({ config, artifacts });
    accuracy[result.version] = result.metrics.accuracy ?? Number.NaN;
    result.predictor.dispose();
  }
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the quality gate', () => {
  it('has a realistically worse model to catch', () => {
    expect(accuracy[1]).toBeGreaterThan(0.9);
    expect((accuracy[1] ?? 0) - (accuracy[2] ?? 1)).toBeGreaterThan(0.05);
    expect(accuracy[3]).toBe(accuracy[1]);
  });

  it('passes, saying so, when there is no production version yet', async () => {
    const result = await runGate({ artifacts, model: 'penguins', candidate: 2 });
    expect(result.passed).toBe(true);
    expect(result.baseline).toBeNull();
    expect(result.message).toBe(
      `gate passed: penguins has no production version yet; candidate v2 (accuracy ${accuracy[2]?.toFixed(4)} on ${result.testRows} test rows) passes by default`,
    );
  });

  it('fails a candidate worse than production by more than the tolerance', async () => {
    await store.setLabel('penguins', 'production', 1);
    const result = await runGate({ artifacts, model: 'penguins', candidate: 2 });
    expect(result.passed).toBe(false);
    expect(result.metric).toBe('accuracy');
    // Both versions evaluated on v2's rebuilt test split: the same rows their manifests used.
    expect(result.candidate.value).toBe(accuracy[2]);
    expect(result.baseline).toMatchObject({ version: 1, label: 'production', value: accuracy[1] });
    expect(result.shortfall).toBeCloseTo((accuracy[1] ?? 0) - (accuracy[2] ?? 0), 12);
    expect(result.message).toBe(
      `gate failed: penguins v2 accuracy ${accuracy[2]?.toFixed(4)} is worse than production (v1) ` +
        `${accuracy[1]?.toFixed(4)} by ${result.shortfall?.toFixed(4)}, more than the tolerance 0.01 (${result.testRows} test rows)`,
    );
  });

  it('passes an equal candidate and a better one', async () => {
    await store.setLabel('penguins', 'production', 1);
    const equal = await runGate({ artifacts, model: 'penguins', candidate: 3 });
    expect(equal).toMatchObject({ passed: true, shortfall: 0 });
    expect(equal.message).toMatch(
      /^gate passed: penguins v3 accuracy .* is at least as good as production \(v1\)/,
    );

    await store.setLabel('penguins', 'production', 2);
    const better = await runGate({ artifacts, model: 'penguins', candidate: 1 });
    expect(better.passed).toBe(true);
    expect(better.shortfall).toBeLessThan(0);
  });

  it('takes a tolerance, a baseline version and a lower-is-better metric', async () => {
    await store.setLabel('penguins', 'production', 1);
    expect(
      (await runGate({ artifacts, model: 'penguins', candidate: 2, tolerance: 0.99 })).passed,
    ).toBe(true);
    const byVersion = await runGate({ artifacts, model: 'penguins', candidate: 2, baseline: '3' });
    expect(byVersion).toMatchObject({ passed: false, baseline: { version: 3 } });
    const logLoss = await runGate({
      artifacts,
      model: 'penguins',
      candidate: 2,
      metric: 'logLoss',
    });
    expect(logLoss).toMatchObject({ passed: false, direction: 'lower' });
    expect(logLoss.candidate.value).toBeGreaterThan(
      logLoss.baseline?.value ?? Number.POSITIVE_INFINITY,
    );
    await expect(
      runGate({ artifacts, model: 'penguins', candidate: 2, metric: 'rmse' }),
    ).rejects.toThrow(/--metric rmse does not apply to a multiclass model/);
  });

  it('refuses to rebuild a split when the data file changed since training', async () => {
    const dir = await mkdtemp(join(work, 'changed-'));
    const data = join(dir, 'penguins.csv');
    await copyFile(join(DATA, 'penguins.csv'), data);
    const local = join(dir, 'artifacts');
    const result = await train({
      config: penguins({ data, model: { type: 'linear' }, training: { epochs: 2 } }),
      artifacts: local,
    });
    result.predictor.dispose();
    await writeFile(data, (await readFile(data, 'utf8')).replace('Torgersen', 'Dream'));
    const run = runGate({ artifacts: local, model: 'penguins', candidate: result.version });
    await expect(run).rejects.toBeInstanceOf(TrainerError);
    await expect(run).rejects.toMatchObject({ code: 'TANDEM_GATE_DATA_CHANGED' });
  }, 60_000);

  it('exits 1 with one line on failure, 0 on success, and prints JSON on request', async () => {
    await store.setLabel('penguins', 'production', 1);
    const failed = await runCli('gate', [
      '--model',
      'penguins',
      '--candidate',
      '2',
      '--artifacts',
      artifacts,
    ]);
    expect(failed.code).toBe(1);
    const lines = failed.stderr.split('\n').filter((line) => line.startsWith('gate'));
    expect(lines).toEqual([
      expect.stringMatching(/^gate failed: penguins v2 accuracy .* tolerance 0\.01/),
    ]);

    const passed = await runCli('gate', [
      '--model',
      'penguins',
      '--candidate',
      '3',
      '--artifacts',
      artifacts,
      '--json',
    ]);
    expect(passed.code).toBe(0);
    expect(JSON.parse(passed.stdout)).toMatchObject({
      passed: true,
      metric: 'accuracy',
      candidate: { version: 3 },
    });

    const usage = await runCli('gate', [
      '--model',
      'penguins',
      '--candidate',
      'two',
      '--artifacts',
      artifacts,
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^gate: error: --candidate expects a non-negative integer/m);
  }, 60_000);
});

describe('compareMetric', () => {
  it('treats lower as better for RMSE and higher for accuracy, with the tolerance on both', () => {
    expect(compareMetric('rmse', { rmse: 2.9 }, { rmse: 2.95 }, 0.01)).toMatchObject({
      passed: true,
    });
    expect(compareMetric('rmse', { rmse: 2.96 }, { rmse: 2.95 }, 0.01)).toMatchObject({
      passed: true,
    });
    const worse = compareMetric('rmse', { rmse: 3.1 }, { rmse: 2.95 }, 0.01);
    expect(worse.passed).toBe(false);
    expect(worse.shortfall).toBeCloseTo(0.15, 12);
    expect(compareMetric('accuracy', { accuracy: 0.79 }, { accuracy: 0.8 }, 0.01).passed).toBe(
      true,
    );
    expect(compareMetric('accuracy', { accuracy: 0.78 }, { accuracy: 0.8 }, 0.01).passed).toBe(
      false,
    );
    expect(compareMetric('r2', { r2: 0.5 }, { r2: 0.7 }, 0.1).passed).toBe(false);
  });

  it('picks accuracy for classifiers and RMSE for regressors', () => {
    expect(metricFor('binary', undefined)).toBe('accuracy');
    expect(metricFor('multiclass', undefined)).toBe('accuracy');
    expect(metricFor('regression', undefined)).toBe('rmse');
    expect(() => metricFor('multiclass', 'auc')).toThrow(/does not apply/);
  });
});
