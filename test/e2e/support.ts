import { rm } from 'node:fs/promises';
import { testServerArgv } from '@tandem/fixtures';
import { loadConfig, startServer } from '@tandem/server';
import type { FastifyInstance } from 'fastify';

/** Shared by the end-to-end tests: each drives two or more apps the way users combine them. */

export {
  DATA,
  type NativeAnswer,
  postJson,
  REPO_ROOT,
  tempDir,
  type V2Answer,
} from '@tandem/fixtures';

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
