/**
 * Batch-scoring throughput:
 * `npm run bench:score [-- --rows 500000 --repeat 3 --threads N --artifacts dir]`.
 *
 * Generates a CSV by cycling the rows of data/credit.csv, then measures in the same process, in
 * alternation: (1) reading and writing it through the scorer's streaming reader and writer with
 * no model (copyRecords: the passthrough baseline, one thread), (2) scoring it with the credit
 * model (scoreFile) as `npm run score` does by default: the engine the server uses, one thread
 * per core (--threads), the workers started inside each timed run, (3) the same on one thread,
 * (4) on the tfjs engine (one thread), (5) the same file as `--shards` shards (default 2) scored one
 * after the other on one thread each, as an Indexed Job's pods would (checked to concatenate to
 * pass 3's output byte for byte): the cost of sharding is its ratio to pass 3. For each it prints rows/s of wall time (best and median of
 * the repeats) and rows per CPU-second of this process, worker threads included, the ratios, and
 * peak memory. The model is loaded once beforehand, untimed. Without --artifacts the credit model
 * is trained into a temporary folder first (data/models/credit.json when present, else the
 * four-key config).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { copyRecords, type ScoreSummary, scoreFile } from '@tandem/scorer';
import { train } from '@tandem/trainer';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '500000' },
    repeat: { type: 'string', default: '3' },
    artifacts: { type: 'string' },
    'batch-size': { type: 'string', default: '4096' },
    threads: { type: 'string' },
    shards: { type: 'string', default: '2' },
  },
});
const shards = Number(values.shards);
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const batchSize = Number(values['batch-size']);
const threads = Number(values.threads ?? availableParallelism());

interface Pass {
  wall: number[];
  cpu: number[];
}

const work = await mkdtemp(join(tmpdir(), 'tandem-score-bench-'));
const peak = { rss: 0, heap: 0 };
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peak.rss = Math.max(peak.rss, usage.rss);
  peak.heap = Math.max(peak.heap, usage.heapUsed);
}, 20);

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
  const predictor = await predictorFromStoredVersion(stored);
  const tfjsPredictor = await predictorFromStoredVersion(stored, { engine: 'tfjs' });

  const common = { input, rejects: join(work, 'rejects.csv'), batchSize };
  const passes = {
    copy: { wall: [], cpu: [] } as Pass,
    score: { wall: [], cpu: [] } as Pass,
    single: { wall: [], cpu: [] } as Pass,
    tfjs: { wall: [], cpu: [] } as Pass,
    sharded: { wall: [], cpu: [] } as Pass,
  };
  const heapBefore = process.memoryUsage().heapUsed;
  peak.heap = 0;
  for (let run = 0; run < repeat; run++) {
    await measure(passes.copy, () => copyRecords({ ...common, output: join(work, 'copy.csv') }));
    await measure(passes.score, () =>
      scoreFile({ ...common, output: join(work, 'scored.csv'), predictor, threads }),
    );
    await measure(passes.single, () =>
      scoreFile({ ...common, output: join(work, 'scored-1.csv'), predictor, threads: 1 }),
    );
    await measure(passes.tfjs, () =>
      scoreFile({
        ...common,
        output: join(work, 'scored-tfjs.csv'),
        predictor: tfjsPredictor,
        threads: 1,
      }),
    );
    const parts = Array.from(
      { length: shards },
      (_, index) => () =>
        scoreFile({
          ...common,
          rejects: join(work, 'rejects-{shard}.csv'),
          output: join(work, 'part-{shard}.csv'),
          predictor,
          threads: 1,
          shard: { index, count: shards },
        }),
    );
    await measure(passes.sharded, ...parts);
    await checkParts(join(work, 'scored-1.csv'), shards);
    process.stderr.write(
      `run ${run + 1}/${repeat}: read+write ${fmt(last(passes.copy.wall))} rows/s, ` +
        `scoring ${fmt(last(passes.score.wall))} rows/s (${predictor.engine}, ${threads} threads), ` +
        `${fmt(last(passes.single.wall))} rows/s (1 thread), ` +
        `${fmt(last(passes.tfjs.wall))} rows/s (tfjs), ` +
        `${fmt(last(passes.sharded.wall))} rows/s (${shards} shards in sequence)\n`,
    );
  }
  predictor.dispose();
  tfjsPredictor.dispose();
  clearInterval(sampler);

  const line = (name: string, pass: Pass): string =>
    `| ${name} | ${fmt(best(pass.wall))} | ${fmt(median(pass.wall))} | ${fmt(best(pass.cpu))} | ` +
    `${((best(pass.wall) * size) / rows / 2 ** 20).toFixed(1)} |`;
  const ratio = (pass: Pass): string =>
    `${(best(passes.copy.wall) / best(pass.wall)).toFixed(2)}x by wall time, ` +
    `${(best(passes.copy.cpu) / best(pass.cpu)).toFixed(2)}x by CPU time`;
  const model = describeModel(stored.manifest.config);
  const out = [
    `input: ${fmt(rows)} rows, ${(size / 2 ** 20).toFixed(1)} MiB CSV (data/credit.csv cycled); ` +
      `batch ${batchSize}; credit v${version} (${model}); node ${process.version}; ${repeat} runs`,
    '',
    '| pass | best rows/s | median rows/s | rows per CPU-second | MiB/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    line('read + write, no model (1 thread)', passes.copy),
    line(`score, engine ${predictor.engine}, ${threads} threads (the default here)`, passes.score),
    line(`score, engine ${predictor.engine}, 1 thread`, passes.single),
    line('score, engine tfjs, 1 thread', passes.tfjs),
    line(`score, ${shards} shards in sequence, 1 thread each`, passes.sharded),
    '',
    `scoring / read+write: ${ratio(passes.score)} (${threads} threads; goal at most 2x); ` +
      `${ratio(passes.single)} (1 thread); ${ratio(passes.tfjs)} (tfjs)`,
    `sharding: ${shards} shards in sequence take ` +
      `${(best(passes.single.wall) / best(passes.sharded.wall)).toFixed(3)}x the wall time and ` +
      `${(best(passes.single.cpu) / best(passes.sharded.cpu)).toFixed(3)}x the CPU time of one run ` +
      `(1 thread each, best of ${repeat}; median wall ` +
      `${(median(passes.single.wall) / median(passes.sharded.wall)).toFixed(3)}x); the parts ` +
      'concatenated equal the one run byte for byte',
    `peak heap used ${(peak.heap / 2 ** 20).toFixed(0)} MiB during the runs, garbage not yet collected included ` +
      `(${(heapBefore / 2 ** 20).toFixed(0)} MiB before), ` +
      `peak RSS ${(peak.rss / 2 ** 20).toFixed(0)} MiB`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  clearInterval(sampler);
  await rm(work, { recursive: true, force: true });
}

/** Times `runs` one after the other (one run, or the shards of one); counts must add up. */
async function measure(pass: Pass, ...runs: (() => Promise<ScoreSummary>)[]): Promise<void> {
  const cpuBefore = process.cpuUsage();
  let scored = 0;
  let rejected = 0;
  let seconds = 0;
  for (const run of runs) {
    const summary = await run();
    scored += summary.rows;
    rejected += summary.rejected;
    seconds += summary.seconds;
  }
  // The CPU time of the whole process: every thread, workers included.
  const cpu = process.cpuUsage(cpuBefore);
  if (scored !== rows || rejected !== 0) {
    throw new Error(`unexpected counts: ${scored} rows, ${rejected} rejected`);
  }
  pass.wall.push(scored / seconds);
  pass.cpu.push(scored / ((cpu.user + cpu.system) / 1e6));
}

/** The parts of `count` shards, concatenated, must be the one-thread run's output. */
async function checkParts(full: string, count: number): Promise<void> {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(await readFile(join(work, `part-${String(i).padStart(5, '0')}.csv`)));
  }
  if (!Buffer.concat(parts).equals(await readFile(full))) {
    throw new Error(`the ${count} parts do not concatenate to the full run's output`);
  }
}

function best(list: readonly number[]): number {
  return Math.max(...list);
}

function median(list: readonly number[]): number {
  return [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
}

function last(list: readonly number[]): number {
  return list.at(-1) ?? 0;
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function describeModel(config: unknown): string {
  const model = (config as { model?: { type?: string; hidden?: number[] } }).model;
  if (model?.type === 'mlp') return `mlp ${JSON.stringify(model.hidden ?? [])}`;
  return model?.type ?? 'model';
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
