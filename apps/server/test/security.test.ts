import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CREDIT_ROW, loaded, PENGUIN_ROW } from './helpers.ts';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');
let dir: string;
let keysFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-keys-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(
    keysFile,
    JSON.stringify([
      { id: 'ci', sha256: hash('secret-ci'), scopes: ['predict:credit'] },
      { id: 'ops', sha256: hash('secret-ops'), scopes: ['metrics'] },
    ]),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const predict = (app: FastifyInstance, model: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: `/v1/models/${model}/predict`,
    headers,
    payload: { instances: [model === 'credit' ? CREDIT_ROW : PENGUIN_ROW] },
  });

describe('API keys', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await loaded(inject('fixtureArtifacts'), ['--api-keys', keysFile]);
  });
  afterAll(() => app.close());

  it('answer 401 without a valid key, 403 without the scope, 200 with it', async () => {
    const none = await predict(app, 'credit');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().error.code).toBe('TANDEM_AUTH_REQUIRED');
    const wrong = await predict(app, 'credit', { authorization: 'Bearer secret-cj' });
    expect(wrong.statusCode).toBe(401);
    const ci = { authorization: 'Bearer secret-ci' };
    expect((await predict(app, 'credit', ci)).statusCode).toBe(200);
    expect((await predict(app, 'credit', { 'x-api-key': 'secret-ci' })).statusCode).toBe(200);
    const other = await predict(app, 'penguins', ci);
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('TANDEM_AUTH_FORBIDDEN');
    const tfs = await app.inject({
      method: 'POST',
      url: '/v1/models/penguins:predict',
      headers: ci,
      payload: { instances: [PENGUIN_ROW] },
    });
    expect(tfs.statusCode).toBe(403);
    expect((await app.inject({ url: '/metrics', headers: ci })).statusCode).toBe(403);
    const ops = { authorization: 'Bearer secret-ops' };
    expect((await app.inject({ url: '/metrics', headers: ops })).statusCode).toBe(200);
  });

  it('leave probes open', async () => {
    for (const url of ['/healthz', '/readyz', '/v2/health/ready']) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the burst, per caller', async () => {
    const app = await loaded(inject('fixtureArtifacts'), [
      '--rate-limit',
      '1',
      '--rate-burst',
      '2',
    ]);
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await predict(app, 'credit')).statusCode);
      expect(statuses).toEqual([200, 200, 429]);
      const limited = await predict(app, 'credit');
      expect(limited.json().error.code).toBe('TANDEM_RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const other = await app.inject({
        method: 'POST',
        url: '/v1/models/credit/predict',
        remoteAddress: '10.0.0.9',
        payload: { instances: [CREDIT_ROW] },
      });
      expect(other.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('request ids and CORS', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await loaded(inject('fixtureArtifacts'));
  });
  afterAll(() => app.close());

  it('echo a sane x-request-id, and generate one otherwise', async () => {
    const kept = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const fresh = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'a b\u0000' } });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await predict(app, 'nope');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends no CORS headers by default, and answers configured origins', async () => {
    const origin = { origin: 'https://app.example' };
    const off = await app.inject({
      method: 'OPTIONS',
      url: '/v1/models/credit/predict',
      headers: origin,
    });
    expect(off.statusCode).toBe(404);
    expect(off.headers['access-control-allow-origin']).toBeUndefined();
    const on = await loaded(inject('fixtureArtifacts'), ['--cors-origins', 'https://app.example']);
    try {
      const preflight = await on.inject({
        method: 'OPTIONS',
        url: '/v1/models/credit/predict',
        headers: { ...origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
      const res = await predict(on, 'credit', origin);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
      const stranger = await predict(on, 'credit', { origin: 'https://evil.example' });
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await on.close();
    }
  });
});
