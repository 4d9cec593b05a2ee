import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CREDIT, DATA, REPO_ROOT, writeFixtureVersion } from '@tandem/fixtures';
import { type CliResult, type ScriptOptions, startScript } from '@tandem/fixtures/script-process';
import { FileModelStore } from '@tandem/model-store';
import { type Predictor, predictorFromStoredVersion } from '@tandem/runtime';
import { parseText } from '@tandem/tabular';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll } from 'vitest';

export const SCORER_ROOT = path.resolve(import.meta.dirname, '..');
export { DATA, REPO_ROOT };

export type { CliResult };

/** Starts the score command through tsx: the child, to signal it, and its outcome once ended. */
export function startCli(
  args: readonly string[],
  options: ScriptOptions = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const script = path.join(SCORER_ROOT, 'src', 'cli.ts');
  return startScript(script, args, { ...options, cwd: options.cwd ?? REPO_ROOT });
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

/** A test file's workspace: a temp folder holding the credit model, loaded, and credit.csv. */
export interface CreditBench {
  work: string;
  artifacts: string;
  predictor: Predictor;
  header: string[];
  /** credit.csv's records, without the header. */
  rows: string[][];
  /** Disposes the predictor and removes the folder. */
  close(): Promise<void>;
}

export async function openCreditBench(prefix: string): Promise<CreditBench> {
  const work = await mkdtemp(path.join(tmpdir(), prefix));
  const artifacts = path.join(work, 'artifacts');
  await writeCreditModel(artifacts);
  const store = new FileModelStore(artifacts);
  const predictor = await predictorFromStoredVersion(await store.readVersion('credit', 1));
  const records = parse(await readFile(path.join(DATA, 'credit.csv'), 'utf8')) as string[][];
  return {
    work,
    artifacts,
    predictor,
    header: records[0] as string[],
    rows: records.slice(1),
    async close() {
      predictor.dispose();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A CreditBench opened before the file's tests and closed after them (its fields fill in then). */
export function useCreditBench(prefix: string): CreditBench {
  const bench = {} as CreditBench;
  beforeAll(async () => {
    Object.assign(bench, await openCreditBench(prefix));
  }, 120_000);
  afterAll(() => bench.close?.());
  return bench;
}

/**
 * `count` credit rows behind a BOM, with CRLF line ends, blank lines, quoted values holding line
 * breaks (every 7th row: so shard boundaries fall inside quoted fields too), commas and doubled
 * quotes, non-ASCII text (offsets are bytes, not characters), unseen categories and a bad row
 * (isBadCreditRow) every so often.
 */
export function awkwardCreditCsv(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  count: number,
  from = 0,
): string {
  const lines = [header.join(',')];
  const home = header.indexOf('Home');
  const income = header.indexOf('Income');
  for (let i = from; i < from + count; i++) {
    const row = [...(rows[i % rows.length] as string[])];
    if (i % 7 === 3) row[home] = '"boat\r\nhouse, ""on"" the\nriver"';
    if (i % 11 === 5) row[home] = '"château"';
    if (i % 97 === 5) row[income] = 'lots';
    if (i % 301 === 9) row[home] = '"unclosed"x';
    if (i % 401 === 11) row.pop();
    lines.push(row.join(','));
    if (i % 150 === 0) lines.push('');
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The rows of awkwardCreditCsv that cannot be scored: a bad number, broken quoting, a missing field. */
export const isBadCreditRow = (i: number): boolean =>
  i % 97 === 5 || i % 301 === 9 || i % 401 === 11;
