import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion } from '@tandem/runtime';
import { describe, expect, it } from 'vitest';
import { BlockScorer, type BlockScorerConfig } from '../src/block-scorer.ts';
import { PredictorScorer } from '../src/chunk-scorer.ts';
import { ScorerError } from '../src/errors.ts';
import { type ScoreFileOptions, type ScoreSummary, scoreFile } from '../src/score-file.ts';
import { ScoringWorkers } from '../src/scoring-workers.ts';
import { scoringWorkerUrl } from '../src/worker-bundle.ts';
import { awkwardCreditCsv, isBadCreditRow, useCreditBench } from './support.ts';

// Scoring on worker threads must change nothing but the speed: every output byte, rejected row,
// count and error is held to the single-threaded run of the same file.

const bench = useCreditBench('tandem-threads-');

const isBadRow = isBadCreditRow;

/** 3,000 credit rows, awkward in every way the readers handle (awkwardCreditCsv). */
const awkwardCsv = (): string => awkwardCreditCsv(bench.header, bench.rows, 3000);

/** A new folder holding in.csv, the awkward rows. */
async function awkwardFolder(prefix: string): Promise<{ dir: string; input: string }> {
  const dir = await mkdtemp(join(bench.work, prefix));
  const input = join(dir, 'in.csv');
  await writeFile(input, awkwardCsv());
  return { dir, input };
}

async function run(
  name: string,
  input: string,
  options: Partial<ScoreFileOptions> & { output: string },
): Promise<{ summary: ScoreSummary; output: string; rejects?: string }> {
  const dir = join(bench.work, name);
  const summary = await scoreFile({
    predictor: bench.predictor,
    input,
    batchSize: 64,
    ...options,
    output: join(dir, options.output),
    ...(options.rejects ? { rejects: join(dir, options.rejects) } : {}),
  });
  return {
    summary,
    output: await readFile(join(dir, options.output), 'utf8'),
    ...(options.rejects ? { rejects: await readFile(join(dir, options.rejects), 'utf8') } : {}),
  };
}

describe('scoring on worker threads', () => {
  it('writes the same bytes, rejects and counts as one thread, CSV and NDJSON out', async () => {
    const input = join(bench.work, 'awkward.csv');
    await writeFile(input, awkwardCsv());
    for (const name of ['one', 'three', 'one-nd', 'two-nd']) await mkdir(join(bench.work, name));

    const one = await run('one', input, { output: 'out.csv', rejects: 'rejects.csv', threads: 1 });
    const three = await run('three', input, {
      output: 'out.csv',
      rejects: 'rejects.csv',
      threads: 3,
      waitForWorkers: true,
    });
    expect(one.summary.threads).toBe(1);
    expect(three.summary.threads).toBe(3);
    const bad = Array.from({ length: 3000 }, (_, i) => i).filter(isBadRow).length;
    expect(one.summary.rejected).toBe(bad);
    expect(one.summary.warnings).toBeGreaterThan(30);
    const counts = (s: ScoreSummary) => [s.rows, s.scored, s.rejected, s.warnings];
    expect(counts(three.summary)).toEqual(counts(one.summary));
    expect(three.output).toBe(one.output);
    expect(three.rejects).toBe(one.rejects);

    const oneNd = await run('one-nd', input, { output: 'out.ndjson', threads: 1 });
    const twoNd = await run('two-nd', input, {
      output: 'out.ndjson',
      threads: 2,
      waitForWorkers: true,
    });
    expect(twoNd.summary.threads).toBe(2);
    expect(twoNd.output).toBe(oneNd.output);
    expect(oneNd.output.split('\n').filter((line) => line.includes('"error":"')).length).toBe(
      one.summary.rejected,
    );
  }, 60_000);

  it('in strict mode, stops at the same first bad line as one thread, and writes nothing', async () => {
    const dir = await mkdtemp(join(bench.work, 'strict-'));
    const input = join(dir, 'in.csv');
    const lines = [bench.header.join(',')];
    for (let i = 0; i < 2000; i++)
      lines.push((bench.rows[i % bench.rows.length] as string[]).join(','));
    // Bad rows late in the file, in several blocks: the first one in file order must win.
    lines[1501] = 'too,few';
    lines[1900] = 'also,too,few';
    await writeFile(input, `${lines.join('\n')}\n`);
    for (const threads of [1, 3]) {
      const attempt = scoreFile({
        predictor: bench.predictor,
        input,
        output: join(dir, 'out.csv'),
        strict: true,
        batchSize: 50,
        threads,
        waitForWorkers: true,
      });
      await expect(attempt).rejects.toBeInstanceOf(ScorerError);
      await expect(attempt).rejects.toThrow(/^line 1502: expected 14 fields, got 2$/);
    }
    expect(await readdir(dir)).toEqual(['in.csv']);
  }, 60_000);

  it('stops when aborted, workers and all, and leaves no file behind', async () => {
    const { dir, input } = await awkwardFolder('abort-');
    const controller = new AbortController();
    const attempt = scoreFile({
      predictor: bench.predictor,
      input,
      output: join(dir, 'out.csv'),
      rejects: join(dir, 'rejects.csv'),
      batchSize: 50,
      threads: 3,
      waitForWorkers: true,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.rows >= 500) controller.abort('SIGINT');
      },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'TANDEM_SCORE_INTERRUPTED' });
    expect(await readdir(dir)).toEqual(['in.csv']);
  }, 30_000);

  it('scores on one thread with the tfjs engine, which workers cannot rebuild', async () => {
    const { dir, input } = await awkwardFolder('tfjs-');
    const store = new FileModelStore(bench.artifacts);
    const tfjs = await predictorFromStoredVersion(await store.readVersion('credit', 1), {
      engine: 'tfjs',
    });
    try {
      const summary = await scoreFile({
        predictor: tfjs,
        input,
        output: join(dir, 'out.csv'),
        batchSize: 64,
        threads: 3,
      });
      expect(summary.threads).toBe(1);
      expect(summary.rows).toBe(3000);
    } finally {
      tfjs.dispose();
    }
  }, 30_000);

  it('refuses a thread count that is not a positive integer', async () => {
    const attempt = scoreFile({
      predictor: bench.predictor,
      input: 'in.csv',
      output: 'out.csv',
      threads: 0,
    });
    await expect(attempt).rejects.toMatchObject({ code: 'TANDEM_CLI_USAGE' });
  });
});

describe('ScoringWorkers', () => {
  it('run a bundle of the scoring code that leaves TensorFlow.js out', async () => {
    const url = await scoringWorkerUrl();
    expect(url.protocol).toBe('data:');
    const code = decodeURIComponent(url.href.slice(url.href.indexOf(',') + 1));
    expect(code).not.toContain('tsx');
    expect(code).toContain('BlockScorer');
    expect(code).not.toMatch(/@tensorflow|tfjs-core/);
    // The whole graph (features, dense engine, parsers, encoders) is about 100 KB; tfjs is 3 MB.
    expect(code.length).toBeLessThan(400_000);
  });

  const config = (): BlockScorerConfig => ({
    encoder: {
      input: 'csv',
      output: 'csv',
      inputColumns: bench.header,
      predictionColumns: ['label', 'probability_bad', 'probability_good'],
      classes: bench.predictor.classes ?? [],
      errorColumn: true,
    },
    strict: false,
    clashNames: [],
  });

  it('scores a block exactly as the main thread does', async () => {
    const replica = bench.predictor.replica();
    if (replica === undefined) throw new Error('the credit model should run on the dense engine');
    const workers = await ScoringWorkers.start(1, (line) => {
      throw new Error(line);
    });
    try {
      workers.load(replica);
      await workers.ready();
      workers.configure(config());
      const block = {
        format: 'csv' as const,
        header: bench.header,
        text: `${bench.rows
          .slice(0, 40)
          .map((row) => row.join(','))
          .join('\n')}\nbad\n`,
        line: 2,
        records: 41,
        bytesRead: 0,
      };
      const remote = await workers.submit(block);
      const local = new BlockScorer(config(), new PredictorScorer(bench.predictor)).score(block);
      // Workers send the text as UTF-8 bytes.
      const decode = (text: string | Uint8Array | undefined): string =>
        typeof text === 'string' ? text : new TextDecoder().decode(text);
      expect(
        remote && {
          ...remote,
          text: decode(remote.text),
          rejectedText: decode(remote.rejectedText),
        },
      ).toEqual(local);
      expect(remote?.text).toBeInstanceOf(Uint8Array);
      expect(local.rejected).toBe(1);
      expect(workers.used).toBe(1);
    } finally {
      await workers.close();
    }
  }, 30_000);

  it('drops a worker that cannot start, with a log line, and then takes no blocks', async () => {
    const replica = bench.predictor.replica();
    if (replica === undefined) throw new Error('the credit model should run on the dense engine');
    const broken = { ...replica, features: new Uint8Array([1, 2, 3]) };
    const log: string[] = [];
    const workers = await ScoringWorkers.start(1, (line) => log.push(line));
    try {
      workers.load(broken as typeof replica);
      await workers.ready();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatch(/^a scoring worker could not start \(.+\); going on without it$/);
      const block = {
        format: 'csv' as const,
        header: bench.header,
        text: '',
        line: 2,
        records: 0,
        bytesRead: 0,
      };
      expect(workers.submit(block)).toBeUndefined();
    } finally {
      await workers.close();
    }
  }, 30_000);
});
