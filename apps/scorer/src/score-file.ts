import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { artifactsRoot, type ModelRef, parseModelRef, UsageError } from '@tandem/cli';
import { type EngineChoice, Explainer, type Predictor, predictionColumns } from '@tandem/runtime';
import { describeSource } from '@tandem/sources';
import type { DataFormat, RecordReader } from '@tandem/tabular';
import { openRecordReader, TabularError } from '@tandem/tabular';
import { PredictorScorer } from './chunk-scorer.ts';
import { ScorerError } from './errors.ts';
import { type ExplainLayout, explanationColumns } from './explain-columns.ts';
import { formatOf, type OutputFormat, outputFormatOf } from './format-option.ts';
import { sizeInputs } from './input-files.ts';
import { loadPredictor } from './load-predictor.ts';
import { createOutput, type OutputTarget } from './output-target.ts';
import { type PipelineCounts, runPipeline, type ScoreProgress } from './pipeline.ts';
import { isS3Path, S3Files } from './s3-files.ts';
import { ScoringWorkers } from './scoring-workers.ts';
import { partPath, type Shard } from './shard.ts';
import { openShardedReader } from './sharded-reader.ts';
import { textColumnsOf } from './sinks/output-rows.ts';
import { ParquetOutput } from './sinks/parquet-output.ts';
import { PostgresOutput } from './sinks/postgres-output.ts';
import { isPostgresUrl, postgresTable } from './sinks/postgres-target.ts';
import { isParquetPath, openSourceReader, type SourceInput } from './source-reader.ts';

/** Records per predictBatch call: large enough to amortise per-call costs, small in memory. */
export const DEFAULT_BATCH_SIZE = 4096;

/** Smaller inputs are scored on one thread: starting workers would cost more than it saves. */
export const PARALLEL_MIN_BYTES = 4 * 2 ** 20;

export interface CopyFileOptions {
  /**
   * A file or `s3://bucket/key`, or a list of them scored as one input: in order, every CSV
   * with the same header, the output holding that header once.
   */
  input: string | readonly string[];
  /**
   * A file or `s3://bucket/key`. With `shard`, the part's name: `{shard}` / `{shards}` replaced
   * by the 5-digit index and count, else `.part-<index>-of-<count>` appended (shard.ts).
   */
  output: string;
  /**
   * Score only this shard of the input (shard.ts gives the rule): the parts of every shard,
   * concatenated in shard order, are the full run's output, byte for byte.
   */
  shard?: Shard;
  /**
   * Score the rows of a PostgreSQL query instead of `input` (which may then be empty), streamed
   * through a cursor by @tandem/sources; `postgres` is a postgres:// URL or the name of an
   * environment variable holding one, as in the trainer's `"data"`.
   */
  inputQuery?: { postgres: string; query: string };
  /** Where AWS settings for s3:// inputs and outputs come from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Input format; default from the extension (.csv, .ndjson, .jsonl). */
  format?: DataFormat;
  /**
   * Output format; default from the output's extension (`.parquet` is Parquet), else the input
   * format. A `postgres://…?table=…` output, or `outputTable`, appends to a table instead.
   */
  outputFormat?: OutputFormat;
  /**
   * Append the rows to this PostgreSQL table (`[schema.]table`) with COPY, in one transaction;
   * `outputPostgres` is a postgres:// URL or the name of an environment variable holding one.
   */
  outputTable?: string;
  outputPostgres?: string;
  /** File for rows that cannot be scored (format from its extension, else the input's). */
  rejects?: string;
  /** Stop at the first bad row; no output is written. */
  strict?: boolean;
  /** Records per chunk. Default 4,096. */
  batchSize?: number;
  /** Aborting stops the run between chunks and removes the temporary files. */
  signal?: AbortSignal;
  onProgress?: (progress: ScoreProgress) => void;
}

export interface ScoreFileOptions extends CopyFileOptions {
  /** `name`, `name@<version>` or `name@<label>`; not needed when `predictor` is given. */
  model?: string | ModelRef;
  /** Artifacts folder; default TANDEM_ARTIFACTS, else ./artifacts. */
  artifacts?: string;
  /**
   * How the model computes (the runtime's choice): default as the server, `auto` unless
   * TANDEM_ENGINE says otherwise, so predictions are identical to the server's. `tfjs` is several
   * times faster on large batches for MLPs, and agrees with `dense` to about 1e-6.
   */
  engine?: EngineChoice;
  /** An already-loaded predictor to use instead of loading `model` (left undisposed). */
  predictor?: Predictor;
  /**
   * Threads that score, this one included: 1 scores on the main thread only. Default: one per
   * CPU core for inputs of 4 MiB and more, else 1. Workers need the dense engine (they rebuild
   * the model without TensorFlow.js); with the tfjs engine scoring stays on one thread.
   */
  threads?: number;
  /**
   * Score nothing until every worker is ready, so that each thread takes part even in a short
   * run (tests); by default the main thread starts at once and workers join as they come up.
   */
  waitForWorkers?: boolean;
  /** Receives a line when a scoring worker cannot start. Default: stderr. */
  log?: (line: string) => void;
  /**
   * Adds explanation columns (docs/explanations.md): per raw column, or the top K as
   * column / contribution pairs, computed by the runtime's Explainer (the server's code).
   */
  explain?: { top?: number };
}

export interface ScoreSummary extends PipelineCounts {
  model?: { name: string; version: number };
  input: string | readonly string[];
  /** The file written: with a shard, the part's name. */
  output: string;
  shard?: Shard;
  rejectsFile?: string;
  inputFormat: DataFormat;
  outputFormat: OutputFormat | 'postgres';
  /** Columns appended to each row. */
  predictionColumns: string[];
  /** Threads that scored blocks: the main thread plus the workers that took part. */
  threads: number;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * Scores a CSV or NDJSON file with a stored model, streaming: writes the input columns plus the
 * prediction columns, in input order, atomically. Uses the runtime's Predictor, the code the
 * server runs. Throws coded errors (ScorerError, StoreError, RuntimeError) on failure, leaving
 * no output file.
 *
 * @example
 *   const summary = await scoreFile({
 *     model: 'credit@production', input: 'applicants.csv', output: 'scored.csv',
 *     rejects: 'rejects.csv',
 *   });
 *   console.log(summary.rows, summary.rejected, summary.rowsPerSecond);
 */
export async function scoreFile(options: ScoreFileOptions): Promise<ScoreSummary> {
  try {
    return await score(options);
  } catch (error) {
    throw asScorerError(error);
  }
}

/**
 * The tabular readers' errors under batch scoring's codes, message kept: an unreadable input is
 * TANDEM_SCORE_INPUT_NOT_FOUND, any other table error TANDEM_SCORE_INPUT_INVALID.
 */
function asScorerError(error: unknown): unknown {
  if (!(error instanceof TabularError)) return error;
  const code =
    error.code === 'TANDEM_TABLE_UNREADABLE'
      ? 'TANDEM_SCORE_INPUT_NOT_FOUND'
      : 'TANDEM_SCORE_INPUT_INVALID';
  return new ScorerError(code, error.message, { cause: error });
}

async function score(options: ScoreFileOptions): Promise<ScoreSummary> {
  await checkPaths(options);
  const threads = threadCount(options.threads);
  const s3 = new S3Files(options.env);
  const reader = await openReader(options, s3).catch((error: unknown) => {
    s3.close();
    throw error;
  });
  let predictor = options.predictor;
  const owned = predictor === undefined;
  let starting: Promise<ScoringWorkers | undefined> | undefined;
  try {
    // Workers start first: starting them overlaps with loading the model here.
    const parallel =
      threads ?? (reader.totalBytes >= PARALLEL_MIN_BYTES ? availableParallelism() : 1);
    if (parallel > 1 && options.engine !== 'tfjs') starting = startWorkers(parallel - 1, options);
    if (predictor === undefined) {
      if (options.model === undefined) {
        throw new UsageError('scoreFile needs a model (or a loaded predictor)');
      }
      const ref = typeof options.model === 'string' ? parseModelRef(options.model) : options.model;
      predictor = await loadPredictor(artifactsRoot(options.artifacts), ref, options.engine);
    }
    // Only the dense engine can be rebuilt in a worker: with tfjs, scoring stays on this thread.
    const replica = starting ? predictor.replica() : undefined;
    const workers = replica ? await starting : undefined;
    if (workers && replica) {
      workers.load(replica);
      if (options.waitForWorkers) await workers.ready();
    }
    const explain = options.explain ? explainLayout(predictor, options.explain.top) : undefined;
    const summary = await writeThrough(options, reader, s3, {
      scorer: new PredictorScorer(predictor),
      ...(workers ? { workers } : {}),
      columns: [
        ...predictionColumns(predictor.classes),
        ...(explain ? explanationColumns(explain) : []),
      ],
      ...(explain ? { explain } : {}),
      required: predictor.inputSchema.map((column) => column.name),
      ...(predictor.classes ? { classes: predictor.classes } : {}),
    });
    return { ...summary, model: { name: predictor.name, version: predictor.version } };
  } finally {
    reader.close();
    s3.close();
    await (await starting)?.close();
    if (owned) predictor?.dispose();
  }
}

/** Scoring workers, or undefined (with a log line) when they cannot start here. */
async function startWorkers(
  count: number,
  options: ScoreFileOptions,
): Promise<ScoringWorkers | undefined> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    return await ScoringWorkers.start(count, log);
  } catch (error) {
    log(`scoring on one thread: the scoring workers cannot start (${String(error)})`);
    return undefined;
  }
}

/** The `threads` option, checked: undefined means the default. */
function threadCount(threads: number | undefined): number | undefined {
  if (threads === undefined) return undefined;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UsageError(`--threads must be a positive integer, got ${threads}`);
  }
  return threads;
}

/**
 * Reads and writes a file through the same streaming reader and writer as scoreFile, with no
 * model: the passthrough baseline the scoring benchmark compares against.
 */
export async function copyRecords(options: CopyFileOptions): Promise<ScoreSummary> {
  await checkPaths(options);
  const s3 = new S3Files(options.env);
  try {
    const reader = await openReader(options, s3);
    try {
      return await writeThrough(options, reader, s3, { columns: [] });
    } finally {
      reader.close();
    }
  } finally {
    s3.close();
  }
}

/** The explanation columns of a model; refuses (coded) a model the Explainer cannot explain. */
function explainLayout(predictor: Predictor, top: number | undefined): ExplainLayout {
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) {
    throw new UsageError(`--top must be a positive integer, got ${top}`);
  }
  const { columns } = Explainer.of(predictor);
  return {
    columns,
    ...(top !== undefined ? { top: Math.min(top, columns.length) } : {}),
    classes: predictor.classes !== undefined,
  };
}

interface Scoring {
  explain?: ExplainLayout;
  scorer?: PredictorScorer;
  workers?: ScoringWorkers;
  columns: string[];
  /** Columns the model reads, which a CSV header must hold. */
  required?: readonly string[];
  classes?: readonly string[];
}

async function writeThrough(
  options: CopyFileOptions,
  reader: RecordReader,
  s3: S3Files,
  scoring: Scoring,
): Promise<ScoreSummary> {
  const started = performance.now();
  const rejectsFormat =
    options.rejects === undefined ? undefined : formatOf(options.rejects, undefined, reader.format);
  const rejectsPath =
    options.rejects === undefined ? undefined : partPath(options.rejects, options.shard);
  const { output, outputPath, outputFormat } = await openOutput(options, reader, s3, scoring);
  const textOutput = outputFormat === 'csv' || outputFormat === 'ndjson';
  let rejectsFile: OutputTarget | undefined;
  try {
    if (rejectsPath !== undefined) rejectsFile = await createOutput(rejectsPath, s3);
    const counts = await runPipeline({
      reader,
      output,
      outputFormat: textOutput ? outputFormat : 'csv',
      headers: {
        output: !textOutput || (options.shard?.index ?? 0) === 0,
        rejects: (options.shard?.index ?? 0) === 0,
      },
      ...(scoring.scorer ? { scorer: scoring.scorer } : {}),
      ...(scoring.workers ? { workers: scoring.workers } : {}),
      predictionColumns: scoring.columns,
      ...(scoring.required ? { requiredColumns: scoring.required } : {}),
      ...(scoring.classes ? { classes: scoring.classes } : {}),
      ...(scoring.explain ? { explain: scoring.explain } : {}),
      ...(rejectsFile && rejectsFormat
        ? { rejects: { file: rejectsFile, format: rejectsFormat } }
        : {}),
      strict: options.strict ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await rejectsFile?.commit();
    await output.commit();
    const seconds = (performance.now() - started) / 1000;
    return {
      ...counts,
      input: options.inputQuery
        ? `${describeSource(options.inputQuery)}: ${options.inputQuery.query}`
        : options.input,
      output: outputPath,
      ...(options.shard ? { shard: options.shard } : {}),
      ...(rejectsPath !== undefined ? { rejectsFile: rejectsPath } : {}),
      inputFormat: reader.format,
      outputFormat,
      predictionColumns: scoring.columns,
      threads: 1 + (scoring.workers?.used ?? 0),
      seconds,
      rowsPerSecond: seconds > 0 ? counts.rows / seconds : 0,
    };
  } catch (error) {
    await output.abort();
    await rejectsFile?.abort();
    throw error;
  }
}

/**
 * The run's records: one local file without a shard reads in one pass (parsed as read); a
 * shard, an s3:// input or a list goes through the sharded reader, which frames every input from
 * its start.
 */
/**
 * Where the rows go: a CSV / NDJSON file (local or s3://), a Parquet file, or a PostgreSQL
 * table. Table outputs take the pipeline's CSV text and store its values typed: the added
 * columns that are not text (textColumnsOf) are numbers.
 */
async function openOutput(
  options: CopyFileOptions,
  reader: RecordReader,
  s3: S3Files,
  scoring: Scoring,
): Promise<{ output: OutputTarget; outputPath: string; outputFormat: OutputFormat | 'postgres' }> {
  const text = textColumnsOf(scoring.columns, scoring.classes !== undefined);
  const numeric = new Set(scoring.columns.filter((name) => !text.has(name)));
  if (options.outputTable !== undefined || isPostgresUrl(options.output)) {
    const table = postgresTable(
      {
        output: options.output,
        ...(options.outputTable !== undefined ? { table: options.outputTable } : {}),
        ...(options.outputPostgres !== undefined ? { connection: options.outputPostgres } : {}),
      },
      options.env ?? process.env,
    );
    const output = new PostgresOutput(table, numeric);
    return { output, outputPath: output.path, outputFormat: 'postgres' };
  }
  const outputFormat = outputFormatOf(options.output, options.outputFormat, reader.format);
  const outputPath = partPath(options.output, options.shard);
  const file = await createOutput(outputPath, s3);
  const output = outputFormat === 'parquet' ? new ParquetOutput(file, numeric) : file;
  return { output, outputPath, outputFormat };
}

async function openReader(options: CopyFileOptions, s3: S3Files): Promise<RecordReader> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UsageError(`--batch-size must be a positive integer, got ${batchSize}`);
  }
  const source = sourceInputOf(options);
  if (source !== undefined) {
    if (options.shard !== undefined) {
      throw new UsageError(
        '--shard splits CSV and NDJSON inputs; a Parquet file or a query is scored whole',
      );
    }
    const env = options.env ?? process.env;
    return (await openSourceReader(source, { env, blockSize: batchSize })).reader;
  }
  const inputs = inputList(options.input);
  const format = formatOf(inputs[0] as string, options.format);
  for (const input of inputs) {
    const own = formatOf(input, options.format, format);
    if (own !== format) {
      throw new UsageError(
        `--input ${input}: every input must have the same format (${format}, as ${inputs[0]})`,
      );
    }
  }
  const [only] = inputs;
  if (inputs.length === 1 && options.shard === undefined && only && !isS3Path(only)) {
    return openRecordReader(only, format, { blockSize: batchSize });
  }
  return openShardedReader({
    inputs: await sizeInputs(inputs, s3),
    format,
    blockSize: batchSize,
    shard: options.shard ?? { index: 0, count: 1 },
    s3,
  });
}

/** A Parquet file or a query, which @tandem/sources reads; undefined for CSV and NDJSON. */
function sourceInputOf(options: CopyFileOptions): SourceInput | undefined {
  if (options.inputQuery !== undefined) return options.inputQuery;
  const inputs = typeof options.input === 'string' ? [options.input] : options.input;
  if (!inputs.some(isParquetPath)) return undefined;
  const [only] = inputs;
  if (inputs.length !== 1 || only === undefined) {
    throw new UsageError('a Parquet input is scored alone: give one --input');
  }
  return isS3Path(only) ? { s3: only } : { file: only };
}

function inputList(input: string | readonly string[]): readonly string[] {
  const inputs = typeof input === 'string' ? [input] : input;
  if (inputs.length === 0) throw new UsageError('--input is required (see --help)');
  return inputs;
}

/** Refuses paths that would overwrite an input, or that can never be written. */
async function checkPaths(options: CopyFileOptions): Promise<void> {
  if (options.outputTable !== undefined || isPostgresUrl(options.output)) return;
  const where = (path: string) => (isS3Path(path) ? path : resolvePath(path));
  const given = options.inputQuery === undefined ? inputList(options.input) : [];
  const inputs = new Set(given.map(where));
  const outputPath = partPath(options.output, options.shard);
  const output = where(outputPath);
  if (inputs.has(output)) {
    throw new UsageError('--output must differ from --input');
  }
  const rejectsPath =
    options.rejects === undefined ? undefined : partPath(options.rejects, options.shard);
  if (rejectsPath !== undefined) {
    const rejects = where(rejectsPath);
    if (inputs.has(rejects) || rejects === output) {
      throw new UsageError('--rejects must differ from --input and --output');
    }
  }
  // Found now rather than at the final rename, after the whole file was scored.
  for (const file of [outputPath, rejectsPath]) {
    if (file !== undefined && !isS3Path(file) && (await isDirectory(file))) {
      throw new ScorerError(
        'TANDEM_SCORE_OUTPUT_FAILED',
        `cannot write ${file}: it is a directory`,
      );
    }
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}
