import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileModelStore, MANIFEST_FORMAT, sha256Hex } from '../src/index.ts';
import { artifactFiles, draft } from './fixtures/artifact.ts';
import { rejection } from './fixtures/rejection.ts';

const run = promisify(execFile);
let root: string;
let store: FileModelStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-store-'));
  store = new FileModelStore(root);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeVersion / readVersion', () => {
  it('writes version 1, then 2, with a manifest recording every file digest', async () => {
    const first = await store.writeVersion('credit', artifactFiles('a'), (v) => ({
      ...draft('a'),
      version: v,
    }));
    const second = await store.writeVersion('credit', artifactFiles('b'), () => draft('b'));
    expect(first).toEqual({ version: 1, path: join(root, 'credit', '1') });
    expect(second.version).toBe(2);
    expect(await store.listModels()).toEqual(['credit']);
    expect(await store.listVersions('credit')).toEqual([1, 2]);

    const stored = await store.readVersion('credit', 2);
    expect(stored.manifest.format).toBe(MANIFEST_FORMAT);
    expect(stored.manifest.name).toBe('credit');
    expect(stored.manifest.version).toBe(2);
    expect(stored.manifest.config).toEqual({ tag: 'b' });
    const files = artifactFiles('b');
    expect(Object.keys(stored.manifest.files).sort()).toEqual(Object.keys(files).sort());
    for (const [file, bytes] of Object.entries(files)) {
      expect(stored.manifest.files[file]).toBe(sha256Hex(bytes));
      expect(Buffer.from(stored.files[file] as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    }
    // The build folder is gone after the rename.
    expect((await readdir(join(root, 'credit'))).sort()).toEqual(['.claims', '1', '2']);
  });

  it('reports an operating-system failure as TANDEM_STORE_WRITE_FAILED, leaving nothing behind', async () => {
    // A file where the model folder should be: mkdir fails with ENOTDIR (permissions cannot be
    // used to make writes fail here, since tests may run as root).
    await writeFile(join(root, 'credit'), 'not a folder');
    const error = await rejection(
      store.writeVersion('credit', artifactFiles('a'), () => draft('a')),
    );
    expect(error.code).toBe('TANDEM_STORE_WRITE_FAILED');
    expect(error.model).toBe('credit');
    expect(error.message).toMatch(
      new RegExp(`^cannot write a version of model credit to ${root}: `),
    );
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(/^(EEXIST|ENOTDIR)$/);
    expect(await readdir(root)).toEqual(['credit']);

    const nested = new FileModelStore(join(root, 'credit', 'store'));
    const deeper = await rejection(nested.writeVersion('m', artifactFiles('a'), () => draft('a')));
    expect(deeper.code).toBe('TANDEM_STORE_WRITE_FAILED');
    expect((deeper.cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('gives 8 concurrent writers in one process 8 distinct versions', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.writeVersion('race', artifactFiles(`w${i}`), () => draft(`w${i}`)),
      ),
    );
    const versions = results.map((r) => r.version).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Each version holds the files of exactly the writer that claimed it.
    for (const { version } of results) {
      const stored = await store.readVersion('race', version);
      const tag = (stored.manifest.config as { tag: string }).tag;
      const model = JSON.parse(new TextDecoder().decode(stored.files['model.json'])) as {
        tag: string;
      };
      expect(model.tag).toBe(tag);
    }
  });

  it('gives two concurrent writer processes distinct versions', async () => {
    const script = fileURLToPath(new URL('./fixtures/write-versions.ts', import.meta.url));
    const child = (tag: string) =>
      run(process.execPath, ['--import', 'tsx', script, root, '6', tag], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      });
    const [a, b] = await Promise.all([child('a'), child('b')]);
    const versions = [
      ...(JSON.parse(a.stdout) as number[]),
      ...(JSON.parse(b.stdout) as number[]),
    ].sort((x, y) => x - y);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await store.listVersions('race')).toEqual(versions);
  }, 60_000);

  it('rewrites the manifest for the next number when the claimed one is taken', async () => {
    const asked: number[] = [];
    const result = await store.writeVersion('credit', artifactFiles('late'), (version) => {
      asked.push(version);
      // Another writer lands version 1 between our listing and our rename.
      if (version === 1 && asked.length === 1) {
        mkdirSync(join(root, 'credit', '1'));
        writeFileSync(join(root, 'credit', '1', 'manifest.json'), '{}');
      }
      return draft('late');
    });
    expect(asked).toEqual([1, 2]);
    expect(result.version).toBe(2);
    expect((await store.readVersion('credit', 2)).manifest.version).toBe(2);
  });

  it('refuses an artifact without a required file, naming it', async () => {
    const files = artifactFiles('x');
    delete files['weights.bin'];
    const error = await rejection(store.writeVersion('credit', files, () => draft('x')));
    expect(error.code).toBe('TANDEM_ARTIFACT_INVALID');
    expect(error.message).toContain('weights.bin');
    expect(await store.listModels()).toEqual([]);
  });

  it('refuses a model name that is not a plain folder name', async () => {
    const error = await rejection(
      store.writeVersion('../evil', artifactFiles('x'), () => draft('x')),
    );
    expect(error.code).toBe('TANDEM_MODEL_NAME_INVALID');
    expect(error.message).toContain('../evil');
  });

  it('never lists build folders, and removes those of dead writers', async () => {
    await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const deadTemp = join(root, 'credit', `.tmp-${dead}-abc`);
    const liveTemp = join(root, 'credit', `.tmp-${process.pid}-def`);
    await mkdir(deadTemp);
    await mkdir(liveTemp);
    await writeFile(join(liveTemp, 'model.json'), '{}');
    expect(await store.listVersions('credit')).toEqual([1]);
    await store.writeVersion('credit', artifactFiles('b'), () => draft('b'));
    const entries = await readdir(join(root, 'credit'));
    expect(entries).not.toContain(`.tmp-${dead}-abc`);
    expect(entries).toContain(`.tmp-${process.pid}-def`);
    expect(await store.listVersions('credit')).toEqual([1, 2]);
  });

  it('lists only canonical numeric version folders, ascending', async () => {
    for (const dir of ['10', '2', '03', 'latest', '.tmp-1-x']) {
      await mkdir(join(root, 'credit', dir), { recursive: true });
    }
    await writeFile(join(root, 'credit', '7'), 'a file, not a folder');
    expect(await store.listVersions('credit')).toEqual([2, 10]);
  });
});

describe('readVersion verification', () => {
  beforeEach(async () => {
    await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
  });

  it('refuses a file whose bytes changed, naming the file', async () => {
    const path = join(root, 'credit', '1', 'weights.bin');
    const bytes = await readFile(path);
    bytes[3] = (bytes[3] as number) ^ 0xff;
    await writeFile(path, bytes);
    const error = await rejection(store.readVersion('credit', 1));
    expect(error.code).toBe('TANDEM_VERSION_CORRUPT');
    expect(error.file).toBe('weights.bin');
    expect(error.message).toContain('credit/1: weights.bin has sha256');
  });

  it('refuses a truncated file and a missing file', async () => {
    await writeFile(join(root, 'credit', '1', 'features.json'), '{"form');
    const truncated = await rejection(store.readVersion('credit', 1));
    expect([truncated.code, truncated.file]).toEqual(['TANDEM_VERSION_CORRUPT', 'features.json']);
    await rm(join(root, 'credit', '1', 'model.json'));
    await writeFile(
      join(root, 'credit', '1', 'features.json'),
      artifactFiles('a')['features.json']!,
    );
    const missing = await rejection(store.readVersion('credit', 1));
    expect([missing.code, missing.file]).toEqual(['TANDEM_VERSION_CORRUPT', 'model.json']);
    expect(missing.message).toContain('model.json is missing');
  });

  it('refuses a newer manifest format with TANDEM_FORMAT_UNSUPPORTED', async () => {
    const path = join(root, 'credit', '1', 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...manifest, format: 2 }));
    const error = await rejection(store.readVersion('credit', 1));
    expect(error.code).toBe('TANDEM_FORMAT_UNSUPPORTED');
    expect(error.message).toContain('format 2');
  });

  it('refuses a manifest that is not JSON, lacks a field, or lives in the wrong folder', async () => {
    const path = join(root, 'credit', '1', 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, '{ not json');
    expect((await rejection(store.readVersion('credit', 1))).code).toBe('TANDEM_VERSION_CORRUPT');

    await writeFile(path, JSON.stringify({ ...manifest, task: 'ranking' }));
    const badTask = await rejection(store.readVersion('credit', 1));
    expect(badTask.code).toBe('TANDEM_VERSION_CORRUPT');
    expect(badTask.message).toContain('"task"');

    await writeFile(path, JSON.stringify({ ...manifest, version: 5 }));
    const moved = await rejection(store.readVersion('credit', 1));
    expect(moved.message).toContain('credit/5');

    const files = { ...(manifest.files as Record<string, string>) };
    delete files['features.json'];
    await writeFile(path, JSON.stringify({ ...manifest, files }));
    const unlisted = await rejection(store.readVersion('credit', 1));
    expect(unlisted.message).toContain('does not list features.json');

    await writeFile(
      path,
      JSON.stringify({ ...manifest, files: { ...files, '../x': 'a'.repeat(64) } }),
    );
    expect((await rejection(store.readVersion('credit', 1))).message).toContain('"../x"');
  });

  it('names the missing model or version', async () => {
    const model = await rejection(store.readVersion('nope', 1));
    expect([model.code, model.model]).toEqual(['TANDEM_MODEL_NOT_FOUND', 'nope']);
    const version = await rejection(store.readVersion('credit', 9));
    expect([version.code, version.version]).toEqual(['TANDEM_VERSION_NOT_FOUND', 9]);
  });
});

describe('labels and resolve', () => {
  beforeEach(async () => {
    for (const tag of ['a', 'b', 'c']) {
      await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    }
  });

  it('defaults to the highest version, then to production once set', async () => {
    expect(await store.readLabels('credit')).toEqual({});
    expect(await store.resolve('credit')).toBe(3);
    await store.setLabel('credit', 'production', 2);
    expect(await store.resolve('credit')).toBe(2);
    expect(await store.resolve('credit', { version: 3 })).toBe(3);
  });

  it('sets, moves and removes labels, writing labels.json atomically', async () => {
    await store.setLabel('credit', 'production', 1);
    await store.setLabel('credit', 'staging', 3);
    await store.setLabel('credit', 'production', 2);
    expect(await store.readLabels('credit')).toEqual({ production: 2, staging: 3 });
    expect(JSON.parse(await readFile(join(root, 'credit', 'labels.json'), 'utf8'))).toEqual({
      production: 2,
      staging: 3,
    });
    expect(await store.resolve('credit', { label: 'staging' })).toBe(3);
    await store.removeLabel('credit', 'staging');
    expect(await store.readLabels('credit')).toEqual({ production: 2 });
    const entries = await readdir(join(root, 'credit'));
    expect(entries.filter((e) => e.startsWith('.') && e !== '.claims')).toEqual([]);
  });

  it('reports a labels file it cannot replace as TANDEM_STORE_WRITE_FAILED', async () => {
    await mkdir(join(root, 'credit', 'labels.json', 'in-the-way'), { recursive: true });
    const error = await rejection(store.setLabel('credit', 'production', 1));
    expect(error.code).toBe('TANDEM_STORE_WRITE_FAILED');
    expect(error.message).toMatch(/^cannot write .*labels\.json: /);
  });

  it('keeps every update when labels are set concurrently', async () => {
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((label, i) =>
        store.setLabel('credit', label, (i % 3) + 1),
      ),
    );
    expect(await store.readLabels('credit')).toEqual({ a: 1, b: 2, c: 3, d: 1, e: 2, f: 3 });
  });

  it('refuses invalid label names, unknown labels and missing versions', async () => {
    const invalid = await rejection(store.setLabel('credit', 'Prod!', 1));
    expect(invalid.code).toBe('TANDEM_LABEL_INVALID');
    expect(invalid.message).toContain('"Prod!"');
    const noVersion = await rejection(store.setLabel('credit', 'production', 7));
    expect([noVersion.code, noVersion.version]).toEqual(['TANDEM_VERSION_NOT_FOUND', 7]);
    const noLabel = await rejection(store.resolve('credit', { label: 'canary' }));
    expect([noLabel.code, noLabel.label]).toEqual(['TANDEM_LABEL_NOT_FOUND', 'canary']);
    expect((await rejection(store.removeLabel('credit', 'canary'))).code).toBe(
      'TANDEM_LABEL_NOT_FOUND',
    );
    expect((await rejection(store.resolve('credit', { version: 1, label: 'x' }))).code).toBe(
      'TANDEM_SELECTOR_INVALID',
    );
  });

  it('refuses a production label that points to a removed version', async () => {
    await store.setLabel('credit', 'production', 3);
    await rm(join(root, 'credit', '3'), { recursive: true });
    const error = await rejection(store.resolve('credit'));
    expect(error.code).toBe('TANDEM_VERSION_NOT_FOUND');
    expect(error.message).toContain('label production');
  });

  it('reports a corrupt labels.json', async () => {
    await writeFile(join(root, 'credit', 'labels.json'), '{"production": "three"}');
    const error = await rejection(store.readLabels('credit'));
    expect(error.code).toBe('TANDEM_LABELS_CORRUPT');
    expect(error.message).toContain('production');
  });
});
