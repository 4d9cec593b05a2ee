import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testServerArgv } from '@tandem/fixtures';
import { loadConfig, startServer } from '@tandem/server';
import type { FastifyInstance } from 'fastify';

/** Shared by the end-to-end tests: each drives two or more apps the way users combine them. */

export { type NativeAnswer, postJson, type V2Answer } from '@tandem/fixtures';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DATA = path.join(REPO_ROOT, 'data');

/** A fresh temporary folder and its removal. */
export async function tempDir(
  prefix: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `tandem-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A server on a real loopback port with the store's models loaded. */
export async function listening(
  artifacts: string,
  argv: string[] = [],
): Promise<{ app: FastifyInstance; url: string }> {
  const config = loadConfig({ argv: testServerArgv(artifacts, argv), env: {} });
  const { app, url } = await startServer({ config, logger: false, defaultMetrics: false });
  return { app, url };
}
