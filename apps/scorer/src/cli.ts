/**
 * `npm run score`: batch scoring of a CSV or NDJSON file. See --help, and docs/batch-scoring.md.
 */

import { readFileSync } from 'node:fs';
import {
  artifactsRoot,
  EXIT,
  parseCommandLine,
  parseModelRef,
  runCli,
  UsageError,
} from '@tandem/cli';
import { ENGINES, type EngineChoice } from '@tandem/runtime';
import { parseFormat, parseOutputFormat } from './format-option.ts';
import { formatCount, ProgressReporter } from './progress.ts';
import { type ScoreFileOptions, type ScoreSummary, scoreFile } from './score-file.ts';
import { parseShard, shardFromEnv } from './shard.ts';

const HELP = `Usage: npm run score -- --model <name>[@<version>|@<label>] --input <file> --output <file> [options]

Scores a CSV or NDJSON file with a stored model, streaming, and writes the input columns plus
the prediction columns (classifiers: label, probability_<class> per class; regressors: value).

Options:
      --model <ref>          name, name@<version> or name@<label> (default version: production,
                             else highest)
      --input <file>         .csv, or .ndjson / .jsonl (else --format); a local path or
                             s3://bucket/key; repeat it to score several files as one input
                             (in order, every CSV with the same header)
      --input-list <file>    the inputs, one path or s3:// URL a line (no globs)
                             (a .parquet input, local or s3://, is read with @tandem/sources)
      --input-postgres <url|VAR> --input-query <sql>
                             score the rows of a PostgreSQL query, streamed through a cursor
                             (a postgres:// URL, or the name of a variable holding one)
      --output <file>        written atomically (s3://bucket/key: uploaded whole at the end);
                             format from its extension (.csv, .ndjson, .parquet), else the
                             input's; postgres://…?table=<table> appends to a table instead
      --output-table <table> append the rows to this PostgreSQL table ([schema.]table, created
                             if missing) with COPY, in one transaction: all rows or none
      --output-postgres <url|VAR>
                             with --output-table: a postgres:// URL, or the name of an
                             environment variable holding one
      --shard <i/N>          score shard i of N only (0-based; default from JOB_COMPLETION_INDEX
                             and JOB_COMPLETIONS when set): the output is a part, --output with
                             {shard} / {shards} replaced by the 5-digit index and count, else
                             --output plus .part-<iiiii>-of-<nnnnn>; parts concatenated in shard
                             order equal the full run byte for byte (docs/deploy.md)
  -a, --artifacts <dir>      model store root (default: $TANDEM_ARTIFACTS, else ./artifacts)
      --format <csv|ndjson>  input format, overriding the extension
      --output-format <csv|ndjson|parquet>
      --rejects <file>       rows that cannot be scored: line, reason, original row
                             (without it they stay in the output with an "error" column)
      --strict               stop at the first bad row, naming its line; no output file
      --batch-size <n>       rows per prediction batch (default 4096)
      --threads <n>          threads that score, this one included (default: one per CPU core
                             for inputs of 4 MiB and more, else 1); needs the dense engine
      --engine <auto|tfjs|dense>
                             how the model computes (default: as the server, auto / $TANDEM_ENGINE);
                             tfjs scores on one thread, within ~1e-6 of the server's numbers
      --explain              add explanation columns: base_value, contribution_<column> per raw
                             column, approximation_error (classifiers: explained_class first)
      --top <k>              with --explain: only the k strongest, as top<i>_column and
                             top<i>_contribution (docs/explanations.md)
      --json                 print the summary as JSON on stdout
      --quiet                no progress output
  -h, --help                 show this help

Exit status: 0 done (even with rejected rows), 1 failed, 2 bad usage, 130/143 interrupted.`;

const OPTIONS = {
  model: { type: 'string' },
  input: { type: 'string', multiple: true },
  'input-list': { type: 'string' },
  'input-postgres': { type: 'string' },
  'input-query': { type: 'string' },
  output: { type: 'string' },
  'output-table': { type: 'string' },
  'output-postgres': { type: 'string' },
  shard: { type: 'string' },
  artifacts: { type: 'string', short: 'a' },
  format: { type: 'string' },
  'output-format': { type: 'string' },
  rejects: { type: 'string' },
  strict: { type: 'boolean', default: false },
  'batch-size': { type: 'string' },
  threads: { type: 'string' },
  engine: { type: 'string' },
  explain: { type: 'boolean', default: false },
  top: { type: 'string' },
  json: { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type ScoreValues = ReturnType<typeof parseCommandLine<typeof OPTIONS>>['values'];

/** The scoreFile options a command line asks for; usage mistakes are TANDEM_CLI_USAGE. */
function scoreOptions(values: ScoreValues, env: NodeJS.ProcessEnv): ScoreFileOptions {
  const required = (name: 'model' | 'output'): string => {
    const value = values[name];
    if (value === undefined || value === '') {
      throw new UsageError(`--${name} is required (see --help)`);
    }
    return value;
  };
  const options: ScoreFileOptions = {
    model: parseModelRef(required('model')),
    input:
      queryOption(values) === undefined ? inputsOption(values.input, values['input-list']) : [],
    output: values['output-table'] === undefined ? required('output') : (values.output ?? ''),
    strict: values.strict,
    artifacts: artifactsRoot(values.artifacts),
  };
  if (values.format !== undefined) options.format = parseFormat(values.format, '--format');
  if (values['output-format'] !== undefined) {
    options.outputFormat = parseOutputFormat(values['output-format'], '--output-format');
  }
  if (values['output-table'] !== undefined) options.outputTable = values['output-table'];
  if (values['output-postgres'] !== undefined) {
    if (values['output-table'] === undefined) {
      throw new UsageError('--output-postgres needs --output-table (the table to append to)');
    }
    options.outputPostgres = values['output-postgres'];
  }
  const query = queryOption(values);
  if (query !== undefined) options.inputQuery = query;
  if (values.rejects !== undefined) options.rejects = values.rejects;
  const shard = values.shard !== undefined ? parseShard(values.shard) : shardFromEnv(env);
  if (shard !== undefined) options.shard = shard;
  if (values.engine !== undefined) options.engine = engineOption(values.engine);
  if (values['batch-size'] !== undefined) options.batchSize = batchSizeOption(values['batch-size']);
  if (values.threads !== undefined) options.threads = threadsOption(values.threads);
  if (values.top !== undefined && !values.explain) throw new UsageError('--top needs --explain');
  if (values.explain) {
    options.explain = values.top === undefined ? {} : { top: topOption(values.top) };
  }
  return options;
}

/** --input-postgres and --input-query, which go together (and without --input). */
function queryOption(values: ScoreValues): { postgres: string; query: string } | undefined {
  const postgres = values['input-postgres'];
  const query = values['input-query'];
  if (postgres === undefined && query === undefined) return undefined;
  if (postgres === undefined || postgres === '')
    throw new UsageError('--input-query needs --input-postgres');
  if (query === undefined || query.trim() === '')
    throw new UsageError('--input-postgres needs --input-query');
  if (values.input !== undefined || values['input-list'] !== undefined) {
    throw new UsageError('--input-query replaces --input: give one or the other');
  }
  return { postgres, query };
}

/** The inputs: every --input, then the lines of --input-list (blank lines and # comments skipped). */
function inputsOption(inputs: string[] | undefined, list: string | undefined): string[] {
  const all = (inputs ?? []).filter((input) => input !== '');
  if (list !== undefined) {
    let text: string;
    try {
      text = readFileSync(list, 'utf8');
    } catch (error) {
      throw new UsageError(`--input-list ${list}: cannot read it (${(error as Error).message})`);
    }
    for (const line of text.split(/\r?\n/)) {
      const path = line.trim();
      if (path !== '' && !path.startsWith('#')) all.push(path);
    }
    if (all.length === 0) throw new UsageError(`--input-list ${list}: it names no input`);
  }
  if (all.length === 0) throw new UsageError('--input is required (see --help)');
  return all;
}

function engineOption(value: string): EngineChoice {
  if (!(ENGINES as readonly string[]).includes(value)) {
    throw new UsageError(`--engine must be ${ENGINES.join(', ')}, got "${value}"`);
  }
  return value as EngineChoice;
}

function batchSizeOption(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 1_000_000) {
    throw new UsageError(`--batch-size must be an integer from 1 to 1000000, got "${value}"`);
  }
  return size;
}

function topOption(value: string): number {
  const top = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || top > 10_000) {
    throw new UsageError(`--top must be an integer from 1 to 10000, got "${value}"`);
  }
  return top;
}

function threadsOption(value: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new UsageError(`--threads must be an integer from 1 to 256, got "${value}"`);
  }
  return threads;
}

const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const options = scoreOptions(values, process.env);
  const controller = new AbortController();
  let stoppedBy: string | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal does not wait for the current chunk: exit now (temp files are removed
    // on exit).
    if (stoppedBy !== undefined) process.exit(SIGNAL_EXIT[signal] ?? 1);
    stoppedBy = signal;
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = values.quiet
    ? undefined
    : new ProgressReporter({
        write: (text) => process.stderr.write(text),
        tty: process.stderr.isTTY === true,
        columns: process.stderr.columns || 80,
      });
  try {
    const summary = await scoreFile({
      ...options,
      signal: controller.signal,
      ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
    });
    progress?.finish();
    if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else process.stdout.write(`${summaryLine(summary)}\n`);
    return EXIT.ok;
  } catch (error) {
    progress?.finish();
    if (stoppedBy !== undefined) {
      process.stderr.write(`score: interrupted by ${stoppedBy}; no output written\n`);
      return SIGNAL_EXIT[stoppedBy] ?? EXIT.failed;
    }
    throw error;
  }
}

function summaryLine(summary: ScoreSummary): string {
  const model = summary.model ? `${summary.model.name}@${summary.model.version}` : 'no model';
  const rejected =
    summary.rejected === 0
      ? 'no rejected rows'
      : `${formatCount(summary.rejected)} rejected ${summary.rejectsFile ? `(in ${summary.rejectsFile})` : '(see the error column)'}`;
  const shard = summary.shard ? ` (shard ${summary.shard.index} of ${summary.shard.count})` : '';
  return (
    `scored ${formatCount(summary.rows)} rows${shard} with ${model}: ${rejected}, ` +
    `${formatCount(summary.warnings)} warnings, ${summary.seconds.toFixed(2)} s, ` +
    `${formatCount(Math.round(summary.rowsPerSecond))} rows/s on ${summary.threads} ` +
    `thread${summary.threads === 1 ? '' : 's'} -> ${summary.output}`
  );
}

await runCli('score', () => main(process.argv.slice(2)));
