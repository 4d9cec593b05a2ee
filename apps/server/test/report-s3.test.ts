import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileModelStore, S3ModelStore } from '@tandem/model-store';
import { startS3TestServer } from '@tandem/model-store/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixtures, listening, removeDir } from './helpers.ts';

// The training report route on an S3 store: read through the store (verified), as on disk.

const s3 = await startS3TestServer();
const REPORT = '<!doctype html><title>credit</title><p>report of version 1</p>';

describe.skipIf(!s3.available)('the training report from an S3 model store', () => {
  const server = s3.available ? s3.server : (undefined as never);
  let fixtures: string;
  let cache: string;
  let bucket: string;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    Object.assign(process.env, server.env, {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    cache = await mkdtemp(join(tmpdir(), 'tandem-report-s3-'));
    process.env['TANDEM_MODEL_CACHE'] = cache;
    fixtures = await copyFixtures();
    bucket = await server.createBucket();
    const uri = `s3://${bucket}/models`;
    const writer = new S3ModelStore(uri, { cacheDir: join(cache, 'writer') });
    const stored = await new FileModelStore(fixtures).readVersion('credit', 1);
    const { files: _digests, ...draft } = stored.manifest;
    // Version 1 with a report; version 2 without one (trained before reports were written).
    const files = { ...stored.files, 'report.html': new TextEncoder().encode(REPORT) };
    await writer.writeVersion('credit', files, (n) => ({ ...draft, version: n }));
    await writer.writeVersion('credit', stored.files, (n) => ({ ...draft, version: n }));
    ({ app, url } = await listening(uri));
    const deadline = Date.now() + 60_000;
    while ((await fetch(`${url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('not ready');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
    await removeDir(fixtures);
    await rm(cache, { recursive: true, force: true });
  });

  it('serves the verified report bytes, and 404 with a code for a version without one', async () => {
    const found = await fetch(`${url}/v1/models/credit/versions/1/report`);
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await found.text()).toBe(REPORT);

    const missing = await fetch(`${url}/v1/models/credit/versions/2/report`);
    expect(missing.status).toBe(404);
    const { error } = (await missing.json()) as { error: { code: string } };
    expect(error.code).toBe('TANDEM_REPORT_NOT_FOUND');
  });
});
