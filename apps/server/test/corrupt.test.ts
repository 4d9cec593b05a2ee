import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CREDIT, PENGUINS, writeFixtureVersion } from '@tandem/fixtures';
import { FileModelStore, sha256Hex } from '@tandem/model-store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREDIT_ROW,
  copyFixtures,
  injectInstances,
  loaded,
  PENGUIN_ROW,
  removeDir,
} from './helpers.ts';

async function editJson(path: string, edit: (value: Record<string, unknown>) => void) {
  const value = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(value);
  await writeFile(path, JSON.stringify(value));
}

/** Makes features.json unparseable as a pipeline but keeps every sha256 right. */
async function breakFeaturesConsistently(versionDir: string) {
  const features = join(versionDir, 'features.json');
  await editJson(features, (f) => {
    f.pipeline = { format: 1, columns: 'not a list' };
  });
  const digest = sha256Hex(await readFile(features));
  await editJson(join(versionDir, 'manifest.json'), (m) => {
    (m.files as Record<string, string>)['features.json'] = digest;
  });
}

describe('corrupt versions', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await copyFixtures();
    const v3 = await writeFixtureVersion(dir, { ...CREDIT, seed: 11 });
    const v4 = await writeFixtureVersion(dir, { ...CREDIT, seed: 12 });
    const v5 = await writeFixtureVersion(dir, { ...CREDIT, seed: 13 });
    const p2 = await writeFixtureVersion(dir, { ...PENGUINS, seed: 14 });
    const weights = join(dir, 'credit', String(v3), 'weights.bin');
    await truncate(weights, 100);
    // An edited features.json: its sha256 no longer matches the manifest.
    await editJson(join(dir, 'credit', String(v4), 'features.json'), (f) => {
      f.format = 1;
      (f as { edited?: boolean }).edited = true;
    });
    await breakFeaturesConsistently(join(dir, 'credit', String(v5)));
    await editJson(join(dir, 'penguins', String(p2), 'manifest.json'), (m) => {
      m.format = 99;
    });
    app = await loaded(dir);
  });
  afterAll(async () => {
    await app.close();
    await removeDir(dir);
  });

  it('refuses them with a reason while the others keep serving', async () => {
    const { models } = (await app.inject({ url: '/v1/models' })).json();
    const credit = models.find((m: { name: string }) => m.name === 'credit');
    expect(credit.defaultVersion).toBe(2);
    const byVersion = Object.fromEntries(
      credit.versions.map((v: { version: number }) => [v.version, v]),
    );
    expect(byVersion[1].status).toBe('available');
    expect(byVersion[2].status).toBe('available');
    // Clients see the failure's code; the reason (paths, file contents) stays server-side.
    expect(byVersion[3]).toEqual({
      version: 3,
      status: 'failed',
      reason: 'TANDEM_VERSION_CORRUPT',
    });
    expect(byVersion[4].reason).toMatch(/^TANDEM_[A-Z_]+$/);
    expect(byVersion[5].reason).toMatch(/^TANDEM_[A-Z_]+$/);
    const failed = app.tandem.registry.model('credit').failed;
    expect(failed.get(3)?.reason).toMatch(/weights\.bin/);
    expect(failed.get(4)?.reason).toMatch(/features\.json.*sha256/);
    expect(failed.get(5)?.reason).toMatch(/features\.json/);
    const penguins = models.find((m: { name: string }) => m.name === 'penguins');
    expect(penguins.versions[1]).toMatchObject({ version: 2, status: 'failed' });
    expect(penguins.versions[1].reason).toMatch(/^TANDEM_[A-Z_]+$/);
    expect(app.tandem.registry.model('penguins').failed.get(2)?.reason).toMatch(/format/);
    expect(penguins.defaultVersion).toBe(1);

    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const ok = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    expect(ok.json().model).toEqual({ name: 'credit', version: 2 });
    const penguin = await injectInstances(app, '/v1/models/penguins/predict', [PENGUIN_ROW]);
    expect(penguin.statusCode).toBe(200);

    const refused = await injectInstances(app, '/v1/models/credit/versions/3/predict', [
      CREDIT_ROW,
    ]);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('TANDEM_VERSION_UNAVAILABLE');
    const v2ready = await app.inject({ url: '/v2/models/credit/versions/3/ready' });
    expect(v2ready.statusCode).toBe(503);
    expect(v2ready.json()).toEqual({ name: 'credit', ready: false });
    const tfs = (await app.inject({ url: '/tfserving/v1/models/credit/versions/3' })).json();
    expect(tfs.model_version_status[0]).toMatchObject({ version: '3', state: 'END' });

    const metrics = (await app.inject({ url: '/metrics' })).body;
    for (const v of [3, 4, 5]) {
      expect(metrics).toContain(
        `tandem_model_load_failures_total{model="credit",version="${v}"} 1`,
      );
    }
    expect(metrics).toContain('tandem_model_load_failures_total{model="penguins",version="2"} 1');
  });

  it('keeps serving a verified version from memory when its files change, and reports it', async () => {
    const { registry } = app.tandem;
    const before = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    await truncate(join(dir, 'credit', '2', 'weights.bin'), 10);
    const summary = await registry.reload();
    expect(summary.failed).toEqual(['credit/2']);
    expect(summary.removed).toEqual([]);
    expect(registry.model('credit').defaultVersion).toBe(2);
    const res = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    expect(res.statusCode).toBe(200);
    // Same model, version and numbers (each answer has its own id).
    expect(res.json().model).toEqual(before.json().model);
    expect(res.json().predictions).toEqual(before.json().predictions);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    // Unchanged failures are not retried (and not counted again) on every poll.
    await registry.reload();
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('tandem_model_load_failures_total{model="credit",version="2"} 1');
    expect(metrics).toContain('tandem_model_load_failures_total{model="credit",version="3"} 1');
    expect(metrics).toContain('tandem_model_versions_stale{model="credit"} 1');
  });

  it('makes a model unavailable, not silently different, when production points to a refused version', async () => {
    const { registry } = app.tandem;
    await new FileModelStore(dir).setLabel('credit', 'production', 3);
    await registry.reload();
    // The other models still answer: the server stays ready and names the unavailable model.
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().notReady).toEqual([
      { model: 'credit', reason: expect.stringMatching(/production points to version 3/) },
    ]);
    // Unless the operator requires it.
    const strict = await loaded(dir, ['--require-models', 'credit,penguins']);
    const strictReady = await strict.inject({ url: '/readyz' });
    await strict.close();
    expect(strictReady.statusCode).toBe(503);
    const res = await injectInstances(app, '/v1/models/credit/predict', [CREDIT_ROW]);
    expect(res.statusCode).toBe(503);
    const v1 = await injectInstances(app, '/v1/models/credit/versions/1/predict', [CREDIT_ROW]);
    expect(v1.statusCode).toBe(200);
  });
});
