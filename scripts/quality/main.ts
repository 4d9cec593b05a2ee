/**
 * `npm run quality`: every shipped dataset with every model family and seed, against
 * scikit-learn's reference figures; writes docs/quality.md.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem, type } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { writeFileAtomic } from '@tandem/model-store';
import { type Agreement, readSklearnFixture, sklearnAgreement } from '@tandem/trainer';
import { qualityDocument } from './markdown.ts';
import { DATASETS } from './references.ts';
import { MODELS, type ModelFamily, nativeHgbMetrics, runQuality } from './run.ts';
import { type QualityRun, summarize } from './summary.ts';

const HELP = `Usage: npm run quality -- [--seeds 1,2,3,4,5] [--models linear,mlp,gbdt,auto]
                           [--datasets credit,titanic,penguins,cars] [--out docs/quality.md] [--no-write]
                           [--save-runs runs.json] [--load-runs a.json,b.json]

Trains every shipped dataset (data/models/) on its fixed split with each model family and seed
into a temporary model store, compares the test metrics with scikit-learn's figures in
../shared/datasets/README.md, prints a markdown report and writes it to docs/quality.md.

--save-runs writes the runs as JSON (to split the work over processes, one dataset each);
--load-runs trains nothing and writes the report from saved runs.

Exit status: 0 when gbdt and auto (those of them run) are within one standard error of
scikit-learn's HGB on every dataset run, 1 otherwise, 2 for a usage mistake.`;

class UsageMistake extends Error {}

function list<T extends string>(text: string, allowed: readonly T[], option: string): T[] {
  return text.split(',').map((part) => {
    const value = part.trim() as T;
    if (!allowed.includes(value)) {
      throw new UsageMistake(
        `--${option}: ${JSON.stringify(part)} is not one of ${allowed.join(', ')}`,
      );
    }
    return value;
  });
}

function seedList(text: string): number[] {
  return text.split(',').map((part) => {
    const seed = Number(part.trim());
    if (part.trim() === '' || !Number.isSafeInteger(seed) || seed < 0) {
      throw new UsageMistake(`--seeds expects non-negative integers, got ${JSON.stringify(part)}`);
    }
    return seed;
  });
}

function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `${type()} ${process.arch}, ${cores.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
}

async function commit(root: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: root });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '1,2,3,4,5' },
      models: { type: 'string', default: MODELS.join(',') },
      datasets: { type: 'string', default: DATASETS.map((d) => d.dataset).join(',') },
      out: { type: 'string', default: 'docs/quality.md' },
      'no-write': { type: 'boolean', default: false },
      'save-runs': { type: 'string' },
      'load-runs': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const seeds = seedList(values.seeds);
  const models = list<ModelFamily>(values.models, MODELS, 'models');
  const names = list(
    values.datasets,
    DATASETS.map((d) => d.dataset),
    'datasets',
  );
  const datasets = DATASETS.filter((d) => names.includes(d.dataset));
  const root = process.cwd();
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const save = async (list: readonly QualityRun[]): Promise<void> => {
    if (values['save-runs'] === undefined) return;
    await writeFileAtomic(
      path.resolve(root, values['save-runs']),
      new TextEncoder().encode(`${JSON.stringify(list)}\n`),
    );
  };
  const runs: QualityRun[] = [];
  if (values['load-runs'] !== undefined) {
    // A run saved twice (two processes that both reached it) counts once.
    const seen = new Set<string>();
    for (const file of values['load-runs'].split(',')) {
      for (const run of JSON.parse(await readFile(file.trim(), 'utf8')) as QualityRun[]) {
        const key = `${run.dataset}/${run.model}/${run.seed}`;
        if (!seen.has(key)) runs.push(run);
        seen.add(key);
      }
    }
  } else {
    runs.push(...(await runQuality({ root, datasets, models, seeds, log, onRun: save })));
  }
  const nativeHgb = new Map();
  for (const d of datasets) {
    const found = await nativeHgbMetrics(root, d.dataset);
    if (found) nativeHgb.set(d.dataset, found);
  }
  const agreements: Agreement[] = [];
  if (models.includes('gbdt')) {
    const fixtures = path.join(root, 'apps/trainer/test/fixtures/sklearn');
    for (const d of datasets) {
      agreements.push(
        await sklearnAgreement(
          await readSklearnFixture(fixtures, d.dataset),
          path.join(root, 'data'),
        ),
      );
    }
  }
  const defaults =
    values.seeds === '1,2,3,4,5' &&
    models.length === MODELS.length &&
    datasets.length === DATASETS.length;
  const command =
    values['load-runs'] !== undefined
      ? 'npm run quality -- --save-runs <file>` (the trainings spread over processes by `--models` and `--datasets`), then `npm run quality -- --load-runs <files>'
      : defaults
        ? 'npm run quality'
        : `npm run quality -- ${argv.join(' ')}`;
  const document = qualityDocument(datasets, runs, {
    command,
    date: new Date(),
    machine: machine(),
    node: process.version,
    commit: await commit(root),
    seeds,
    models,
    nativeHgb,
    agreements,
  });
  process.stdout.write(document);
  if (!values['no-write']) {
    await writeFileAtomic(path.resolve(root, values.out), new TextEncoder().encode(document));
    log(`wrote ${values.out}`);
  }
  const judged = models.filter((model) => model === 'gbdt' || model === 'auto');
  const met = datasets.every((d) => judged.every((model) => summarize(d, model, runs).meetsHgb));
  return met ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof UsageMistake ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`quality: ${(error as Error).message}\n\n${HELP}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
