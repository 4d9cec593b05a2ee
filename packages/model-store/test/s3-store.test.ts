import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileModelStore,
  openModelStore,
  S3ModelStore,
  type StoreError,
  sha256Hex,
} from '../src/index.ts';
import { startS3TestServer } from '../testing/s3-server.ts';
import { artifactFiles, draft } from './fixtures/artifact.ts';
import { rejection } from './fixtures/rejection.ts';

const run = promisify(execFile);
const s3 = await startS3TestServer();
afterAll(async () => {
  if (s3.available) await s3.server.stop();
});

describe.skipIf(!s3.available)('S3ModelStore against an S3 server', () => {
  const server = s3.available ? s3.server : (undefined as never);
  let bucket: string;
  let cacheDir: string;
  let raw: S3Client;
  const open = (prefix = 'models', cache = cacheDir) =>
    new S3ModelStore(`s3://${bucket}/${prefix}`, { env: server.env, cacheDir: cache });
  const put = (key: string, body: Uint8Array | string) =>
    raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const deletePrefix = async (prefix: string) => {
    const listed = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key as string }));
    await raw.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  };

  beforeEach(async () => {
    bucket = await server.createBucket();
    cacheDir = await mkdtemp(join(tmpdir(), 'tandem-s3-cache-'));
    raw = server.client();
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('writes versions 1 and 2 and reads them back verified, with s3:// paths', async () => {
    const store = open();
    const first = await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
    const second = await store.writeVersion('credit', artifactFiles('b'), () => draft('b'));
    expect(first).toEqual({ version: 1, path: `s3://${bucket}/models/credit/1` });
    expect(second.version).toBe(2);
    expect(await store.listModels()).toEqual(['credit']);
    expect(await store.listVersions('credit')).toEqual([1, 2]);
    expect(await store.resolve('credit')).toBe(2);

    const stored = await store.readVersion('credit', 2);
    expect(stored.path).toBe(`s3://${bucket}/models/credit/2`);
    expect(stored.manifest).toMatchObject({ name: 'credit', version: 2, config: { tag: 'b' } });
    for (const [file, bytes] of Object.entries(artifactFiles('b'))) {
      expect(stored.manifest.files[file]).toBe(sha256Hex(bytes));
      expect(Buffer.from(stored.files[file] as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    }
    // A second prefix in the same bucket is a second store.
    expect(await open('elsewhere').listModels()).toEqual([]);
  });

  it('ignores a version prefix without manifest.json, and never reuses its number', async () => {
    const store = open();
    await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
    // An upload that died before its commit marker: files, no manifest.
    for (const [file, bytes] of Object.entries(artifactFiles('x'))) {
      await put(`models/credit/2/${file}`, bytes);
    }
    expect(await store.listVersions('credit')).toEqual([1]);
    expect(await store.resolve('credit')).toBe(1);
    expect((await rejection(store.readVersion('credit', 2))).code).toBe('TANDEM_VERSION_NOT_FOUND');
    const next = await store.writeVersion('credit', artifactFiles('c'), () => draft('c'));
    expect(next.version).toBe(3);
    expect(await store.listVersions('credit')).toEqual([1, 3]);
  });

  it('never hands out a deleted version number again', async () => {
    const store = open();
    for (const tag of ['a', 'b'])
      await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    await deletePrefix('models/credit/2/');
    expect(await store.listVersions('credit')).toEqual([1]);
    const next = await store.writeVersion('credit', artifactFiles('c'), () => draft('c'));
    expect(next.version).toBe(3);
  });

  it('refuses a corrupted object while the other versions load', async () => {
    const writer = open();
    for (const tag of ['a', 'b', 'c'])
      await writer.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    const before = await writer.versionFingerprint('credit', 2);
    await put('models/credit/2/weights.bin', new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9]));
    await raw.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'models/credit/3/features.json' }] },
      }),
    );

    const reader = open('models', await mkdtemp(join(tmpdir(), 'tandem-s3-cache-')));
    expect(await reader.listVersions('credit')).toEqual([1, 2, 3]);
    // The replaced object changes the version's fingerprint, so a poller verifies it again.
    expect(await reader.versionFingerprint('credit', 2)).not.toBe(before);
    const corrupt = await rejection(reader.readVersion('credit', 2));
    expect(corrupt.code).toBe('TANDEM_VERSION_CORRUPT');
    expect(corrupt.file).toBe('weights.bin');
    expect(corrupt.message).toBe(
      `credit/2: weights.bin has sha256 ${sha256Hex(new Uint8Array(8).fill(9))}, manifest.json records ${sha256Hex(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))}`,
    );
    const missing = await rejection(reader.readVersion('credit', 3));
    expect(missing.code).toBe('TANDEM_VERSION_CORRUPT');
    expect(missing.message).toBe('credit/3: features.json is missing');
    expect((await reader.readVersion('credit', 1)).manifest.config).toEqual({ tag: 'a' });
    // Neither refused version reached the cache.
    expect(await readdir(reader.cache.root + '/credit')).toEqual(['1']);
  });

  it('gives 8 concurrent writers on two clients 8 distinct versions, each with its own files', async () => {
    const stores = [open(), open()];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (stores[i % 2] as S3ModelStore).writeVersion('race', artifactFiles(`w${i}`), () =>
          draft(`w${i}`),
        ),
      ),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const { version } of results) {
      const stored = await open().readVersion('race', version);
      const model = JSON.parse(new TextDecoder().decode(stored.files['model.json'])) as {
        tag: string;
      };
      expect(model.tag).toBe((stored.manifest.config as { tag: string }).tag);
    }
  });

  it('gives two concurrent writer processes distinct versions', async () => {
    const script = fileURLToPath(new URL('./fixtures/write-versions.ts', import.meta.url));
    const child = (tag: string) =>
      run(
        process.execPath,
        ['--import', 'tsx', script, `s3://${bucket}/models`, '5', tag, cacheDir],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: {
            ...process.env,
            ...server.env,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
      );
    const [a, b] = await Promise.all([child('a'), child('b')]);
    const versions = [
      ...(JSON.parse(a.stdout) as number[]),
      ...(JSON.parse(b.stdout) as number[]),
    ].sort((x, y) => x - y);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await open().listVersions('race')).toEqual(versions);
  }, 120_000);

  it('two concurrent label writers lose no update (compare-and-swap on labels.json)', async () => {
    const setup = open();
    for (const tag of ['a', 'b', 'c'])
      await setup.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    const a = open();
    const b = open();
    const writes = (store: S3ModelStore, who: string) =>
      (async () => {
        for (let i = 0; i < 12; i++) await store.setLabel('credit', `${who}-${i}`, (i % 3) + 1);
      })();
    await Promise.all([writes(a, 'a'), writes(b, 'b')]);
    const labels = await open().readLabels('credit');
    const expected: Record<string, number> = {};
    for (const who of ['a', 'b'])
      for (let i = 0; i < 12; i++) expected[`${who}-${i}`] = (i % 3) + 1;
    expect(labels).toEqual(expected);
    // The writers did collide, and each collision was retried rather than overwritten.
    expect(a.labelConflicts + b.labelConflicts).toBeGreaterThan(0);
  });

  it("moves, resolves and removes labels with the folder store's rules", async () => {
    const store = open();
    for (const tag of ['a', 'b', 'c'])
      await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    expect(await store.readLabels('credit')).toEqual({});
    await store.setLabel('credit', 'production', 2);
    await store.setLabel('credit', 'staging', 3);
    expect(await store.resolve('credit')).toBe(2);
    expect(await store.resolve('credit', { label: 'staging' })).toBe(3);
    await store.setLabel('credit', 'production', 1);
    expect(await store.readLabels('credit')).toEqual({ production: 1, staging: 3 });
    await store.removeLabel('credit', 'staging');
    expect(await store.readLabels('credit')).toEqual({ production: 1 });

    expect((await rejection(store.setLabel('credit', 'production', 9))).code).toBe(
      'TANDEM_VERSION_NOT_FOUND',
    );
    expect((await rejection(store.removeLabel('credit', 'staging'))).code).toBe(
      'TANDEM_LABEL_NOT_FOUND',
    );
    expect((await rejection(store.setLabel('credit', 'Prod!', 1))).code).toBe(
      'TANDEM_LABEL_INVALID',
    );
    expect(
      (await rejection(store.resolve('credit', { version: 1, label: 'production' }))).code,
    ).toBe('TANDEM_SELECTOR_INVALID');
    expect((await rejection(store.listVersions('nope'))).code).toBe('TANDEM_MODEL_NOT_FOUND');
    expect((await rejection(store.readLabels('nope'))).code).toBe('TANDEM_MODEL_NOT_FOUND');
    await put('models/credit/labels.json', '{"production": "two"}');
    const broken = await rejection(store.readLabels('credit'));
    expect(broken.code).toBe('TANDEM_LABELS_CORRUPT');
    expect(broken.message).toBe(
      `s3://${bucket}/models/credit/labels.json: label production must map to a version number, got "two"`,
    );
  });

  it('keeps verified downloads in the cache folder and reads them with one request', async () => {
    const writer = open();
    await writer.writeVersion('credit', artifactFiles('a'), () => draft('a'));
    const first = open();
    await first.readVersion('credit', 1);
    expect((await first.requestCounts())['GetObjectCommand']).toBe(4); // manifest + 3 files
    expect((await readdir(join(first.cache.root, 'credit', '1'))).sort()).toEqual([
      'features.json',
      'manifest.json',
      'model.json',
      'weights.bin',
    ]);

    const second = open(); // same cache folder, as after a restart
    const stored = await second.readVersion('credit', 1);
    expect(stored.manifest.config).toEqual({ tag: 'a' });
    expect((await second.requestCounts())['GetObjectCommand']).toBe(1); // the manifest only

    // A damaged cached file is noticed, dropped and downloaded again.
    await writeFile(join(second.cache.root, 'credit', '1', 'weights.bin'), 'damaged');
    const third = open();
    const again = await third.readVersion('credit', 1);
    expect(Array.from(again.files['weights.bin'] as Uint8Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await third.requestCounts())['GetObjectCommand']).toBe(4);
  });

  it('costs one listing per model, one labels read and one store listing per poll', async () => {
    const writer = open();
    for (const tag of ['a', 'b', 'c'])
      await writer.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    await writer.writeVersion('churn', artifactFiles('d'), () => draft('d'));
    await writer.setLabel('credit', 'production', 2);
    const poller = open();
    // One poll as a server makes it: models, then for each its versions, labels, fingerprints.
    for (const name of await poller.listModels()) {
      const versions = await poller.listVersions(name);
      await poller.readLabels(name);
      for (const v of versions) await poller.versionFingerprint(name, v);
    }
    expect(await poller.requestCounts()).toEqual({
      ListObjectsV2Command: 1 + 2 + 1, // the store, each model, churn's "any objects?" (no labels)
      GetObjectCommand: 2,
    });
  });

  it('reports an unreachable store as TANDEM_STORE_UNAVAILABLE naming the location', async () => {
    const store = new S3ModelStore('s3://tandem-nowhere/models', {
      env: { ...server.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' },
      cacheDir,
    });
    const error = await rejection(store.listModels());
    expect(error.code).toBe('TANDEM_STORE_UNAVAILABLE');
    expect(error.message).toMatch(/^cannot list s3:\/\/tandem-nowhere\/models\/: /);
    const missingBucket = await rejection(
      new S3ModelStore('s3://tandem-no-such-bucket/models', {
        env: server.env,
        cacheDir,
      }).listModels(),
    );
    expect(missingBucket.code).toBe('TANDEM_STORE_UNAVAILABLE');
    expect(missingBucket.message).toMatch(/NoSuchBucket/);
  }, 30_000);
});

describe('openModelStore', () => {
  it('opens a folder as the file store and s3:// as the S3 store', () => {
    expect(openModelStore('artifacts')).toBeInstanceOf(FileModelStore);
    expect(openModelStore('/srv/models').location).toBe('/srv/models');
    const remote = openModelStore('s3://models-bucket/tandem/prod/');
    expect(remote).toBeInstanceOf(S3ModelStore);
    expect(remote.location).toBe('s3://models-bucket/tandem/prod');
    expect(remote.versionPath('credit', 3)).toBe('s3://models-bucket/tandem/prod/credit/3');
    expect(openModelStore('s3://models-bucket').versionPath('credit', 1)).toBe(
      's3://models-bucket/credit/1',
    );
  });

  it('refuses other schemes and invalid bucket names with TANDEM_STORE_URI_INVALID', () => {
    const cases: [string, string][] = [
      [
        'gs://bucket/models',
        'model store "gs://bucket/models": gs:// is not supported; give a folder or s3://bucket/prefix',
      ],
      [
        's3://Bad_Bucket/x',
        'model store "s3://Bad_Bucket/x": bucket "Bad_Bucket" is not a valid S3 bucket name',
      ],
      ['s3://', 'model store "s3://": bucket "" is not a valid S3 bucket name'],
      [
        's3://bucket/../x',
        'model store "s3://bucket/../x": the prefix may not contain "." or ".." segments',
      ],
    ];
    for (const [uri, message] of cases) {
      let error: StoreError | undefined;
      try {
        openModelStore(uri);
      } catch (caught) {
        error = caught as StoreError;
      }
      expect(error?.code).toBe('TANDEM_STORE_URI_INVALID');
      expect(error?.message).toBe(message);
    }
  });
});
