import type { DataFormat } from './format.ts';
import type { FramedText } from './pushed-text.ts';

/**
 * A run of consecutive input records, in file order. Arrays are parallel: index i describes the
 * i-th record of the chunk. A chunk is handed to the consumer whole and not touched afterwards.
 */
interface ChunkBase {
  count: number;
  /** 1-based physical line on which each record starts (a CSV header is line 1). */
  lines: number[];
  /** Each record's text as read, without its line terminator. */
  raw: string[];
  /** Why a record could not be parsed (bad quoting, wrong field count, invalid JSON), if so. */
  problems: (string | undefined)[];
  /** True when at least one entry of `problems` is set. */
  hasProblems: boolean;
  /** Input bytes consumed so far, for progress and ETA. */
  bytesRead: number;
}

export interface CsvChunk extends ChunkBase {
  format: 'csv';
  /** The file's column names, from its header row. */
  header: readonly string[];
  /** Each record's fields; undefined when the record's quoting is broken. */
  fields: (string[] | undefined)[];
}

export interface NdjsonChunk extends ChunkBase {
  format: 'ndjson';
  /** Each record's object; undefined when the line is not a JSON object. */
  objects: (Record<string, unknown> | undefined)[];
}

export type RecordChunk = CsvChunk | NdjsonChunk;

/** Appends a record's line, text and problem; the caller pushes its fields or object. */
export function addRecord(
  chunk: RecordChunk,
  line: number,
  raw: string,
  problem: string | undefined,
): void {
  chunk.lines.push(line);
  chunk.raw.push(raw);
  chunk.problems.push(problem);
  if (problem !== undefined) chunk.hasProblems = true;
  chunk.count++;
}

export function emptyCsvChunk(): CsvChunk {
  return {
    format: 'csv',
    header: [],
    count: 0,
    lines: [],
    raw: [],
    fields: [],
    problems: [],
    hasProblems: false,
    bytesRead: 0,
  };
}

export function emptyNdjsonChunk(): NdjsonChunk {
  return {
    format: 'ndjson',
    count: 0,
    lines: [],
    raw: [],
    objects: [],
    problems: [],
    hasProblems: false,
    bytesRead: 0,
  };
}

/**
 * Whole records in file order, as text that parseBlock turns into a chunk on any thread, or
 * already parsed (`parsed`, with empty text) when every block is scored where it is read.
 */
export interface TextBlock extends FramedText {
  format: DataFormat;
  /** CSV: the file's column names (the header row is in no block). */
  header?: readonly string[];
  /** Input bytes consumed once this block was read, for progress and ETA. */
  bytesRead: number;
  /** The records, when the reader parsed them itself; never sent to another thread. */
  parsed?: RecordChunk;
}

/** A streaming source of text blocks. */
export interface RecordReader {
  readonly format: DataFormat;
  /** Size of the input file in bytes. */
  readonly totalBytes: number;
  /** CSV: the header's column names, known once the first block has been read. */
  header(): readonly string[] | undefined;
  /**
   * The file's records, block by block. `framed`: as text for other threads to parse (the reader
   * only finds where records end); otherwise parsed here, in one pass.
   */
  blocks(options: { framed: boolean }): AsyncGenerator<TextBlock, void, void>;
  /** Releases the file; safe to call more than once. */
  close(): void;
}

/** Longest record the readers accept: bounds memory when a quote is never closed. */
export const MAX_RECORD_CHARS = 1 << 20;

/** Record-count and memory knobs of a reader. */
export interface ReaderOptions {
  /** Records per block. */
  blockSize: number;
  /** Bytes per read from disk. */
  readSize?: number;
}

export const DEFAULT_READ_SIZE = 1 << 16;
