import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, startServer } from '@tandem/server';
import type { FastifyInstance } from 'fastify';

/** Shared by the end-to-end tests: each drives two or more apps the way users combine them. */

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
  const config = loadConfig({
    argv: ['--artifacts', artifacts, '--port', '0', '--reload-interval', '0', ...argv],
    env: {},
  });
  const { app, url } = await startServer({ config, logger: false, defaultMetrics: false });
  return { app, url };
}

/** POSTs JSON over real HTTP; T is what the test expects the answer to look like. */
export async function postJson<T>(
  url: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command's entry point (a path under the repository) through tsx, to its end. */
export function runCommand(
  script: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), path.join(REPO_ROOT, script), ...args],
    {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface NativeAnswer {
  model: { name: string; version: number };
  predictions: ({ label: string; probabilities: Record<string, number> } | { value: number })[];
  warnings: { row: number; column: string; kind: string }[];
}

export interface V2Answer {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: {
    name: string;
    datatype: string;
    shape: number[];
    data: (number | string)[];
    parameters?: Record<string, unknown>;
  }[];
}
