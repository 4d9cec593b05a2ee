/**
 * Batch-scoring throughput: `npm run bench:score [-- --rows 500000 --repeat 3 --artifacts dir]`.
 *
 * Generates a CSV by cycling the rows of data/credit.csv, then measures in the same process, in
 * alternation: (1) reading and writing it through the scorer's streaming reader and writer with
 * no model (copyRecords, the passthrough baseline), (2) scoring it with the credit model
 * (scoreFile). Prints rows/s of each (best and median of the repeats), their ratio, and the peak
 * resident memory. Model loading is done once beforehand and not timed. Without --artifacts the
 * credit model is trained into a temporary folder first.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileModelStore } from '@tandem/model-store';
import { Predictor } from '@tandem/runtime';
import { copyRecords, type ScoreSummary, scoreFile } from '../src/score/index.ts';
import { train } from '../src/train/run.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '500000' },
    repeat: { type: 'string', default: '3' },
    artifacts: { type: 'string' },
    'batch-size': { type: 'string', default: '4096' },
  },
});
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const batchSize = Number(values['batch-size']);

const work = await mkdtemp(join(tmpdir(), 'tandem-score-bench-'));
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

try {
  const input = join(work, 'credit-large.csv');
  await generateCsv(join(root, 'data', 'credit.csv'), input, rows);
  const size = (await stat(input)).size;

  const artifacts = values.artifacts ?? join(work, 'artifacts');
  if (values.artifacts === undefined) {
    const config = join(root, 'data', 'models', 'credit.json');
    const source = (await exists(config))
      ? config
      : {
          name: 'credit',
          data: join(root, 'data', 'credit.csv'),
          target: 'Status',
          task: 'binary' as const,
        };
    process.stderr.write('training the credit model into a temporary folder…\n');
    const trained = await train({ config: source, artifacts });
    trained.predictor.dispose();
  }
  const store = new FileModelStore(artifacts);
  const version = await store.resolve('credit');
  const stored = await store.readVersion('credit', version);
  // The server's engine (auto) gives predictions identical to the server's; tfjs is the
  // throughput option for large batches (--engine tfjs).
  const predictor = await Predictor.fromStoredVersion(stored);
  const tfjsPredictor = await Predictor.fromStoredVersion(stored, { engine: 'tfjs' });

  const plain: number[] = [];
  const scored: number[] = [];
  const scoredTfjs: number[] = [];
  const rssBefore = process.memoryUsage().rss;
  for (let run = 0; run < repeat; run++) {
    const common = { input, rejects: join(work, 'rejects.csv'), batchSize };
    const copy = await copyRecords({ ...common, output: join(work, 'copy.csv') });
    plain.push(rate(copy));
    const score = await scoreFile({ ...common, output: join(work, 'scored.csv'), predictor });
    scored.push(rate(score));
    const fast = await scoreFile({
      ...common,
      output: join(work, 'scored-tfjs.csv'),
      predictor: tfjsPredictor,
    });
    scoredTfjs.push(rate(fast));
    if (score.rejected > 0 || copy.rows !== rows || score.rows !== rows) {
      throw new Error(`unexpected counts: ${JSON.stringify({ copy, score })}`);
    }
    process.stderr.write(
      `run ${run + 1}/${repeat}: read+write ${fmt(plain.at(-1) ?? 0)} rows/s, scoring ${fmt(scored.at(-1) ?? 0)} rows/s (${predictor.engine}), ${fmt(scoredTfjs.at(-1) ?? 0)} rows/s (tfjs)\n`,
    );
  }
  predictor.dispose();
  tfjsPredictor.dispose();
  clearInterval(sampler);

  const best = (list: number[]): number => Math.max(...list);
  const median = (list: number[]): number =>
    [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
  const row = (name: string, list: number[]): string =>
    `| ${name} | ${fmt(best(list))} | ${fmt(median(list))} | ${((best(list) * size) / rows / 2 ** 20).toFixed(1)} |`;
  const ratio = (base: number[], list: number[]): string =>
    `${(best(base) / best(list)).toFixed(2)}x (median ${(median(base) / median(list)).toFixed(2)}x)`;
  const lines = [
    `input: ${fmt(rows)} rows, ${(size / 2 ** 20).toFixed(1)} MiB CSV (data/credit.csv cycled); batch ${batchSize}; ` +
      `model credit v${version} (${predictor.task}, ${describeModel(stored.manifest.config)}); node ${process.version}`,
    '',
    '| pass | best rows/s | median rows/s | MiB/s (best) |',
    '| --- | ---: | ---: | ---: |',
    row('read + write, no model', plain),
    row(`score, engine ${predictor.engine} (as the server)`, scored),
    row('score, engine tfjs (--engine tfjs)', scoredTfjs),
    '',
    `scoring costs ${ratio(plain, scored)} the plain read+write with the ${predictor.engine} engine, ` +
      `${ratio(plain, scoredTfjs)} with the tfjs engine (best runs; goal: at most 2x)`,
    `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (${(rssBefore / 2 ** 20).toFixed(0)} MiB before the timed runs)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  clearInterval(sampler);
  await rm(work, { recursive: true, force: true });
}

function describeModel(config: unknown): string {
  const model = (config as { model?: { type?: string; hidden?: number[] } }).model;
  if (model?.type === 'mlp') return `mlp ${JSON.stringify(model.hidden ?? [])}`;
  return model?.type ?? 'model';
}

function rate(summary: ScoreSummary): number {
  return summary.rows / summary.seconds;
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes `count` data rows by cycling the source file's rows, header first. */
async function generateCsv(source: string, target: string, count: number): Promise<void> {
  const lines = (await readFile(source, 'utf8')).split(/\r?\n/).filter((line) => line.length > 0);
  const [header, ...body] = lines;
  const out: string[] = [header ?? ''];
  for (let i = 0; i < count; i++) out.push(body[i % body.length] ?? '');
  await writeFile(target, `${out.join('\n')}\n`);
}
