import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileModelStore, S3ModelStore } from '@tandem/model-store';
import { startS3TestServer } from '@tandem/model-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA, startCli, writeCreditModel } from './support.ts';

// Batch scoring with `--artifacts s3://…`: the same output, byte for byte, as from the folder.

const s3 = await startS3TestServer();

describe.skipIf(!s3.available)('batch scoring from an S3 model store', () => {
  const server = s3.available ? s3.server : (undefined as never);
  let dir: string;
  let folder: string;
  let uri: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-scorer-s3-'));
    folder = path.join(dir, 'artifacts');
    await writeCreditModel(folder);
    uri = `s3://${await server.createBucket()}/models`;
    const source = new FileModelStore(folder);
    const stored = await source.readVersion('credit', 1);
    const { files: _digests, ...draft } = stored.manifest;
    const target = new S3ModelStore(uri, { env: server.env, cacheDir: path.join(dir, 'writer') });
    await target.writeVersion('credit', stored.files, (n) => ({ ...draft, version: n }));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('scores a file with the version read from S3 exactly as with the folder store', async () => {
    const rows = (await readFile(path.join(DATA, 'credit.csv'), 'utf8')).split('\n').slice(0, 301);
    const input = path.join(dir, 'in.csv');
    await writeFile(input, `${rows.join('\n')}\n`);
    const score = (artifacts: string, output: string) =>
      startCli(
        ['--model', 'credit', '--input', input, '--output', output, '--quiet', '--threads', '1'],
        {
          env: {
            ...server.env,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            TANDEM_ARTIFACTS: artifacts,
            TANDEM_MODEL_CACHE: path.join(dir, 'cache'),
          },
        },
      ).done;
    const fromFolder = await score(folder, path.join(dir, 'folder.csv'));
    expect(fromFolder.code, fromFolder.stderr).toBe(0);
    const fromS3 = await score(uri, path.join(dir, 's3.csv'));
    expect(fromS3.code, fromS3.stderr).toBe(0);
    const expected = await readFile(path.join(dir, 'folder.csv'));
    expect(expected.length).toBeGreaterThan(1000);
    expect((await readFile(path.join(dir, 's3.csv'))).equals(expected)).toBe(true);
  });
});
