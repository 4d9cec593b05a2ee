import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileModelStore, S3ModelStore } from '@tandem/model-store';
import { startS3TestServer } from '@tandem/model-store/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREDIT_ROW,
  copyFixtures,
  listening,
  type NativeAnswer,
  postJson,
  removeDir,
} from './helpers.ts';

// The server with `--artifacts s3://…`: the fixture models copied to moto_server, served, a
// label move and a corrupted version seen through polling, under load.

const s3 = await startS3TestServer();

describe.skipIf(!s3.available)('serving from an S3 model store', () => {
  const server = s3.available ? s3.server : (undefined as never);
  let fixtures: string;
  let cache: string;
  let uri: string;
  let bucket: string;
  let writer: S3ModelStore;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    // The store reads region, credentials and endpoint from the environment, as in production.
    Object.assign(process.env, server.env, {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    cache = await mkdtemp(join(tmpdir(), 'tandem-server-s3-cache-'));
    process.env['TANDEM_MODEL_CACHE'] = cache;
    fixtures = await copyFixtures();
    bucket = await server.createBucket();
    uri = `s3://${bucket}/models`;
    writer = new S3ModelStore(uri, { cacheDir: join(cache, 'writer') });
    const source = new FileModelStore(fixtures);
    for (const name of ['credit']) {
      for (const version of await source.listVersions(name)) {
        const stored = await source.readVersion(name, version);
        const { files: _digests, ...draft } = stored.manifest;
        const written = await writer.writeVersion(name, stored.files, (n) => ({
          ...draft,
          version: n,
        }));
        expect(written.version).toBe(version);
      }
    }
    await writer.setLabel('credit', 'production', 1);
    ({ app, url } = await listening(uri, ['--reload-interval', '100']));
    // Listening comes first; the models load from S3 behind it.
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) {
        throw new Error(`not ready: ${await (await fetch(`${url}/readyz`)).text()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
    await removeDir(fixtures);
    await rm(cache, { recursive: true, force: true });
  });

  it('is ready with the production version, loaded from S3', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const { status, body } = await postJson<NativeAnswer>(`${url}/v1/models/credit/predict`, {
      instances: [CREDIT_ROW],
    });
    expect(status).toBe(200);
    expect(body.model).toEqual({ name: 'credit', version: 1 });
  });

  it('follows a label move and refuses a corrupted version, with zero failed requests', async () => {
    const statuses = new Map<number, number>();
    const seen: number[] = [];
    let stop = false;
    const client = async () => {
      while (!stop) {
        // A failed connection counts as status 0: the assertion below wants none.
        const { status, body } = await postJson<NativeAnswer>(`${url}/v1/models/credit/predict`, {
          instances: [CREDIT_ROW],
        }).catch(() => ({ status: 0, body: {} as NativeAnswer }));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200 && body.model !== undefined) seen.push(body.model.version);
      }
    };
    const until = async (what: () => boolean | Promise<boolean>) => {
      const deadline = Date.now() + 30_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('change not observed within 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const clients = Array.from({ length: 4 }, () => client());
    let switchedAt = 0;
    let badVersion = 0;
    try {
      await writer.setLabel('credit', 'production', 2);
      await until(() => app.tandem.registry.model('credit').defaultVersion === 2);
      switchedAt = seen.length;

      // Version 3 uploaded with damaged weights (its manifest, written last, records the real
      // digests): refused, and version 2 keeps answering.
      const stored = await writer.readVersion('credit', 2);
      const bad = { version: 3 };
      const prefix = `models/credit/${bad.version}`;
      for (const [file, bytes] of Object.entries(stored.files)) {
        const body = file === 'weights.bin' ? new Uint8Array(bytes.byteLength) : bytes;
        await server.putObject(bucket, `${prefix}/${file}`, body);
      }
      await server.putObject(
        bucket,
        `${prefix}/manifest.json`,
        JSON.stringify({ ...stored.manifest, version: bad.version }),
      );
      badVersion = bad.version;
      await until(() => app.tandem.registry.model('credit').failed.has(badVersion));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    expect([...statuses.keys()]).toEqual([200]);
    expect(seen.slice(0, switchedAt)).toContain(1);
    // Once the replica switched, it never answered with the old version again.
    expect(seen.slice(switchedAt + 4).every((v) => v === 2)).toBe(true);
    const failure = app.tandem.registry.model('credit').failed.get(badVersion);
    expect(failure?.code).toBe('TANDEM_VERSION_CORRUPT');
    expect(failure?.reason).toMatch(new RegExp(`^credit/${badVersion}: weights.bin has sha256 `));
    expect(app.tandem.registry.model('credit').defaultVersion).toBe(2);
  });

  it("serves a version's training report through the store, as from a folder", async () => {
    const report = '<!doctype html><title>credit</title><p>the report</p>';
    const stored = await writer.readVersion('credit', 2);
    const { files: _digests, ...draft } = stored.manifest;
    const files = { ...stored.files, 'report.html': new TextEncoder().encode(report) };
    const { version } = await writer.writeVersion('credit', files, (n) => ({
      ...draft,
      version: n,
    }));
    const deadline = Date.now() + 30_000;
    while (!app.tandem.registry.model('credit').served.has(version)) {
      if (Date.now() > deadline) throw new Error(`version ${version} not loaded within 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const found = await fetch(`${url}/v1/models/credit/versions/${version}/report`);
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await found.text()).toBe(report);
    // Version 2 was written without one (as versions trained before reports were).
    const missing = await fetch(`${url}/v1/models/credit/versions/2/report`);
    expect(missing.status).toBe(404);
    const { error } = (await missing.json()) as { error: { code: string } };
    expect(error.code).toBe('TANDEM_REPORT_NOT_FOUND');
  });
});
