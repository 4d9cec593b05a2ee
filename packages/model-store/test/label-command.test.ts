import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ModelStore, openModelStore, runLabelAction, type StoreError } from '../src/index.ts';
import { startS3TestServer } from '../testing/s3-server.ts';
import { artifactFiles, draft } from './fixtures/artifact.ts';

const s3 = await startS3TestServer();
afterAll(async () => {
  if (s3.available) await s3.server.stop();
});

// The same label session against each store: the command cannot tell them apart.
const stores: [
  string,
  boolean,
  () => Promise<{ store: ModelStore; cleanup: () => Promise<void> }>,
][] = [
  [
    'folder',
    true,
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'tandem-label-'));
      return {
        store: openModelStore(root),
        cleanup: () => rm(root, { recursive: true, force: true }),
      };
    },
  ],
  [
    's3',
    s3.available,
    async () => {
      if (!s3.available) throw new Error('unreachable');
      const cache = await mkdtemp(join(tmpdir(), 'tandem-label-cache-'));
      const bucket = await s3.server.createBucket();
      return {
        store: openModelStore(`s3://${bucket}/models`, { env: s3.server.env, cacheDir: cache }),
        cleanup: () => rm(cache, { recursive: true, force: true }),
      };
    },
  ],
];

for (const [kind, available, make] of stores) {
  describe.skipIf(!available)(`runLabelAction on the ${kind} store`, () => {
    let store: ModelStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await make());
      for (const tag of ['a', 'b'])
        await store.writeVersion('credit', artifactFiles(tag), () => draft(tag));
    });
    afterEach(() => cleanup());

    it('sets, moves, shows and removes labels, printing one line per change', async () => {
      expect(await runLabelAction(store, { kind: 'show', model: 'credit' })).toEqual([
        'credit: versions 1, 2',
      ]);
      expect(
        await runLabelAction(store, {
          kind: 'set',
          model: 'credit',
          label: 'production',
          version: 1,
        }),
      ).toEqual(['credit: production → version 1']);
      await runLabelAction(store, { kind: 'set', model: 'credit', label: 'staging', version: 2 });
      await runLabelAction(store, {
        kind: 'set',
        model: 'credit',
        label: 'production',
        version: 2,
      });
      expect(await runLabelAction(store, { kind: 'show', model: 'credit' })).toEqual([
        'credit: versions 1, 2',
        '  production → 2',
        '  staging → 2',
      ]);
      expect(
        await runLabelAction(store, { kind: 'remove', model: 'credit', label: 'staging' }),
      ).toEqual(['credit: removed label staging']);
      expect(await store.readLabels('credit')).toEqual({ production: 2 });
    });

    it("answers with the store's coded errors", async () => {
      const codeOf = async (promise: Promise<unknown>) =>
        promise.then(
          () => 'resolved',
          (error: StoreError) => error.code,
        );
      expect(
        await codeOf(
          runLabelAction(store, { kind: 'set', model: 'credit', label: 'production', version: 7 }),
        ),
      ).toBe('TANDEM_VERSION_NOT_FOUND');
      expect(
        await codeOf(runLabelAction(store, { kind: 'remove', model: 'credit', label: 'canary' })),
      ).toBe('TANDEM_LABEL_NOT_FOUND');
      expect(await codeOf(runLabelAction(store, { kind: 'show', model: 'nope' }))).toBe(
        'TANDEM_MODEL_NOT_FOUND',
      );
    });
  });
}
