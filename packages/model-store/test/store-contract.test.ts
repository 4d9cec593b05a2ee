import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FileModelStore,
  type ModelStore,
  S3ModelStore,
  type StoreError,
  sha256Hex,
} from '../src/index.ts';
import { startS3TestServer } from '../testing/s3-server.ts';
import { artifactFiles, draft } from './fixtures/artifact.ts';

// One set of behaviours, run against each store: what the ModelStore interface promises.

const s3 = await startS3TestServer();
afterAll(async () => {
  if (s3.available) await s3.server.stop();
});

interface Harness {
  /** A second handle on the same store, as another process would have. */
  open(): ModelStore;
  /** Writes raw bytes where a version's file is kept, behind the store's back. */
  tamper(name: string, version: number, file: string, bytes: Uint8Array): Promise<void>;
  /** Deletes a whole version behind the store's back (an operator pruning old versions). */
  remove(name: string, version: number): Promise<void>;
  cleanup(): Promise<void>;
}

const harnesses: [string, boolean, () => Promise<Harness>][] = [
  [
    'FileModelStore',
    true,
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'tandem-contract-'));
      return {
        open: () => new FileModelStore(root),
        async tamper(name, version, file, bytes) {
          await mkdir(join(root, name, String(version)), { recursive: true });
          await writeFile(join(root, name, String(version), file), bytes);
        },
        remove: (name, version) =>
          rm(join(root, name, String(version)), { recursive: true, force: true }),
        cleanup: () => rm(root, { recursive: true, force: true }),
      };
    },
  ],
  [
    'S3ModelStore',
    s3.available,
    async () => {
      if (!s3.available) throw new Error('unreachable');
      const server = s3.server;
      const bucket = await server.createBucket();
      const caches: string[] = [];
      const raw = server.client();
      return {
        open: () => {
          const cacheDir = join(tmpdir(), `tandem-contract-cache-${caches.length}-${bucket}`);
          caches.push(cacheDir);
          return new S3ModelStore(`s3://${bucket}/m`, { env: server.env, cacheDir });
        },
        async tamper(name, version, file, bytes) {
          await raw.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: `m/${name}/${version}/${file}`,
              Body: bytes,
            }),
          );
        },
        async remove(name, version) {
          const listed = await raw.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: `m/${name}/${version}/` }),
          );
          const keys = (listed.Contents ?? []).map((o) => ({ Key: o.Key as string }));
          await raw.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
        },
        async cleanup() {
          for (const c of caches) await rm(c, { recursive: true, force: true });
        },
      };
    },
  ],
];

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: StoreError) => error.code,
  );

for (const [kind, available, make] of harnesses) {
  describe.skipIf(!available)(`the ModelStore contract: ${kind}`, () => {
    let harness: Harness;
    let store: ModelStore;
    beforeEach(async () => {
      harness = await make();
      store = harness.open();
    });
    afterEach(() => harness.cleanup());

    it('starts empty, then lists what was written', async () => {
      expect(await store.listModels()).toEqual([]);
      expect(await code(store.listVersions('credit'))).toBe('TANDEM_MODEL_NOT_FOUND');
      expect(await code(store.resolve('credit'))).toBe('TANDEM_MODEL_NOT_FOUND');
      await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
      await store.writeVersion('churn', artifactFiles('b'), () => draft('b'));
      expect(await store.listModels()).toEqual(['churn', 'credit']);
      expect(await harness.open().listVersions('credit')).toEqual([1]);
    });

    it('gives 6 concurrent writers on two handles 6 distinct versions', async () => {
      const handles = [store, harness.open()];
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          (handles[i % 2] as ModelStore).writeVersion('race', artifactFiles(`w${i}`), () =>
            draft(`w${i}`),
          ),
        ),
      );
      expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
      for (const { version } of results) {
        const stored = await store.readVersion('race', version);
        const tag = (stored.manifest.config as { tag: string }).tag;
        expect(JSON.parse(new TextDecoder().decode(stored.files['model.json'])).tag).toBe(tag);
      }
    });

    it('resolves the production label, else the highest version', async () => {
      for (const tag of ['a', 'b', 'c'])
        await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
      expect(await store.resolve('credit')).toBe(3);
      await store.setLabel('credit', 'production', 2);
      expect(await harness.open().resolve('credit')).toBe(2);
      expect(await store.resolve('credit', { version: 1 })).toBe(1);
      expect(await code(store.resolve('credit', { label: 'staging' }))).toBe(
        'TANDEM_LABEL_NOT_FOUND',
      );
      expect(await code(store.resolve('credit', { version: 4 }))).toBe('TANDEM_VERSION_NOT_FOUND');
      expect(await code(store.setLabel('credit', 'staging', 4))).toBe('TANDEM_VERSION_NOT_FOUND');
    });

    it('loses no label update between two handles writing at once', async () => {
      await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
      const other = harness.open();
      await Promise.all(
        [store, other].map(async (handle, w) => {
          for (let i = 0; i < 6; i++) await handle.setLabel('credit', `w${w}-${i}`, 1);
        }),
      );
      expect(Object.keys(await store.readLabels('credit')).sort()).toEqual([
        'w0-0',
        'w0-1',
        'w0-2',
        'w0-3',
        'w0-4',
        'w0-5',
        'w1-0',
        'w1-1',
        'w1-2',
        'w1-3',
        'w1-4',
        'w1-5',
      ]);
    });

    it('refuses a file changed behind its back, names it, and its fingerprint moves', async () => {
      for (const tag of ['a', 'b'])
        await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
      const reader = harness.open();
      await reader.listVersions('credit');
      const before = await reader.versionFingerprint('credit', 1);
      const bad = new TextEncoder().encode('{"tampered":true}');
      await harness.tamper('credit', 1, 'features.json', bad);
      const fresh = harness.open();
      await fresh.listVersions('credit');
      expect(await fresh.versionFingerprint('credit', 1)).not.toBe(before);
      const error = await fresh.readVersion('credit', 1).catch((e: StoreError) => e);
      expect(error).toMatchObject({
        code: 'TANDEM_VERSION_CORRUPT',
        file: 'features.json',
        version: 1,
      });
      expect((error as StoreError).message).toContain(`has sha256 ${sha256Hex(bad)}`);
      expect((await fresh.readVersion('credit', 2)).version).toBe(2);
    });

    it('never hands out the number of a deleted version again', async () => {
      for (const tag of ['a', 'b', 'c']) {
        await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
      }
      await harness.remove('credit', 3);
      expect(await store.listVersions('credit')).toEqual([1, 2]);
      const next = await harness
        .open()
        .writeVersion('credit', artifactFiles('d'), () => draft('d'));
      expect(next.version).toBe(4);
    });

    it('never serves a version whose manifest was never written', async () => {
      await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
      await harness.tamper('credit', 2, 'model.json', new TextEncoder().encode('{}'));
      if (kind === 'S3ModelStore') {
        // On S3 the manifest is the commit marker: without it there is no version 2.
        expect(await store.listVersions('credit')).toEqual([1]);
        expect(await code(store.readVersion('credit', 2))).toBe('TANDEM_VERSION_NOT_FOUND');
      } else {
        // On disk the store's own writes appear whole (one rename); a folder made by hand is
        // listed, and refused when read.
        expect(await store.listVersions('credit')).toEqual([1, 2]);
        expect(await code(store.readVersion('credit', 2))).toBe('TANDEM_VERSION_CORRUPT');
      }
    });
  });
}
