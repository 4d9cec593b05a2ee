import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, DATA, startCli, writeCreditModel } from './support.ts';

let work: string;
let artifacts: string;
let bigInput: string;
let creditLines: string[];

function start(args: readonly string[]): { child: ChildProcess; done: Promise<CliResult> } {
  return startCli(args, { env: { TANDEM_ARTIFACTS: artifacts } });
}

/** stderr without the runtime's backend notice, which depends on the machine. */
function errors(run: CliResult): string[] {
  return run.stderr
    .split('\n')
    .filter(
      (line) => line.length > 0 && !line.includes('tfjs-node') && !line.startsWith('scored '),
    );
}

/** Waits until the temporary file of `dir/scored.csv` holds data: the run is mid-file. */
async function untilTempOutputGrows(dir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const temp = (await readdir(dir)).find((name) => name.startsWith('.scored.csv.'));
    if (temp !== undefined && (await stat(join(dir, temp))).size > 1_000_000) return;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tandem-score-cli-'));
  artifacts = join(work, 'artifacts');
  await writeCreditModel(artifacts);
  creditLines = (await readFile(join(DATA, 'credit.csv'), 'utf8')).trim().split('\n');
  // Large enough that scoring takes a few seconds: time to interrupt it mid-run.
  bigInput = join(work, 'big.csv');
  const out = createWriteStream(bigInput);
  out.write(`${creditLines[0]}\n`);
  for (let i = 0; i < 1_500_000; i++) {
    if (!out.write(`${creditLines[1 + (i % (creditLines.length - 1))]}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}, 180_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('npm run score', () => {
  it('scores a file and prints a summary line', async () => {
    const dir = await mkdtemp(join(work, 'ok-'));
    await writeFile(join(dir, 'in.csv'), `${creditLines.slice(0, 101).join('\n')}\n`);
    const run = await start([
      '--model',
      'credit@1',
      '--input',
      join(dir, 'in.csv'),
      '--output',
      join(dir, 'out.ndjson'),
      '--quiet',
    ]).done;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^scored 100 rows with credit@1: no rejected rows, .* rows\/s on 1 thread -> .*out\.ndjson\n$/,
    );
    const lines = (await readFile(join(dir, 'out.ndjson'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(100);
    expect(Object.keys(JSON.parse(lines[0] ?? '{}'))).toContain('probability_good');
  }, 60_000);

  it('answers a usage mistake with one line and exit status 2', async () => {
    const files = ['--model', 'credit', '--input', 'a.csv', '--output', 'b.csv'];
    const mistakes: [string[], string][] = [
      [['--input', 'x.csv', '--output', 'y.csv'], '--model is required (see --help)'],
      [
        [...files, '--batch-size', '0'],
        '--batch-size must be an integer from 1 to 1000000, got "0"',
      ],
      [[...files, '--threads', 'two'], '--threads must be an integer from 1 to 256, got "two"'],
    ];
    for (const [args, message] of mistakes) {
      const run = await start(args).done;
      expect(run.code).toBe(2);
      expect(errors(run)).toEqual([`score: error: ${message}`]);
    }
  }, 60_000);

  it('with --strict, exits 1 naming the bad line and leaves no output file', async () => {
    const dir = await mkdtemp(join(work, 'strict-'));
    const lines = creditLines.slice(0, 30);
    lines[12] = (lines[12] ?? '').replace(/^(\w+),\d+,/, '$1,many,');
    await writeFile(join(dir, 'in.csv'), `${lines.join('\n')}\n`);
    const run = await start([
      '--model',
      'credit',
      '--input',
      join(dir, 'in.csv'),
      '--output',
      join(dir, 'out.csv'),
      '--strict',
    ]).done;
    expect(run.code).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(/^score: error: line 13: column "Seniority": expected .*many/),
    ]);
    expect(await readdir(dir)).toEqual(['in.csv']);
  }, 60_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`interrupted by ${signal}, removes its temporary file and leaves no output`, async () => {
      const dir = await mkdtemp(join(work, `${signal}-`));
      const output = join(dir, 'scored.csv');
      const { child, done } = start(['--model', 'credit', '--input', bigInput, '--output', output]);
      await untilTempOutputGrows(dir);
      child.kill(signal);
      const run = await done;
      expect(run.code).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(errors(run)).toEqual([`score: interrupted by ${signal}; no output written`]);
      expect(await readdir(dir)).toEqual([]);
    }, 120_000);
  }

  it('killed by SIGKILL, never leaves a file at the output path (the temporary file may stay)', async () => {
    const dir = await mkdtemp(join(work, 'kill-'));
    const output = join(dir, 'scored.csv');
    const { child, done } = start(['--model', 'credit', '--input', bigInput, '--output', output]);
    await untilTempOutputGrows(dir);
    child.kill('SIGKILL');
    const run = await done;
    expect(run.signal).toBe('SIGKILL');
    const left = await readdir(dir);
    expect(left).not.toContain('scored.csv');
    // Nothing can run on SIGKILL: what is left is the hidden temporary file, never the output.
    expect(left.every((name) => /^\.scored\.csv\.\d+-[0-9a-f]+\.tmp$/.test(name))).toBe(true);
  }, 120_000);
});
