import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CREDIT, writeFixtureVersion } from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServedVersion } from '../src/registry/served-version.ts';
import {
  CREDIT_ROW,
  copyFixtures,
  listening,
  type NativeAnswer,
  postJson,
  removeDir,
} from './helpers.ts';

describe('hot reload under concurrent requests', () => {
  let dir: string;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    dir = await copyFixtures();
    ({ app, url } = await listening(dir, ['--reload-interval', '20']));
  });
  afterAll(async () => {
    await app.close();
    await removeDir(dir);
  });

  it('picks up new versions, label moves and removals with zero failed requests', async () => {
    const store = new FileModelStore(dir);
    const statuses = new Map<number, number>();
    const versions = new Set<number>();
    let stop = false;
    let requests = 0;
    const client = async (path: string) => {
      while (!stop) {
        const { status, body } = await postJson<NativeAnswer>(`${url}${path}`, {
          instances: [CREDIT_ROW],
        });
        requests++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200 && body.model !== undefined) versions.add(body.model.version);
      }
    };
    const defaultVersion = async () =>
      ((await (await fetch(`${url}/v1/models/credit`)).json()) as { version: number }).version;
    const until = async (what: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('reload not observed within 20 s');
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    // The label route needs a production label from the start.
    await store.setLabel('credit', 'production', 2);
    await until(
      async () =>
        (await defaultVersion()) === 2 &&
        app.tandem.registry.model('credit').labels.production === 2,
    );
    const clients = [
      ...Array.from({ length: 6 }, () => client('/v1/models/credit/predict')),
      client('/v1/models/credit:predict'),
      client('/v1/models/credit/labels/production/predict'),
    ];
    // 1. A new version appears; production still pins 2.
    const v3 = await writeFixtureVersion(dir, { ...CREDIT, seed: 7 });
    expect(v3).toBe(3);
    await until(async () => app.tandem.registry.model('credit').served.has(3));
    expect(await defaultVersion()).toBe(2);
    // 2. The production label moves to the new version.
    await store.setLabel('credit', 'production', 3);
    await until(async () => (await defaultVersion()) === 3);
    // 3. The label moves back and the new version is removed.
    await store.setLabel('credit', 'production', 1);
    await until(async () => (await defaultVersion()) === 1);
    await rm(join(dir, 'credit', '3'), { recursive: true });
    await until(async () => !app.tandem.registry.model('credit').versions.includes(3));
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(clients);

    expect(requests).toBeGreaterThan(100);
    expect([...statuses.keys()]).toEqual([200]);
    expect([...versions].sort()).toEqual([1, 2, 3]);
  });
});

describe('disposal of a removed version', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await copyFixtures();
    ({ app } = await listening(dir));
  });
  afterAll(async () => {
    await app.close();
    await removeDir(dir);
  });

  it('waits for the last in-flight request before disposing the predictor', async () => {
    const { registry } = app.tandem;
    const v2 = registry.select('credit', { version: 2 });
    v2.acquire();
    await rm(join(dir, 'credit', '2'), { recursive: true });
    const summary = await registry.reload();
    expect(summary.removed).toEqual(['credit/2']);
    expect(registry.model('credit').defaultVersion).toBe(1);
    expect(v2.isDisposed).toBe(false);
    const batch = v2.predictor.predictBatch([CREDIT_ROW]);
    expect(Number.isFinite(batch.outputs[0])).toBe(true);
    v2.release();
    expect(v2.isDisposed).toBe(true);
    expect(() => v2.predictor.predictBatch([CREDIT_ROW])).toThrow(/disposed/);
  });

  it('ignores a model folder that has no version yet (a first write in progress)', async () => {
    const { registry } = app.tandem;
    await mkdir(join(dir, 'newcomer', '.tmp-1-abc'), { recursive: true });
    await registry.reload();
    expect(registry.models().map((m) => m.name)).not.toContain('newcomer');
    expect(registry.isReady).toBe(true);
    await writeFixtureVersion(dir, { ...CREDIT, name: 'newcomer', seed: 21 });
    const summary = await registry.reload();
    expect(summary.added).toEqual(['newcomer/1']);
    expect(registry.select('newcomer').version).toBe(1);
  });

  it('disposes a retired version at once when nothing holds it', () => {
    let disposed = 0;
    const fake = { dispose: () => disposed++ } as unknown as ServedVersion['predictor'];
    const v = new ServedVersion({
      name: 'm',
      version: 1,
      predictor: fake,
      manifest: {} as ServedVersion['manifest'],
      path: '/nowhere',
      fingerprint: '',
      backend: 'cpu',
    });
    v.acquire();
    v.acquire();
    v.retire();
    v.release();
    expect(disposed).toBe(0);
    v.release();
    expect(disposed).toBe(1);
    v.retire();
    expect(disposed).toBe(1);
  });
});
