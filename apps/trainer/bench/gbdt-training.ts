/**
 * Gradient-boosted trees: Tandem's gbdt fit against scikit-learn's HistGradientBoosting on the
 * same rows and cores, in the same run (part of `npm run bench:train`).
 *
 * Cases: credit's training rows (data/splits/credit.json), and a 500,000-row set made from credit
 * rows (synthetic-credit.ts), written once as CSV into a temporary folder that both sides read.
 * Both sides fit 100 iterations with early stopping off and scikit-learn's defaults otherwise, on
 * the input columns Tandem's tree encoding gives (scripts/reference/tandem_tables.py reads them
 * the same way for scikit-learn). Timed: the fit alone, binning included, reading and encoding
 * excluded on both sides. scikit-learn runs on every core and on one (passive OpenMP waiting, see
 * sklearn-peer.ts). Best of the rounds; the two sides alternate so that machine noise falls
 * on both. The ratio is Tandem ÷ scikit-learn: below 1 is faster.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { RawRow } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { DEFAULT_GBDT } from '../src/config/defaults.ts';
import { readTable } from '../src/data/read.ts';
import { type BoostSettings, boost } from '../src/gbdt/boost.ts';
import { type TreeData, treeData } from '../src/gbdt/tree-data.ts';
import { type PeerFit, sklearnAvailable, sklearnFit } from './sklearn-peer.ts';
import { writeSyntheticCredit } from './synthetic-credit.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const SYNTHETIC_ROWS = 500_000;

/** scikit-learn HistGradientBoosting's defaults, early stopping off. */
const { type: _type, refit: _refit, ...DEFAULTS } = DEFAULT_GBDT;
const SETTINGS: BoostSettings = { ...DEFAULTS, earlyStopping: false, seed: 42 };

interface GbdtCase {
  name: string;
  data: string;
  target: string;
  task: Task;
  /** 0-based data-row numbers of the file (data/splits/ counts that way); all rows when absent. */
  rows?: number[];
  rounds: number;
}

/** Reads, tree-encodes and labels the rows as the trainer does for gbdt. */
async function prepare(c: GbdtCase): Promise<TreeData> {
  const table = await readTable(c.data);
  const picked = c.rows ? c.rows.map((i) => table.rows[i] as RawRow) : table.rows;
  return treeData(
    picked.filter((row) => row[c.target] !== null),
    c.target,
    c.task,
  );
}

function tandemFit(prepared: TreeData): { seconds: number; iterations: number } {
  const started = performance.now();
  const result = boost(
    prepared.loss,
    prepared.outputs,
    prepared.inputs,
    prepared.part,
    null,
    SETTINGS,
  );
  return { seconds: (performance.now() - started) / 1000, iterations: result.iterations };
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
}

/** Prints the gbdt table; scikit-learn's columns stay empty when it is absent. */
export async function gbdtFigures(folder: string): Promise<void> {
  const peer = await sklearnAvailable();
  console.log(
    'version' in peer
      ? `\ngbdt: scikit-learn ${peer.version} (/usr/bin/python3) as the peer, ${cpus().length} OpenMP threads`
      : `\ngbdt: scikit-learn is absent (${peer.absent}): Tandem's fit times alone, no ratio`,
  );
  const split = JSON.parse(
    await readFile(path.join(REPO_ROOT, 'data/splits/credit.json'), 'utf8'),
  ) as { train: number[] };
  const creditRows = path.join(folder, 'credit-train-rows.json');
  await writeFile(creditRows, JSON.stringify(split.train));
  const synthetic = path.join(folder, 'credit-500k.csv');
  const written = performance.now();
  await writeSyntheticCredit(path.join(REPO_ROOT, 'data/credit.csv'), synthetic, SYNTHETIC_ROWS, 1);
  console.log(
    `synthetic set: ${SYNTHETIC_ROWS.toLocaleString('en-US')} credit rows with noise, written in ` +
      `${((performance.now() - written) / 1000).toFixed(1)} s`,
  );
  const cases: Array<GbdtCase & { rowsFile?: string }> = [
    {
      name: 'credit (training rows)',
      data: path.join(REPO_ROOT, 'data/credit.csv'),
      target: 'Status',
      task: 'binary',
      rows: split.train,
      rowsFile: creditRows,
      rounds: 3,
    },
    {
      name: 'synthetic credit (500,000 rows)',
      data: synthetic,
      target: 'Status',
      task: 'binary',
      rounds: 1,
    },
  ];
  const cores = cpus().length;
  console.log(
    `\n| data | rows | inputs | iterations | Tandem fit s | scikit-learn fit s, ${cores} threads | ` +
      'scikit-learn fit s, 1 thread | ratio | load avg |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cases) {
    const prepared = await prepare(c);
    let ours = Number.POSITIVE_INFINITY;
    let iterations = 0;
    const best: Record<'all' | 'one', PeerFit | undefined> = { all: undefined, one: undefined };
    for (let round = 0; round < c.rounds; round++) {
      const fit = tandemFit(prepared);
      ours = Math.min(ours, fit.seconds);
      iterations = fit.iterations;
      if (!('version' in peer)) continue;
      for (const key of ['all', 'one'] as const) {
        const other = await sklearnFit({
          data: c.data,
          target: c.target,
          task: c.task,
          ...(c.rowsFile ? { rowsFile: c.rowsFile } : {}),
          repeat: 1,
          threads: key === 'all' ? cores : 1,
        });
        const held = best[key];
        if (held === undefined || other.fitSeconds < held.fitSeconds) best[key] = other;
      }
    }
    // The ratio is taken against scikit-learn's faster setting: the stricter comparison.
    const theirs = [best.all, best.one]
      .filter((fit): fit is PeerFit => fit !== undefined)
      .sort((a, b) => a.fitSeconds - b.fitSeconds)[0];
    const seconds = (fit: PeerFit | undefined): string => (fit ? fit.fitSeconds.toFixed(2) : '-');
    console.log(
      `| ${c.name} | ${prepared.part.rows.toLocaleString('en-US')} | ${prepared.inputs.length} | ` +
        `${iterations}${theirs ? ` / ${theirs.iterations}` : ''} | ${ours.toFixed(2)} | ` +
        `${seconds(best.all)} | ${seconds(best.one)} | ` +
        `${theirs ? (ours / theirs.fitSeconds).toFixed(2) : '-'} | ${load()} |`,
    );
  }
  console.log(
    '\nratio = Tandem ÷ the faster scikit-learn setting; load avg = 1, 5, 15 minutes after the case ' +
      `(${cores} cores: above ${cores} the machine was shared and every figure is slower).`,
  );
}
