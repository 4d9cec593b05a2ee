import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitProvenance } from '../src/artifact/provenance.ts';
import { type TrainResult, train } from '../src/index.ts';
import { DATA, tempDir, writeJson } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('train'));
});
afterAll(() => remove());

const MINIMAL = [
  {
    name: 'credit',
    data: 'credit.csv',
    target: 'Status',
    task: 'binary',
    types: { Income: 'numeric', Home: 'categorical' },
  },
  {
    name: 'titanic',
    data: 'titanic.csv',
    target: 'survived',
    task: 'binary',
    types: { age: 'numeric', sex: 'categorical' },
  },
  {
    name: 'penguins',
    data: 'penguins.csv',
    target: 'species',
    task: 'multiclass',
    types: { island: 'categorical' },
  },
  {
    name: 'cars',
    data: 'cars.csv',
    target: 'Miles_per_Gallon',
    task: 'regression',
    types: { Year: 'datetime', Horsepower: 'numeric' },
  },
] as const;

/** Trains the minimal config of one dataset from a config file (paths relative to it). */
async function trainMinimal(spec: (typeof MINIMAL)[number]): Promise<TrainResult> {
  const config = await writeJson(path.join(dir, `${spec.name}.json`), {
    name: spec.name,
    data: path.relative(dir, path.join(DATA, spec.data)),
    target: spec.target,
    task: spec.task,
  });
  return train({ config, artifacts: path.join(dir, 'artifacts') });
}

describe.each(MINIMAL)('the minimal four-key config on $name', (spec) => {
  let result: TrainResult;
  // auto cross-validates all three candidates and refits each (the networks take most of the
  // time: 20-100 s per dataset on 2 busy cores), so the bound leaves room for a loaded machine.
  beforeAll(async () => {
    result = await trainMinimal(spec);
  }, 600_000);
  afterAll(() => result?.predictor.dispose());

  it('beats the trivial baseline on the test part', () => {
    const { metrics, baseline } = result;
    if (spec.task === 'regression') {
      expect(metrics.rmse).toBeLessThan((baseline.rmse as number) * 0.6);
      expect(metrics.r2).toBeGreaterThan(0.6);
    } else {
      expect(metrics.accuracy).toBeGreaterThan((baseline.accuracy as number) + 0.05);
      expect(metrics.logLoss).toBeLessThan(baseline.logLoss as number);
      expect(metrics.macroF1).toBeGreaterThan(baseline.macroF1 as number);
    }
    if (spec.task === 'binary') {
      expect(metrics.auc).toBeGreaterThan(0.75);
      expect(baseline.auc).toBe(0.5);
    }
  });

  it('writes a complete version whose manifest records inferred schema, data, split and config', async () => {
    const store = new FileModelStore(path.join(dir, 'artifacts'));
    const stored = await store.readVersion(spec.name, result.version);
    const { manifest } = stored;
    expect(manifest.task).toBe(spec.task);
    expect(manifest.target).toBe(spec.target);
    const types = Object.fromEntries(manifest.inputs.map((column) => [column.name, column.type]));
    expect(types).toMatchObject(spec.types);
    expect(types[spec.target]).toBeUndefined();
    const bytes = await readFile(path.join(DATA, spec.data));
    expect(manifest.data.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(manifest.data.rowsWithoutTarget).toBe(spec.name === 'cars' ? 8 : 0);
    const { train: trainRows, validation, test } = manifest.split;
    expect(trainRows + validation + test).toBe(manifest.data.rows);
    expect(test).toBe(result.testRows.length);
    expect(manifest.metrics.test).toEqual(result.metrics);
    expect(manifest.metrics.baseline).toEqual(result.baseline);
    const config = manifest.config as {
      model: { type: string };
      training: { epochs: number };
      split: { seed: number };
    };
    // auto (no model key) keeps the candidate or the ensemble of the best validation loss; an
    // ensemble's version records the auto config, a candidate's its concrete settings.
    expect(['auto', 'gbdt', 'linear', 'mlp']).toContain(config.model.type);
    const ensemble =
      config.model.type === 'auto'
        ? (JSON.parse(new TextDecoder().decode(stored.files['ensemble.json'])) as {
            members: Array<{ model: string; files: Record<string, string> }>;
          })
        : undefined;
    // The version's features.json is the first member's in an ensemble.
    const trees = (ensemble?.members[0]?.model ?? config.model.type) === 'gbdt';
    expect(config.training.epochs).toBe(200);
    expect(manifest.split.seed).toBe(config.split.seed);
    expect(manifest.runtime.backend).toBe(result.backend);
    expect(manifest.sample[spec.target]).toBeUndefined();
    const modelFiles = ensemble
      ? ['ensemble.json', ...ensemble.members.flatMap((member) => Object.values(member.files))]
      : trees
        ? ['trees.bin']
        : ['model.json', 'weights.bin'];
    expect(Object.keys(manifest.files).sort()).toEqual(
      [...new Set(['features.json', 'profile.json', 'report.html', ...modelFiles])].sort(),
    );
    if (ensemble) {
      expect(ensemble.members.length).toBeGreaterThanOrEqual(2);
      expect(manifest.metrics.extra?.auto).toBeDefined();
    }
    expect((manifest.data.profile as { rows: number }).rows).toBe(manifest.data.rows);
    // Issue 3's list: format, time, ranges and levels seen, outputs, tfjs version, commit.
    expect(manifest.format).toBe(1);
    expect(Number.isNaN(Date.parse(manifest.createdAt))).toBe(false);
    for (const column of manifest.inputs) {
      if (column.type === 'categorical') expect(column.levels?.length).toBeGreaterThan(0);
      if (column.type === 'numeric') expect(column.max).toBeGreaterThanOrEqual(column.min ?? NaN);
    }
    expect(manifest.outputs).toEqual(
      spec.task === 'regression'
        ? { target: spec.target }
        : { classes: [...(result.predictor.classes ?? [])] },
    );
    expect(manifest.runtime.tfjs).toMatch(/^\d+\.\d+\.\d+/);
    // The checked-out commit and its dirty flag in a git work tree, else no git field.
    expect(manifest.git).toEqual(await gitProvenance());
    const features = JSON.parse(new TextDecoder().decode(stored.files['features.json']));
    expect(features.format).toBe(1);
    expect(features.labels === null).toBe(spec.task === 'regression');
    // Trees predict the regression target on its own scale: no target scaler.
    expect(features.target === null).toBe(spec.task !== 'regression' || trees);
  });

  it('predicts from the stored version exactly what the in-memory predictor predicts', async () => {
    const store = new FileModelStore(path.join(dir, 'artifacts'));
    const loaded = await predictorFromStoredVersion(
      await store.readVersion(spec.name, result.version),
    );
    try {
      const rows = result.testRows.map((row) => {
        const { [spec.target]: _target, ...inputs } = row;
        return inputs;
      });
      const fromStore = loaded.predictBatch(rows).outputs;
      const inMemory = result.predictor.predictBatch(rows).outputs;
      expect(fromStore.length).toBe(rows.length * result.predictor.width);
      for (let i = 0; i < fromStore.length; i++) {
        expect(Math.abs((fromStore[i] as number) - (inMemory[i] as number))).toBeLessThan(1e-5);
      }
      expect(result.predictor.version).toBe(result.version);
    } finally {
      loaded.dispose();
    }
  });
});

describe('shipped config', () => {
  it('reaches the penguins threshold on the fixed split', async () => {
    const result = await train({
      config: path.join(DATA, 'models/penguins.json'),
      artifacts: path.join(dir, 'shipped'),
    });
    result.predictor.dispose();
    expect(result.testRows).toHaveLength(69);
    expect(result.metrics.accuracy).toBeGreaterThanOrEqual(0.97);
    // The shipped configs train gradient-boosted trees with scikit-learn's defaults.
    expect(result.config.model).toMatchObject({
      type: 'gbdt',
      learningRate: 0.1,
      maxLeafNodes: 31,
    });
  });
});

describe('git provenance', () => {
  it('records the commit and whether tracked files changed', async () => {
    const repo = await tempDir('provenance');
    try {
      const run = (args: string[]) => execFileSync('git', args, { cwd: repo.dir, stdio: 'pipe' });
      run(['init', '-q']);
      await writeFile(path.join(repo.dir, 'tracked.txt'), 'one\n');
      run(['add', 'tracked.txt']);
      run([
        '-c',
        'user.name=Tandem',
        '-c',
        'user.email=tandem@example.invalid',
        'commit',
        '-qm',
        'first',
      ]);
      const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir })
        .toString()
        .trim();
      expect(await gitProvenance(repo.dir)).toEqual({ commit, dirty: false });
      await writeFile(path.join(repo.dir, 'untracked.txt'), 'ignored\n');
      expect(await gitProvenance(repo.dir)).toEqual({ commit, dirty: false });
      await writeFile(path.join(repo.dir, 'tracked.txt'), 'two\n');
      expect(await gitProvenance(repo.dir)).toEqual({ commit, dirty: true });
      const outside = await tempDir('no-git');
      try {
        expect(await gitProvenance(outside.dir)).toBeUndefined();
      } finally {
        await outside.remove();
      }
    } finally {
      await repo.remove();
    }
  });
});
