import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStoreRoot } from '../src/artifact/store-root.ts';

describe('checkStoreRoot', () => {
  it('accepts a writable folder and leaves nothing in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-root-'));
    await checkStoreRoot(dir);
    expect(await readdir(dir)).toEqual([]);
    await rm(dir, { recursive: true });
  });

  // sysfs refuses new files even to root: a folder that exists but cannot be written.
  it.skipIf(!existsSync('/sys/kernel'))(
    'refuses a folder it cannot write, before training',
    async () => {
      await expect(checkStoreRoot('/sys')).rejects.toMatchObject({
        code: 'TANDEM_ARTIFACTS_UNUSABLE',
      });
    },
  );
});
