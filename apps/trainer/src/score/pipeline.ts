import { TrainerError } from '../errors.ts';
import type { DataFormat } from '../io/format.ts';
import type { AtomicFile } from './atomic-file.ts';
import type { ChunkResult, RecordScorer } from './chunk-scorer.ts';
import { OutputEncoder, type RejectsEncoder } from './output-encoder.ts';
import { checkNoClash, ERROR_COLUMN } from './prediction-columns.ts';
import type { RecordChunk, RecordReader } from './records.ts';

/** Where a run stands, reported after each chunk. */
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
  output: AtomicFile;
  outputFormat: DataFormat;
  /** Without a scorer, records are copied (the passthrough baseline of the benchmark). */
  scorer?: RecordScorer;
  predictionColumns: readonly string[];
  classes?: readonly string[];
  /** Bad records go here; without it they stay in the output with an `error` column. */
  rejects?: { file: AtomicFile; encoder: RejectsEncoder };
  /** Stop at the first bad record. */
  strict: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: ScoreProgress) => void;
}

/**
 * Reads chunks, scores each, and writes output (and rejects) lines in input order. Memory holds
 * one chunk of records, its outputs and its output text, plus what the write stream buffers
 * (bounded by its high-water mark: a write that crosses it waits for the disk).
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineCounts> {
  const { reader, output, scorer, rejects, strict, signal } = options;
  const started = performance.now();
  const counts: PipelineCounts = { rows: 0, scored: 0, rejected: 0, warnings: 0 };
  let encoder: OutputEncoder | undefined;
  let bytesRead = 0;
  const added = options.predictionColumns;
  const clashNames = rejects === undefined ? [...added, ERROR_COLUMN] : [...added];

  const start = async (chunk: RecordChunk | undefined): Promise<OutputEncoder> => {
    const inputColumns = inputColumnsOf(reader, chunk);
    checkNoClash(inputColumns, clashNames, 'input');
    const created = new OutputEncoder({
      input: reader.format,
      output: options.outputFormat,
      inputColumns,
      predictionColumns: added,
      ...(options.classes ? { classes: options.classes } : {}),
      errorColumn: rejects === undefined,
    });
    await output.write(created.header());
    if (rejects) await rejects.file.write(rejects.encoder.header());
    return created;
  };

  for await (const chunk of reader.chunks()) {
    if (signal?.aborted) throw interrupted(signal);
    encoder ??= await start(chunk);
    if (chunk.format === 'ndjson' && clashNames.length > 0) checkObjectKeys(chunk, clashNames);
    const result: ChunkResult | undefined = scorer?.score(chunk);
    const reasons = result ? result.reasons : chunk.hasProblems ? chunk.problems : undefined;

    let text = '';
    let rejectedText = '';
    for (let i = 0; i < chunk.count; i++) {
      const reason = reasons?.[i];
      if (reason !== undefined) {
        counts.rejected++;
        if (strict) {
          throw new TrainerError('TANDEM_SCORE_BAD_ROW', `line ${chunk.lines[i]}: ${reason}`);
        }
        if (rejects) {
          rejectedText += rejects.encoder.line(chunk, i, reason);
          continue;
        }
      } else {
        counts.scored++;
      }
      text += encoder.line(chunk, i, result, reason);
    }
    counts.rows += chunk.count;
    counts.warnings += result?.warnings ?? 0;
    bytesRead = chunk.bytesRead;
    await output.write(text);
    if (rejects && rejectedText.length > 0) await rejects.file.write(rejectedText);
    options.onProgress?.({
      rows: counts.rows,
      rejected: counts.rejected,
      bytesRead,
      totalBytes: reader.totalBytes,
      seconds: (performance.now() - started) / 1000,
    });
  }
  if (encoder === undefined) await start(undefined);
  if (signal?.aborted) throw interrupted(signal);
  return counts;
}

/** The input columns written out: the CSV header, or the keys of the first NDJSON object. */
function inputColumnsOf(reader: RecordReader, chunk: RecordChunk | undefined): readonly string[] {
  const header = reader.header();
  if (header !== undefined) return header;
  if (chunk?.format === 'ndjson') {
    const first = chunk.objects.find((object) => object !== undefined);
    if (first !== undefined) return Object.keys(first);
  }
  return [];
}

/** NDJSON objects may each carry other keys: none may shadow an added column. */
function checkObjectKeys(
  chunk: RecordChunk & { format: 'ndjson' },
  names: readonly string[],
): void {
  for (let i = 0; i < chunk.count; i++) {
    const object = chunk.objects[i];
    if (object === undefined) continue;
    for (const name of names) {
      if (Object.hasOwn(object, name)) checkNoClash([name], names, `line ${chunk.lines[i]}`);
    }
  }
}

function interrupted(signal: AbortSignal): TrainerError {
  const reason = typeof signal.reason === 'string' ? signal.reason : 'abort';
  return new TrainerError('TANDEM_SCORE_INTERRUPTED', `interrupted (${reason}): no output written`);
}
