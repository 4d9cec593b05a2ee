import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3ModelStore } from '@tandem/model-store';
import { startS3TestServer } from '@tandem/model-store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGate } from '../src/gate/run-gate.ts';
import { train } from '../src/train/run.ts';
import { DATA, runCli, writeJson } from './support.ts';

// The trainer, the label command and the quality gate with `--artifacts s3://…` (moto_server).

const s3 = await startS3TestServer();

describe.skipIf(!s3.available)('the trainer, label and gate on an S3 model store', () => {
  const server = s3.available ? s3.server : (undefined as never);
  const env = {
    ...(s3.available ? s3.server.env : {}),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  let dir: string;
  let uri: string;
  const config = {
    name: 'credit',
    data: path.join(DATA, 'credit.csv'),
    target: 'Status',
    task: 'binary' as const,
    model: { type: 'mlp' as const, hidden: [8] },
    training: { epochs: 3 },
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-trainer-s3-'));
    // In-process training reads the S3 settings from the environment, as the CLI does.
    Object.assign(process.env, env, { TANDEM_MODEL_CACHE: path.join(dir, 'cache') });
    uri = `s3://${await server.createBucket()}/models`;
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('trains two versions into the bucket, verified when read back', async () => {
    for (let i = 0; i < 2; i++) {
      const trained = await train({ config, artifacts: uri });
      trained.predictor.dispose();
      expect(trained.version).toBe(i + 1);
      expect(trained.path).toBe(`${uri}/credit/${i + 1}`);
    }
    const store = new S3ModelStore(uri, { cacheDir: path.join(dir, 'reader') });
    expect(await store.listVersions('credit')).toEqual([1, 2]);
    const stored = await store.readVersion('credit', 2);
    expect(stored.manifest).toMatchObject({ name: 'credit', version: 2, task: 'binary' });
  });

  it('moves labels with the label command and gates a candidate against production', async () => {
    const set = await runCli('label', ['credit', 'production', '1', '--artifacts', uri], { env });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('credit: production → version 1\n');
    const shown = await runCli('label', ['credit', '--artifacts', uri], { env });
    expect(shown.stdout).toBe('credit: versions 1, 2\n  production → 1\n');
    const missing = await runCli('label', ['credit', 'production', '9', '--artifacts', uri], {
      env,
    });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^label: error: model credit has no version 9/m);

    const gate = await runGate({ artifacts: uri, model: 'credit', candidate: 2, tolerance: 1 });
    expect(gate.passed).toBe(true);
    expect(gate.message).toMatch(/credit/);
  });

  it('refuses an unsupported store URI before training', async () => {
    const file = await writeJson(path.join(dir, 'credit.json'), config);
    const result = await runCli('train', ['--config', file, '--artifacts', 'gs://bucket/models'], {
      env,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /^train: error: model store "gs:\/\/bucket\/models": gs:\/\/ is not supported; give a folder or s3:\/\/bucket\/prefix/m,
    );
  });
});
