import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testServerArgv } from '@tandem/fixtures';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig, type ServerConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

export {
  CAR_ROW,
  CREDIT_ROW,
  type NativeAnswer,
  type NativeErrorAnswer,
  PENGUIN_ROW,
  postJson,
  type V2Answer,
} from '@tandem/fixtures';

/** A private copy of the shared fixture artifacts, for tests that change the store. */
export async function copyFixtures(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-server-test-'));
  await cp(inject('fixtureArtifacts'), dir, { recursive: true });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function testConfig(artifacts: string, argv: string[] = []): ServerConfig {
  return loadConfig({
    argv: testServerArgv(artifacts, argv),
    env: {},
  });
}

/** An app on a real loopback port with its models loaded. */
export async function listening(
  artifacts: string,
  argv: string[] = [],
): Promise<{ app: FastifyInstance; url: string }> {
  const { app, url } = await startServer({
    config: testConfig(artifacts, argv),
    logger: false,
    defaultMetrics: false,
  });
  return { app, url };
}

/** An app whose models are loaded, not listening: for app.inject. */
export async function loaded(artifacts: string, argv: string[] = []): Promise<FastifyInstance> {
  const app = await buildApp({
    config: testConfig(artifacts, argv),
    logger: false,
    defaultMetrics: false,
  });
  await app.tandem.registry.start();
  return app;
}

/**
 * For the tests of one file: an app loaded on a private copy of the fixtures before them,
 * closed and its copy removed after them. Read `app` inside the tests, not at collection time.
 */
export function loadedOnCopy(argv: string[] = []): { app: FastifyInstance; dir: string } {
  const suite = {} as { app: FastifyInstance; dir: string };
  beforeAll(async () => {
    suite.dir = await copyFixtures();
    suite.app = await loaded(suite.dir, argv);
  });
  afterAll(async () => {
    await suite.app.close();
    await removeDir(suite.dir);
  });
  return suite;
}

/** POSTs `instances` to a native JSON route through app.inject (no socket). */
export function injectInstances(app: FastifyInstance, url: string, instances: unknown[]) {
  return app.inject({ method: 'POST', url, payload: { instances } });
}

/** POSTs a CSV body to a route through app.inject (no socket). */
export function injectCsv(app: FastifyInstance, url: string, csv: string) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'text/csv' }, payload: csv });
}
