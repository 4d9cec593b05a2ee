import {
  checkHeaderHasColumns,
  type DataFormat,
  parseBlock,
  type RecordReader,
  type TextBlock,
} from '@tandem/tabular';
import { type BlockOutput, BlockScorer, type BlockScorerConfig } from './block-scorer.ts';
import type { RecordScorer } from './chunk-scorer.ts';
import { ScorerError } from './errors.ts';
import type { ExplainLayout } from './explain-columns.ts';
import type { OutputTarget } from './output-target.ts';
import { checkNoClash, ERROR_COLUMN } from './prediction-columns.ts';
import type { ScoringWorkers } from './scoring-workers.ts';

/** Where a run stands, reported after each block is written. */
export interface ScoreProgress {
  rows: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number;
  seconds: number;
}

export interface PipelineCounts {
  /** Records read (scored + rejected). */
  rows: number;
  /** Records that got predictions. */
  scored: number;
  /** Records not scored: unparseable, or refused by the feature pipeline. */
  rejected: number;
  /** Values handled by a recorded rule (out of range, unseen category, imputed missing). */
  warnings: number;
}

export interface PipelineOptions {
  reader: RecordReader;
  output: OutputTarget;
  outputFormat: DataFormat;
  /**
   * Which CSV header lines to write (default both). A text part of a shard other than the first
   * has none, so that the parts concatenated hold one header, as a full run does; a table
   * output (Parquet, PostgreSQL) always takes its header, which names its columns.
   */
  headers?: { output: boolean; rejects: boolean };
  /** Without a scorer, records are copied (the passthrough baseline of the benchmark). */
  scorer?: RecordScorer;
  /** Threads that score blocks next to this one (they hold the same model as `scorer`). */
  workers?: ScoringWorkers;
  predictionColumns: readonly string[];
  /** Columns the model reads: a CSV header must hold every one (@tandem/tabular's rule). */
  requiredColumns?: readonly string[];
  classes?: readonly string[];
  /** --explain: explanation columns, already listed at the end of predictionColumns. */
  explain?: ExplainLayout;
  /** Bad records go here; without it they stay in the output with an `error` column. */
  rejects?: { file: OutputTarget; format: DataFormat };
  /** Stop at the first bad record. */
  strict: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ScoreProgress) => void;
}

/** A block on its way to the output: scored here (settled at once) or by a worker. */
interface Pending {
  outcome?: { output: BlockOutput } | { error: unknown };
  settled: Promise<void>;
}

/**
 * Reads text blocks, scores each (here, or on a worker when one has room), and writes output
 * (and rejects) text in input order. Memory holds the blocks on their way: at most
 * 2 × workers + 2 blocks with their output text, plus what the write stream buffers (bounded by
 * its high-water mark: a write that crosses it waits for the disk). In strict mode the first bad
 * record in file order stops the run, wherever its block was scored.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineCounts> {
  const { reader, output, rejects, signal, workers } = options;
  const started = performance.now();
  const counts: PipelineCounts = { rows: 0, scored: 0, rejected: 0, warnings: 0 };
  const maxPending = workers ? 2 * workers.size + 2 : 1;
  const pending: Pending[] = [];
  let local: BlockScorer | undefined;

  const start = async (first: TextBlock | undefined): Promise<BlockScorer> => {
    const config = scorerConfig(options, inputColumnsOf(reader, first));
    const scorer = new BlockScorer(config, options.scorer);
    workers?.configure(config);
    const headers = scorer.headers();
    if (options.headers?.output !== false) await output.write(headers.output);
    if (rejects && options.headers?.rejects !== false) await rejects.file.write(headers.rejects);
    return scorer;
  };

  const write = async (item: Pending): Promise<void> => {
    await item.settled;
    const outcome = item.outcome;
    if (outcome === undefined || 'error' in outcome) throw outcome?.error;
    const block = outcome.output;
    counts.rows += block.rows;
    counts.scored += block.scored;
    counts.rejected += block.rejected;
    counts.warnings += block.warnings;
    await output.write(block.text);
    if (rejects && block.rejectedText.length > 0) await rejects.file.write(block.rejectedText);
    options.onProgress?.({
      rows: counts.rows,
      rejected: counts.rejected,
      bytesRead: block.bytesRead,
      totalBytes: reader.totalBytes,
      seconds: (performance.now() - started) / 1000,
    });
  };

  for await (const block of reader.blocks({ framed: workers !== undefined })) {
    if (signal?.aborted) throw interrupted(signal);
    local ??= await start(block);
    pending.push(dispatch(block, local, workers));
    // Write what is done, in order; wait for the oldest block when too many are on their way.
    while (
      pending.length > 0 &&
      (pending[0]?.outcome !== undefined || pending.length >= maxPending)
    ) {
      await write(pending.shift() as Pending);
    }
  }
  if (local === undefined) await start(undefined);
  while (pending.length > 0) await write(pending.shift() as Pending);
  if (signal?.aborted) throw interrupted(signal);
  return counts;
}

/** Scores on a worker when one has room, else here and now; errors wait for their turn. */
function dispatch(block: TextBlock, local: BlockScorer, workers?: ScoringWorkers): Pending {
  const remote = workers?.submit(block);
  if (remote === undefined) {
    try {
      return { outcome: { output: local.score(block) }, settled: Promise.resolve() };
    } catch (error) {
      return { outcome: { error }, settled: Promise.resolve() };
    }
  }
  const item: Pending = { settled: Promise.resolve() };
  item.settled = remote.then(
    (output) => {
      item.outcome = { output };
    },
    (error: unknown) => {
      item.outcome = { error };
    },
  );
  return item;
}

function scorerConfig(
  options: PipelineOptions,
  inputColumns: readonly string[],
): BlockScorerConfig {
  const added = options.predictionColumns;
  const clashNames = options.rejects === undefined ? [...added, ERROR_COLUMN] : [...added];
  checkNoClash(inputColumns, clashNames, 'input');
  if (options.reader.format === 'csv' && options.requiredColumns) {
    checkHeaderHasColumns(inputColumns, options.requiredColumns);
  }
  return {
    encoder: {
      input: options.reader.format,
      output: options.outputFormat,
      inputColumns,
      predictionColumns: added,
      ...(options.classes ? { classes: options.classes } : {}),
      ...(options.explain ? { explain: options.explain } : {}),
      errorColumn: options.rejects === undefined,
    },
    ...(options.rejects ? { rejectsFormat: options.rejects.format } : {}),
    strict: options.strict,
    clashNames,
  };
}

/** The input columns written out: the CSV header, or the keys of the first NDJSON object. */
function inputColumnsOf(reader: RecordReader, first: TextBlock | undefined): readonly string[] {
  const header = reader.header();
  if (header !== undefined) return header;
  if (first?.format === 'ndjson') {
    const chunk = first.parsed ?? parseBlock(first);
    const object =
      chunk.format === 'ndjson' ? chunk.objects.find((o) => o !== undefined) : undefined;
    if (object !== undefined) return Object.keys(object);
  }
  return [];
}

function interrupted(signal: AbortSignal): ScorerError {
  const reason = typeof signal.reason === 'string' ? signal.reason : 'abort';
  return new ScorerError('TANDEM_SCORE_INTERRUPTED', `interrupted (${reason}): no output written`);
}
