import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileModelStore } from '../src/index.ts';
import { artifactFiles, draft } from './fixtures/artifact.ts';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tandem-store-hw-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('version numbers', () => {
  it('are never given again after the highest version is deleted', async () => {
    const store = new FileModelStore(root);
    await store.writeVersion('credit', artifactFiles('a'), () => draft('a'));
    const second = await store.writeVersion('credit', artifactFiles('b'), () => draft('b'));
    expect(second.version).toBe(2);
    await rm(second.path, { recursive: true });
    expect(await store.listVersions('credit')).toEqual([1]);
    const third = await store.writeVersion('credit', artifactFiles('c'), () => draft('c'));
    expect(third.version).toBe(3);
    expect(await store.listVersions('credit')).toEqual([1, 3]);
  });
});
