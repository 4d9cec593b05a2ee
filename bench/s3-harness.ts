/**
 * What the S3 store benchmarks (`bench/store-s3.ts`, `bench/s3-replicas.ts`) share: moto_server
 * on loopback, a temporary folder, and the shipped credit model (data/models/credit.json, 30
 * epochs) trained into it by the train command, as a user would.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileModelStore, type StoredVersion } from '@tandem/model-store';
import { type S3TestServer, startS3TestServer } from '@tandem/model-store/testing';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface S3Bench {
  server: S3TestServer;
  /** The temporary folder; removed when the run ends. */
  work: string;
  /** The trained credit version, read back from the folder store it was trained into. */
  version: StoredVersion;
}

/**
 * Runs `body` against a started moto_server with a freshly trained credit version; stops moto
 * and removes the folder afterwards, whatever happens.
 */
export async function withTrainedCreditOnS3(
  prefix: string,
  body: (bench: S3Bench) => Promise<void>,
): Promise<void> {
  const s3 = await startS3TestServer();
  if (!s3.available) throw new Error(s3.reason);
  const server = s3.server;
  const work = await mkdtemp(join(tmpdir(), `tandem-bench-${prefix}-`));
  try {
    await body({ server, work, version: await trainCredit(work) });
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
}

async function trainCredit(work: string): Promise<StoredVersion> {
  const folder = join(work, 'artifacts');
  const config = join(work, 'credit.json');
  const shipped = JSON.parse(readFileSync(join(ROOT, 'data/models/credit.json'), 'utf8'));
  const base = join(ROOT, 'data/models');
  writeFileSync(
    config,
    JSON.stringify({
      ...shipped,
      data: join(base, shipped.data),
      split: { ...shipped.split, file: join(base, shipped.split.file) },
      training: { ...shipped.training, epochs: 30 },
    }),
  );
  const trained = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'apps/trainer/src/cli/train.ts'),
      '--config',
      config,
      '--artifacts',
      folder,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (trained.status !== 0) throw new Error(`training failed:\n${trained.stderr}`);
  const source = new FileModelStore(folder);
  return source.readVersion('credit', await source.resolve('credit'));
}
