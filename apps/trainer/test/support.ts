import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

export const TRAINER_ROOT = path.resolve(import.meta.dirname, '..');
export const REPO_ROOT = path.resolve(TRAINER_ROOT, '../..');
export const DATA = path.join(REPO_ROOT, 'data');

/** A fresh temporary folder and its removal. */
export async function tempDir(
  prefix: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `tandem-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeJson(file: string, value: unknown): Promise<string> {
  await writeFile(file, JSON.stringify(value));
  return file;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a trainer CLI (src/cli/<name>.ts) through tsx as a child process, to its end. */
export function runCli(
  name: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return startCli(name, args, options).done;
}

/** Starts a trainer CLI: the child, to signal it, and its outcome once it has ended. */
export function startCli(
  name: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawnCli(name, args, options);
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

export function spawnCli(
  name: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
) {
  const script = path.join(TRAINER_ROOT, 'src/cli', `${name}.ts`);
  return spawn(process.execPath, ['--import', import.meta.resolve('tsx'), script, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
