import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDIT, writeFixtureVersion } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDIT_ROW, copyFixtures, injectCsv, loaded, removeDir } from './helpers.ts';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

async function store(): Promise<string> {
  const dir = await copyFixtures();
  dirs.push(dir);
  return dir;
}

async function app(dir: string, argv: string[] = []): Promise<FastifyInstance> {
  const built = await loaded(dir, argv);
  apps.push(built);
  return built;
}

const predict = (a: FastifyInstance, url = '/v1/models/credit/predict') =>
  a.inject({ method: 'POST', url, payload: { instances: [CREDIT_ROW] } });

describe('one bad model stays one bad model', () => {
  it('stays ready, on both protocols, with a stray folder holding an empty manifest', async () => {
    const dir = await store();
    await mkdir(join(dir, 'junk', '1'), { recursive: true });
    await writeFile(join(dir, 'junk', '1', 'manifest.json'), '{}');
    const a = await app(dir);
    const ready = await a.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().notReady).toEqual([{ model: 'junk', reason: expect.any(String) }]);
    const v2 = await a.inject({ url: '/v2/health/ready' });
    expect(v2.statusCode).toBe(200);
    expect(v2.json()).toEqual({ live: true, ready: true });
    expect((await predict(a)).statusCode).toBe(200);
  });

  it('keeps serving a labelled version from memory when its folder is deleted', async () => {
    const dir = await store();
    await new FileModelStore(dir).setLabel('credit', 'production', 2);
    const a = await app(dir);
    const before = await predict(a);
    await rm(join(dir, 'credit', '2'), { recursive: true });
    await a.tandem.registry.reload();
    const after = await predict(a);
    expect(after.statusCode).toBe(200);
    // Same model, version and numbers (each answer has its own id).
    expect(after.json().model).toEqual(before.json().model);
    expect(after.json().predictions).toEqual(before.json().predictions);
    expect((await a.inject({ url: '/readyz' })).statusCode).toBe(200);
    const metrics = (await a.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('tandem_model_versions_stale{model="credit"} 1');
    // Once the label moves away, the vanished version is retired.
    await new FileModelStore(dir).setLabel('credit', 'production', 1);
    const summary = await a.tandem.registry.reload();
    expect(summary.removed).toEqual(['credit/2']);
    expect((await predict(a)).json().model).toEqual({ name: 'credit', version: 1 });
  });
});

describe('retention', () => {
  it('loads the labelled versions and the latest N, and lists the others as unloaded', async () => {
    const dir = await store();
    await writeFixtureVersion(dir, { ...CREDIT, seed: 31 });
    await new FileModelStore(dir).setLabel('credit', 'production', 1);
    const a = await app(dir, ['--keep-latest', '1']);
    const credit = a.tandem.registry.model('credit');
    expect([...credit.served.keys()].sort()).toEqual([1, 3]);
    const { models } = (await a.inject({ url: '/v1/models' })).json();
    const listed = models.find((m: { name: string }) => m.name === 'credit').versions;
    expect(listed).toEqual([
      { version: 1, status: 'available', createdAt: expect.any(String) },
      { version: 2, status: 'unloaded' },
      { version: 3, status: 'available', createdAt: expect.any(String) },
    ]);
    const res = await predict(a, '/v1/models/credit/versions/2/predict');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('TANDEM_VERSION_UNAVAILABLE');
  });
});

describe('the reload loop cannot hang', () => {
  it('refuses a version whose weights.bin is a FIFO, and keeps reloading', async () => {
    const dir = await store();
    const a = await app(dir);
    const v3 = await writeFixtureVersion(dir, { ...CREDIT, seed: 21 });
    const weights = join(dir, 'credit', String(v3), 'weights.bin');
    await unlink(weights);
    execFileSync('mkfifo', [weights]);
    const started = Date.now();
    const summary = await a.tandem.registry.reload();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(summary.failed).toEqual([`credit/${v3}`]);
    const failure = a.tandem.registry.model('credit').failed.get(v3);
    expect(failure?.code).toBe('TANDEM_VERSION_FILES_IRREGULAR');
    // Later versions and label moves are still seen.
    const v4 = await writeFixtureVersion(dir, { ...CREDIT, seed: 22 });
    await new FileModelStore(dir).setLabel('credit', 'production', v4);
    await a.tandem.registry.reload();
    expect(a.tandem.registry.model('credit').defaultVersion).toBe(v4);
    const metrics = (await a.inject({ url: '/metrics' })).body;
    const stamp = /^tandem_reload_last_success_timestamp_seconds (\S+)$/m.exec(metrics)?.[1];
    expect(Number(stamp)).toBeGreaterThan(started / 1000 - 1);
    expect(Number(stamp)).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('refuses symlinked files without reading them', async () => {
    const dir = await store();
    const a = await app(dir);
    const v3 = await writeFixtureVersion(dir, { ...CREDIT, seed: 23 });
    const manifest = join(dir, 'credit', String(v3), 'manifest.json');
    await unlink(manifest);
    await symlink('/etc/passwd', manifest);
    await a.tandem.registry.reload();
    expect(a.tandem.registry.model('credit').failed.get(v3)?.code).toBe(
      'TANDEM_VERSION_FILES_IRREGULAR',
    );
  });

  it('bounds every load by the load timeout', async () => {
    const dir = await store();
    const a = await app(dir, ['--load-timeout', '1']);
    const failed = a.tandem.registry.model('credit').failed;
    expect(failed.get(1)?.code).toBe('TANDEM_MODEL_LOAD_TIMEOUT');
    expect(failed.get(2)?.code).toBe('TANDEM_MODEL_LOAD_TIMEOUT');
  });
});

describe('errors do not leak', () => {
  it('shows codes, never file contents or paths, in listings and status', async () => {
    const dir = await store();
    const v3 = await writeFixtureVersion(dir, { ...CREDIT, seed: 24 });
    // A features.json that is another file's contents (a copy, not a link): parsing fails
    // quoting it; clients must see the code only.
    await writeFile(
      join(dir, 'credit', String(v3), 'features.json'),
      'root:x:0:0:root:/root:/bin/bash\n',
    );
    const a = await app(dir);
    expect(a.tandem.registry.model('credit').failed.get(v3)).toBeDefined();
    for (const url of [
      '/v1/models',
      `/tfserving/v1/models/credit`,
      `/tfserving/v1/models/credit/versions/${v3}`,
      '/readyz',
    ]) {
      const body = (await a.inject({ url })).body;
      expect(body, url).not.toContain('root:x');
      expect(body, url).not.toContain(dir);
    }
    const refused = await predict(a, `/v1/models/credit/versions/${v3}/predict`);
    expect(refused.statusCode).toBe(503);
    expect(refused.body).not.toContain(dir);
  });

  it('does not show the artifacts path on an empty store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-empty-'));
    dirs.push(dir);
    const a = await app(dir);
    const ready = await a.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.body).not.toContain(dir);
  });
});

describe('names from users are own properties only', () => {
  it('echoes a CSV column named __proto__ as the data it holds', async () => {
    const dir = await store();
    const a = await app(dir);
    const columns = [...Object.keys(CREDIT_ROW), '__proto__'];
    const csv = `${columns.join(',')}\n${[...Object.values(CREDIT_ROW), 'kept'].join(',')}\n`;
    const res = await injectCsv(a, '/v1/models/credit/predict', csv);
    expect(res.statusCode).toBe(200);
    const [header, line] = res.body.trimEnd().split('\n');
    const at = header!.split(',').indexOf('__proto__');
    expect(line!.split(',')[at]).toBe('kept');
  });

  it('answers 404 for labels named like Object.prototype members', async () => {
    const dir = await store();
    const a = await app(dir);
    for (const label of ['hasOwnProperty', 'constructor', '__proto__', 'toString']) {
      const status = await a.inject({ url: `/tfserving/v1/models/credit/labels/${label}` });
      expect(status.statusCode, label).toBe(404);
      const res = await predict(a, `/v1/models/credit/labels/${label}/predict`);
      expect(res.statusCode, label).toBe(404);
      expect(res.json().error.code).toBe('TANDEM_LABEL_NOT_FOUND');
      const meta = await a.inject({ url: `/v1/models/credit/labels/${label}` });
      expect(meta.statusCode, label).toBe(404);
    }
  });
});
