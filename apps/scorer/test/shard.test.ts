import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { UsageError } from '@tandem/cli';
import { startS3TestServer } from '@tandem/model-store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type ScoreFileOptions, scoreFile } from '../src/score-file.ts';
import { parseShard, partPath, type Shard, shardFromEnv, shardOfOffset } from '../src/shard.ts';
import { awkwardCreditCsv, DATA, startCli, useCreditBench } from './support.ts';

// N shards, concatenated in shard order, must be one full run, byte for byte: output and
// rejects, whatever the quoting, line ends, BOM, blank lines and bad rows of the input.

const bench = useCreditBench('tandem-shard-');

const awkwardCsv = (count: number, from = 0) =>
  awkwardCreditCsv(bench.header, bench.rows, count, from);

type Options = Partial<ScoreFileOptions> & { input: ScoreFileOptions['input'] };

/** A full run's output and rejects, and the parts of `count` shards concatenated. */
async function fullAndShards(name: string, count: number, options: Options, ext = 'csv') {
  const dir = join(bench.work, name);
  await mkdir(dir, { recursive: true });
  const base = { predictor: bench.predictor, batchSize: 64, threads: 1, ...options };
  const full = await scoreFile({
    ...base,
    output: join(dir, `full.${ext}`),
    rejects: join(dir, 'full-rejects.csv'),
  });
  const parts: Buffer[] = [];
  const rejects: Buffer[] = [];
  let rowsSeen = 0;
  for (let index = 0; index < count; index++) {
    const shard = { index, count };
    const summary = await scoreFile({
      ...base,
      shard,
      output: join(dir, `part-{shard}-of-{shards}.${ext}`),
      rejects: join(dir, 'rejects.csv'),
    });
    expect(summary.output).toBe(join(dir, partName(shard, ext)));
    rowsSeen += summary.rows;
    parts.push(await readFile(summary.output));
    rejects.push(await readFile(partPath(join(dir, 'rejects.csv'), shard)));
  }
  expect(rowsSeen).toBe(full.rows);
  return {
    full: await readFile(join(dir, `full.${ext}`)),
    fullRejects: await readFile(join(dir, 'full-rejects.csv')),
    joined: Buffer.concat(parts),
    joinedRejects: Buffer.concat(rejects),
    parts,
    summary: full,
  };
}

const partName = (shard: Shard, ext: string) =>
  `part-${String(shard.index).padStart(5, '0')}-of-${String(shard.count).padStart(5, '0')}.${ext}`;

describe('--shard i/N: parsing and part names', () => {
  it('reads i/N, 0-based, and refuses anything else naming the option', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard('6/7')).toEqual({ index: 6, count: 7 });
    for (const bad of [
      '7/7',
      '-1/2',
      '1/0',
      'a/b',
      '1',
      '1/2/3',
      '01/2',
      '1.5/3',
      '',
      '0/100000',
    ]) {
      expect(() => parseShard(bad), bad).toThrow(UsageError);
      expect(() => parseShard(bad), bad).toThrow(/^--shard must be i\/N/);
    }
  });

  it('takes JOB_COMPLETION_INDEX of JOB_COMPLETIONS, and names a bad or missing one', () => {
    expect(shardFromEnv({})).toBeUndefined();
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '8' })).toEqual({
      index: 3,
      count: 8,
    });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' })).toThrow(/JOB_COMPLETIONS is not/);
    expect(() => shardFromEnv({ JOB_COMPLETIONS: '8' })).toThrow(/JOB_COMPLETION_INDEX is not/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'x', JOB_COMPLETIONS: '8' })).toThrow(
      /JOB_COMPLETION_INDEX must be a non-negative integer, got "x"/,
    );
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '8', JOB_COMPLETIONS: '8' })).toThrow(
      /JOB_COMPLETION_INDEX\/JOB_COMPLETIONS must be i\/N/,
    );
  });

  it('names parts from a template or with a suffix, 5 digits each', () => {
    const shard = { index: 3, count: 10 };
    expect(partPath('out/scored.csv', shard)).toBe('out/scored.csv.part-00003-of-00010');
    expect(partPath('s3://b/out/p-{shard}-of-{shards}.csv', shard)).toBe(
      's3://b/out/p-00003-of-00010.csv',
    );
    expect(partPath('out.csv', undefined)).toBe('out.csv');
  });

  it('splits offsets into N contiguous ranges covering every byte', () => {
    const total = 1_000_003;
    for (const count of [1, 2, 3, 7]) {
      let previous = 0;
      const seen = new Set<number>();
      for (let offset = 0; offset < total; offset += 997) {
        const shard = shardOfOffset(offset, total, count);
        expect(shard).toBeGreaterThanOrEqual(previous);
        previous = shard;
        seen.add(shard);
      }
      expect(seen.size).toBe(count);
    }
  });
});

describe('sharded scoring equals one full run, byte for byte', () => {
  it('over one CSV file with BOM, CRLF, quoted line breaks and bad rows: N = 1, 2, 3, 7', async () => {
    const input = join(bench.work, 'awkward.csv');
    await writeFile(input, awkwardCsv(2500));
    for (const count of [1, 2, 3, 7]) {
      const run = await fullAndShards(`one-file-${count}`, count, { input });
      expect(run.summary.rejected).toBeGreaterThan(10);
      expect(run.full.length).toBeGreaterThan(100_000);
      expect(run.joined.equals(run.full), `N=${count}`).toBe(true);
      expect(run.joinedRejects.equals(run.fullRejects), `rejects, N=${count}`).toBe(true);
      // Only shard 0 writes the header; every shard gets a fair share.
      for (const [i, part] of run.parts.entries()) {
        expect(part.toString('utf8').startsWith('Status,'), `part ${i}`).toBe(i === 0);
        expect(part.length).toBeGreaterThan(run.full.length / count / 2);
      }
    }
  }, 120_000);

  it('when every boundary falls inside a quoted field spanning many lines', async () => {
    // Three records, each mostly one quoted value of 400 line breaks: 7 shards, 4 of them empty.
    const long = `"${'x\r\n'.repeat(400)}"`;
    const lines = [bench.header.join(',')];
    for (let i = 0; i < 3; i++) {
      const row = [...(bench.rows[i] as string[])];
      row[bench.header.indexOf('Home')] = long;
      lines.push(row.join(','));
    }
    const input = join(bench.work, 'long-fields.csv');
    await writeFile(input, `${lines.join('\n')}\n`);
    const run = await fullAndShards('long-fields', 7, { input });
    expect(run.summary.rows).toBe(3);
    expect(run.joined.equals(run.full)).toBe(true);
    expect(run.parts.filter((part) => part.length > 0).length).toBe(3);
  });

  it('on worker threads, and for NDJSON in and CSV or NDJSON out', async () => {
    const csv = join(bench.work, 'threads.csv');
    await writeFile(csv, awkwardCsv(1500));
    const threaded = await fullAndShards('threads', 3, {
      input: csv,
      threads: 2,
      waitForWorkers: true,
    });
    expect(threaded.joined.equals(threaded.full)).toBe(true);

    const objects = bench.rows.slice(0, 1200).map((row, i) => {
      const object = Object.fromEntries(bench.header.map((name, j) => [name, row[j]]));
      if (i % 50 === 7) return '{"broken": ';
      return JSON.stringify(i % 9 === 4 ? { ...object, note: 'line\nbreak' } : object);
    });
    const ndjson = join(bench.work, 'in.ndjson');
    await writeFile(ndjson, `${objects.join('\r\n')}\r\n`);
    for (const ext of ['csv', 'ndjson']) {
      const run = await fullAndShards(`ndjson-${ext}`, 3, { input: ndjson }, ext);
      expect(run.summary.rejected).toBe(24);
      expect(run.joined.equals(run.full), ext).toBe(true);
    }
  }, 120_000);

  it('over a list of files, scored as one input with one header: N = 1, 2, 3, 7', async () => {
    const files = [
      join(bench.work, 'list-a.csv'),
      join(bench.work, 'list-b.csv'),
      join(bench.work, 'list-c.csv'),
    ];
    await writeFile(files[0] as string, awkwardCsv(700, 0));
    await writeFile(files[1] as string, awkwardCsv(40, 700));
    await writeFile(files[2] as string, awkwardCsv(1100, 740));
    // The full run over the list is the full run over one file holding the same rows.
    const one = join(bench.work, 'list-all.csv');
    await writeFile(one, awkwardCsv(1840, 0));
    const whole = await fullAndShards('list-one', 1, { input: one });
    for (const count of [1, 2, 3, 7]) {
      const run = await fullAndShards(`list-${count}`, count, { input: files });
      expect(run.joined.equals(run.full), `N=${count}`).toBe(true);
      expect(run.joinedRejects.equals(run.fullRejects), `rejects, N=${count}`).toBe(true);
      expect(run.summary.rows).toBe(whole.summary.rows);
      // Rows and predictions are those of the one file (rejects' line numbers are per file).
      expect(run.full.equals(whole.full)).toBe(true);
    }
  }, 180_000);

  it('refuses a list whose CSV headers differ, naming both files', async () => {
    const a = join(bench.work, 'head-a.csv');
    const b = join(bench.work, 'head-b.csv');
    await writeFile(a, awkwardCsv(10));
    await writeFile(b, awkwardCsv(10).replace('Status,', 'Outcome,'));
    await expect(
      scoreFile({
        predictor: bench.predictor,
        input: [a, b],
        output: join(bench.work, 'head.csv'),
      }),
    ).rejects.toMatchObject({
      code: 'TANDEM_SCORE_INPUT_INVALID',
      message: expect.stringContaining(`input ${b}: its header`),
    });
    expect((await readdir(bench.work)).filter((name) => name.startsWith('head.csv'))).toEqual([]);
  });
});

describe('npm run score -- --shard', () => {
  it('takes the shard from JOB_COMPLETION_INDEX / JOB_COMPLETIONS and names the part', async () => {
    const dir = await mkdtemp(join(bench.work, 'cli-'));
    const input = join(dir, 'in.csv');
    await writeFile(input, awkwardCsv(300));
    const args = ['--model', 'credit', '-a', bench.artifacts, '--input', input, '--quiet'];
    const full = await startCli([...args, '--output', join(dir, 'full.csv')]).done;
    expect(full.code, full.stderr).toBe(0);
    const parts: Buffer[] = [];
    for (const index of [0, 1]) {
      const env = { JOB_COMPLETION_INDEX: String(index), JOB_COMPLETIONS: '2' };
      const shard = await startCli([...args, '--output', join(dir, 'scored.csv')], { env }).done;
      expect(shard.code, shard.stderr).toBe(0);
      expect(shard.stdout).toContain(`(shard ${index} of 2)`);
      parts.push(await readFile(join(dir, `scored.csv.part-0000${index}-of-00002`)));
    }
    expect(Buffer.concat(parts).equals(await readFile(join(dir, 'full.csv')))).toBe(true);
  }, 60_000);

  it('exits 2 on a bad --shard or shard variable, naming it, and writes nothing', async () => {
    const dir = await mkdtemp(join(bench.work, 'cli-bad-'));
    const args = ['--model', 'credit', '-a', bench.artifacts, '--input', join(DATA, 'credit.csv')];
    const output = join(dir, 'out.csv');
    const flag = await startCli([...args, '--output', output, '--shard', '2/2']).done;
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--shard must be i/N with 0 ≤ i < N');
    expect(flag.stderr).toContain('got "2/2"');
    const env = await startCli([...args, '--output', output], {
      env: { JOB_COMPLETION_INDEX: '1' },
    }).done;
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not');
    expect(await readdir(dir)).toEqual([]);
  }, 60_000);
});

const s3 = await startS3TestServer();

describe.skipIf(!s3.available)('sharded scoring from and to S3 (moto)', () => {
  const server = s3.available ? s3.server : (undefined as never);
  afterAll(() => server.stop());

  it('reads s3:// inputs and uploads each part whole: the parts equal the local full run', async () => {
    const bucket = await server.createBucket();
    const local = join(bench.work, 's3-local.csv');
    await writeFile(local, awkwardCsv(900, 0));
    // The same rows in two objects: the list's full run is the one file's.
    await server.putObject(bucket, 'in/one.csv', awkwardCsv(400, 0));
    await server.putObject(bucket, 'in/two.csv', awkwardCsv(500, 400));
    const fullPath = join(bench.work, 's3-full.csv');
    await scoreFile({ predictor: bench.predictor, input: local, output: fullPath, batchSize: 64 });
    const inputs = [`s3://${bucket}/in/one.csv`, `s3://${bucket}/in/two.csv`];
    const parts: Buffer[] = [];
    const client = server.client();
    for (let index = 0; index < 3; index++) {
      const summary = await scoreFile({
        predictor: bench.predictor,
        input: inputs,
        output: `s3://${bucket}/out/scored-{shard}.csv`,
        shard: { index, count: 3 },
        batchSize: 64,
        env: server.env,
      });
      expect(summary.output).toBe(`s3://${bucket}/out/scored-0000${index}.csv`);
      const object = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: `out/scored-0000${index}.csv` }),
      );
      parts.push(Buffer.from((await object.Body?.transformToByteArray()) ?? []));
    }
    expect(Buffer.concat(parts).equals(await readFile(fullPath))).toBe(true);
    // No staging file is left behind.
    expect((await readdir(tmpdir())).filter((n) => n.startsWith('tandem-s3-part-'))).toEqual([]);
  }, 120_000);

  it('a missing S3 input is TANDEM_SCORE_INPUT_NOT_FOUND naming it', async () => {
    const bucket = await server.createBucket();
    await expect(
      scoreFile({
        predictor: bench.predictor,
        input: `s3://${bucket}/nothing.csv`,
        output: join(bench.work, 'never.csv'),
        env: server.env,
      }),
    ).rejects.toMatchObject({
      code: 'TANDEM_SCORE_INPUT_NOT_FOUND',
      message: `cannot read input s3://${bucket}/nothing.csv: no such object`,
    });
  });
});
