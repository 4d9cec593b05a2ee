import type { ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DATA, REPO_ROOT } from '@tandem/fixtures/repo-paths';
import {
  type CliResult,
  type ScriptOptions,
  spawnScript,
  startScript,
} from '@tandem/fixtures/script-process';
import { tempDir } from '@tandem/fixtures/temp-dir';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll } from 'vitest';

export const TRAINER_ROOT = path.resolve(import.meta.dirname, '..');
export { DATA, REPO_ROOT };

export type { CliResult } from '@tandem/fixtures/script-process';
export { tempDir };

/**
 * A temporary folder for the tests of one file: made before them, removed after them. Read
 * `.dir` inside the tests (it is set once the folder exists).
 */
export function useTempDir(prefix: string): { readonly dir: string } {
  const folder = { dir: '' };
  let remove = async (): Promise<void> => {};
  beforeAll(async () => {
    const made = await tempDir(prefix);
    folder.dir = made.dir;
    remove = made.remove;
  });
  afterAll(() => remove());
  return folder;
}

export async function writeJson(file: string, value: unknown): Promise<string> {
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** Runs a trainer CLI (src/cli/<name>.ts) through tsx as a child process, to its end. */
export function runCli(
  name: string,
  args: readonly string[],
  options: ScriptOptions = {},
): Promise<CliResult> {
  return startCli(name, args, options).done;
}

/** Starts a trainer CLI: the child, to signal it, and its outcome once it has ended. */
export function startCli(
  name: string,
  args: readonly string[],
  options: ScriptOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  return startScript(cliScript(name), args, { ...options, cwd: options.cwd ?? REPO_ROOT });
}

export function spawnCli(name: string, args: readonly string[], options: ScriptOptions = {}) {
  return spawnScript(cliScript(name), args, { ...options, cwd: options.cwd ?? REPO_ROOT });
}

function cliScript(name: string): string {
  return path.join(TRAINER_ROOT, 'src/cli', `${name}.ts`);
}

/**
 * Trains a quick credit model as version 1 of `credit` in `artifacts`: scoring tests need a real
 * model, not a good one.
 */
export async function trainQuickCredit(artifacts: string): Promise<void> {
  // Imported here: tests that only spawn CLIs need not load tfjs.
  const { train } = await import('../src/train/run.ts');
  const trained = await train({
    config: {
      name: 'credit',
      data: path.join(DATA, 'credit.csv'),
      target: 'Status',
      task: 'binary',
      model: { type: 'mlp', hidden: [8] },
      training: { epochs: 3 },
    },
    artifacts,
  });
  trained.predictor.dispose();
}

/** The records of a CSV file with a header row, as objects keyed by column. */
export async function readCsvRecords(file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

/** Lines of a stream's text, without empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
