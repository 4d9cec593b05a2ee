import { cpus, totalmem, type } from 'node:os';
import path from 'node:path';
import { EXIT, logToStderr, parseCommandLine, runCli, UsageError } from '@tandem/cli';
import { writeFileAtomic } from '@tandem/model-store';
import { tf } from '@tandem/runtime';
import { gitProvenance } from '../artifact/provenance.ts';
import { TrainerError } from '../errors.ts';
import { qualityDocument } from '../quality/markdown.ts';
import { runQuality } from '../quality/run.ts';

const HELP = `Usage: npm run quality -- [--seeds 1,2,3] [--out docs/quality.md] [--no-write]

Trains the shipped configs (data/models/credit, titanic, penguins, cars) into a temporary model
store, compares each test metric with the scikit-learn reference and its threshold, prints a
markdown report on stdout and writes it to docs/quality.md.

Options:
      --seeds <list>      also train every config with each of these seeds (robustness table)
      --out <file>        where to write the report (default: docs/quality.md)
      --no-write          print only
  -h, --help              show this help

Exit status: 0 when every config reaches its threshold, 1 otherwise.`;

function parseSeeds(text: string | undefined): number[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const seed = Number(part.trim());
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new UsageError(`--seeds expects non-negative integers, got ${JSON.stringify(part)}`);
    }
    return seed;
  });
}

function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `${type()} ${process.arch}, ${cores.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, {
    seeds: { type: 'string' },
    out: { type: 'string', default: 'docs/quality.md' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const seeds = parseSeeds(values.seeds);
  const root = process.cwd();
  const { runs } = await runQuality({ root, seeds, log: logToStderr });
  const command = `npm run quality${seeds.length > 0 ? ` -- --seeds ${seeds.join(',')}` : ''}`;
  const document = qualityDocument(runs, {
    command,
    date: new Date(),
    machine: machine(),
    node: process.version,
    tfjs: tf.version.tfjs,
    git: await gitProvenance(),
  });
  process.stdout.write(document);
  if (!values['no-write']) {
    const out = path.resolve(root, values.out);
    await writeFileAtomic(out, new TextEncoder().encode(document));
    logToStderr(`wrote ${values.out}`);
  }
  return runs.every((run) => run.passed) ? EXIT.ok : EXIT.failed;
}

await runCli('quality', () => main(process.argv.slice(2)));
