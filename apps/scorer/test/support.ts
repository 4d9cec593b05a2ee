import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CREDIT, writeFixtureVersion } from '@tandem/fixtures';
import { parseText } from '@tandem/tabular';

export const SCORER_ROOT = path.resolve(import.meta.dirname, '..');
export const REPO_ROOT = path.resolve(SCORER_ROOT, '../..');
export const DATA = path.join(REPO_ROOT, 'data');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the score command through tsx: the child, to signal it, and its outcome once ended. */
export function startCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const script = path.join(SCORER_ROOT, 'src', 'cli.ts');
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/**
 * Writes a seeded credit model as version 1 of `credit` in `artifacts`: scoring tests need a
 * real stored model, not a good one.
 */
export async function writeCreditModel(artifacts: string): Promise<void> {
  await writeFixtureVersion(artifacts, { ...CREDIT, seed: 7 });
}

/** The records of a CSV file with a header row, as objects keyed by column. */
export async function readCsvRecords(file: string): Promise<Record<string, string>[]> {
  const { rows } = parseText(await readFile(file, 'utf8'), 'csv');
  return rows.map((row) => ({ ...row }) as Record<string, string>);
}
