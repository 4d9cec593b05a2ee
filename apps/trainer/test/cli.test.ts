import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, lines, runCli, TRAINER_ROOT, tempDir, writeJson } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('cli'));
});
afterAll(() => remove());

const PENGUINS = {
  name: 'penguins',
  data: path.join(DATA, 'penguins.csv'),
  target: 'species',
  task: 'multiclass',
  training: { epochs: 3 },
};

/** Asserts a failed run printed exactly one line, no stack trace, and returns it. */
function oneLine(stderr: string): string {
  const output = lines(stderr);
  expect(output, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  return output[0] ?? '';
}

describe('train CLI', () => {
  it.concurrent('prints its options for --help', async () => {
    const { code, stdout } = await runCli('train', ['--help']);
    expect(code).toBe(0);
    for (const option of [
      '--config',
      '--artifacts',
      '--seed',
      '--json',
      'TANDEM_ARTIFACTS',
      'TANDEM_BACKEND',
    ]) {
      expect(stdout).toContain(option);
    }
  });

  it.concurrent('exits 2 with one line for bad usage', async () => {
    const missing = await runCli('train', []);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toMatch(/^train: error: missing --config <file>/);
    const unknown = await runCli('train', ['--config', 'x.json', '--epochs', '3']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toMatch(/^train: error: Unknown option '--epochs'/);
    const seed = await runCli('train', ['--config', 'x.json', '--seed', 'abc']);
    expect(seed.code).toBe(2);
    expect(oneLine(seed.stderr)).toMatch(/--seed expects a non-negative integer, got "abc"/);
  });

  it.concurrent('exits 1 with one line for a missing config file', async () => {
    const { code, stderr, stdout } = await runCli('train', [
      '--config',
      path.join(dir, 'nope.json'),
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(oneLine(stderr)).toMatch(/^train: error: config file not found: .*nope\.json$/);
  });

  it.concurrent('exits 1 with one line naming an unknown config key', async () => {
    const config = await writeJson(path.join(dir, 'unknown-key.json'), { ...PENGUINS, epochs: 3 });
    const { code, stderr } = await runCli('train', ['--config', config]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(/unknown config key "epochs"/);
  });

  it.concurrent('exits 1 with one line naming a missing target column', async () => {
    const config = await writeJson(path.join(dir, 'no-target.json'), {
      ...PENGUINS,
      target: 'Species',
    });
    const { code, stderr } = await runCli('train', ['--config', config]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(
      /target column "Species" not found in .*penguins\.csv \(did you mean "species"\?\)/,
    );
  });

  it.concurrent('exits 1 with one line for a target with a single class', async () => {
    const data = path.join(dir, 'one-class.csv');
    await writeFile(data, 'x,label\n1,yes\n2,yes\n3,yes\n');
    const config = await writeJson(path.join(dir, 'one-class.json'), {
      name: 'one',
      data,
      target: 'label',
      task: 'binary',
    });
    const { code, stderr } = await runCli('train', ['--config', config]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(
      /target column "label" has fewer than two classes \(only "yes"\)/,
    );
  });

  it.concurrent('exits 1 with one line, no stack trace, when the data path is a directory', async () => {
    const folder = path.join(dir, 'rows.csv');
    await mkdir(folder);
    const config = await writeJson(path.join(dir, 'dir-data.json'), { ...PENGUINS, data: folder });
    const { code, stderr } = await runCli('train', ['--config', config]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(/^train: error: data file is a directory: .*rows\.csv$/);
  });

  it.concurrent('exits 1 with one line, before training, when --artifacts is a file', async () => {
    const file = path.join(dir, 'not-a-folder');
    await writeFile(file, '');
    const config = await writeJson(path.join(dir, 'artifacts-file.json'), PENGUINS);
    const { code, stderr } = await runCli('train', ['--config', config, '--artifacts', file]);
    expect(code).toBe(1);
    expect(oneLine(stderr)).toMatch(
      /^train: error: model store root .*not-a-folder is not a directory$/,
    );
  });

  it.concurrent('exits 1 with one line when the version cannot be written', async () => {
    const root = path.join(dir, 'store-with-a-file');
    await mkdir(root);
    // A file where the model's folder goes: the store root is fine, writing the version fails.
    await writeFile(path.join(root, PENGUINS.name), '');
    const config = await writeJson(path.join(dir, 'blocked.json'), PENGUINS);
    const { code, stderr } = await runCli('train', ['--config', config, '--artifacts', root]);
    expect(code).toBe(1);
    // Training ran (its progress lines come first); the failure is the last line, no stack.
    const lines = stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^train: error: cannot write to the model store .*store-with-a-file: (EEXIST|ENOTDIR): /,
    );
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(await readdir(root)).toEqual([PENGUINS.name]);
  });

  it.concurrent('headlines metrics that are defined when AUC is not (one class in test)', async () => {
    const data = path.join(dir, 'tiny.csv');
    await writeFile(data, 'x,y\n1,p\n2,q\n3,p\n4,q\n5,p\n6,q\n');
    const config = await writeJson(path.join(dir, 'tiny.json'), {
      name: 'tiny',
      data,
      target: 'y',
      task: 'binary',
      training: { epochs: 1 },
    });
    const artifacts = path.join(dir, 'tiny-artifacts');
    const { code, stdout } = await runCli('train', ['--config', config, '--artifacts', artifacts]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^tiny version 1 → .* \(accuracy \d\.\d{4}, logLoss \d+\.\d{4}; trained/,
    );
    expect(stdout).not.toMatch(/NaN/);
  });

  it('prints exactly one JSON object on stdout with --json, logs on stderr', async () => {
    const config = await writeJson(path.join(dir, 'penguins.json'), PENGUINS);
    const artifacts = path.join(dir, 'json-artifacts');
    const { code, stdout, stderr } = await runCli('train', [
      '--config',
      config,
      '--artifacts',
      artifacts,
      '--json',
      '--seed',
      '3',
    ]);
    expect(code, stderr).toBe(0);
    expect(lines(stdout)).toHaveLength(1);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual([
      'name',
      'version',
      'path',
      'backend',
      'trainSeconds',
      'metrics',
      'baseline',
    ]);
    expect(result).toMatchObject({
      name: 'penguins',
      version: 1,
      path: path.join(artifacts, 'penguins', '1'),
    });
    expect(Object.keys(result.metrics)).toEqual(
      expect.arrayContaining(['accuracy', 'logLoss', 'macroF1']),
    );
    expect(result.baseline.accuracy).toBeCloseTo(0.4348, 3);
    expect(stderr).toMatch(/split \(random, seed 3\)/);
    expect(stderr).toMatch(/confusion matrix/);
    const manifest = JSON.parse(await readFile(path.join(result.path, 'manifest.json'), 'utf8'));
    expect(manifest.config.split.seed).toBe(3);
    expect(manifest.config.training.seed).toBe(3);
  });

  it('writes to TANDEM_ARTIFACTS when --artifacts is absent, through the bin launcher', async () => {
    const config = await writeJson(path.join(dir, 'penguins-env.json'), PENGUINS);
    const artifacts = path.join(dir, 'env-artifacts');
    const child = spawn(
      process.execPath,
      [path.join(TRAINER_ROOT, 'bin/tandem-train.js'), '--config', config],
      {
        env: { ...process.env, TANDEM_ARTIFACTS: artifacts },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^penguins version 1 → .*env-artifacts\/penguins\/1 \(accuracy /);
    const manifest = JSON.parse(
      await readFile(path.join(artifacts, 'penguins/1/manifest.json'), 'utf8'),
    );
    expect(manifest.version).toBe(1);
  });
});

describe('label CLI', () => {
  it('sets, moves and removes a label; refuses a missing version in one line', async () => {
    const artifacts = path.join(dir, 'label-artifacts');
    const config = await writeJson(path.join(dir, 'penguins-label.json'), PENGUINS);
    for (let i = 0; i < 2; i++) {
      const trained = await runCli('train', [
        '--config',
        config,
        '--artifacts',
        artifacts,
        '--json',
      ]);
      expect(trained.code, trained.stderr).toBe(0);
    }
    const labels = () =>
      readFile(path.join(artifacts, 'penguins/labels.json'), 'utf8').then(JSON.parse);
    const set = await runCli('label', ['penguins', 'production', '1', '--artifacts', artifacts]);
    expect(set.code, set.stderr).toBe(0);
    expect(await labels()).toEqual({ production: 1 });
    await runCli('label', ['penguins', 'production', '2', '--artifacts', artifacts]);
    await runCli('label', ['penguins', 'staging', '1', '--artifacts', artifacts]);
    expect(await labels()).toEqual({ production: 2, staging: 1 });
    const removed = await runCli('label', [
      'penguins',
      'staging',
      '--remove',
      '--artifacts',
      artifacts,
    ]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(await labels()).toEqual({ production: 2 });
    const missing = await runCli('label', [
      'penguins',
      'production',
      '9',
      '--artifacts',
      artifacts,
    ]);
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toMatch(/^label: error: model penguins has no version 9$/);
    const usage = await runCli('label', [
      'penguins',
      'production',
      'latest',
      '--artifacts',
      artifacts,
    ]);
    expect(usage.code).toBe(2);
    const negative = await runCli('label', [
      'penguins',
      'production',
      '-1',
      '--artifacts',
      artifacts,
    ]);
    expect(negative.code).toBe(2);
    expect(oneLine(negative.stderr)).toBe("label: error: Unknown option '-1' (see --help)");
    expect(await labels()).toEqual({ production: 2 });
  });
});
