import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvRecordParser } from './csv-parser.ts';
import { TabularError } from './errors.ts';
import type { DataFormat } from './format.ts';
import { NdjsonRecordParser } from './ndjson-parser.ts';
import type { PushedText } from './pushed-text.ts';
import {
  DEFAULT_READ_SIZE,
  emptyCsvChunk,
  emptyNdjsonChunk,
  type ReaderOptions,
  type RecordChunk,
  type RecordReader,
  type TextBlock,
} from './records.ts';

/**
 * Opens a CSV (with a header row) or NDJSON file as a stream of text blocks of `blockSize`
 * records. A missing file, or a path that is not a regular file, is TANDEM_TABLE_UNREADABLE.
 */
export async function openRecordReader(
  path: string,
  format: DataFormat,
  options: ReaderOptions,
): Promise<RecordReader> {
  const { stream, size } = await openInput(path, options.readSize ?? DEFAULT_READ_SIZE);
  const parser = format === 'csv' ? new CsvRecordParser() : new NdjsonRecordParser();
  const header = (): readonly string[] | undefined =>
    parser instanceof CsvRecordParser ? parser.header() : undefined;
  return {
    format,
    totalBytes: size,
    header,
    blocks: ({ framed }) =>
      framed
        ? framedBlocks(stream, parser, format, header, options.blockSize)
        : parsedBlocks(stream, parser, format, options.blockSize),
    close: () => stream.destroy(),
  };
}

/** Throws TANDEM_TABLE_UNREADABLE unless `path` is a regular file; returns its size. */
export async function checkInputFile(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new TabularError(
        'TANDEM_TABLE_UNREADABLE',
        `cannot read input ${path}: ${info.isDirectory() ? 'it is a directory' : 'not a regular file'}`,
      );
    }
    return info.size;
  } catch (error) {
    if (error instanceof TabularError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new TabularError('TANDEM_TABLE_UNREADABLE', `cannot read input ${path}: ${reason}`, {
      cause: error,
    });
  }
}

async function openInput(
  path: string,
  readSize: number,
): Promise<{ stream: ReadStream; size: number }> {
  const size = await checkInputFile(path);
  // utf8 decoding in the stream keeps multi-byte characters whole across reads.
  const stream = createReadStream(path, { highWaterMark: readSize, encoding: 'utf8' });
  return { stream, size };
}

/**
 * Reads `stream` (utf8 text) through `parser`, yielding blocks of `limit` records as they are
 * framed and the remainder at the end. Reading pauses while the consumer works on a block: the
 * stream buffers at most one read ahead, so memory stays bounded by the block size.
 */
async function* framedBlocks(
  stream: ReadStream,
  parser: PushedText,
  format: DataFormat,
  header: () => readonly string[] | undefined,
  limit: number,
): AsyncGenerator<TextBlock, void, void> {
  const blockOf = (framed: ReturnType<PushedText['frame']> & object): TextBlock => {
    const columns = header();
    return {
      ...framed,
      format,
      ...(columns !== undefined ? { header: columns } : {}),
      bytesRead: stream.bytesRead,
    };
  };
  try {
    for await (const text of stream) {
      parser.push(text as string);
      for (let framed = parser.frame(limit, false); framed; framed = parser.frame(limit, false)) {
        yield blockOf(framed);
      }
    }
    for (let framed = parser.frame(limit, true); framed; framed = parser.frame(limit, true)) {
      yield blockOf(framed);
    }
  } finally {
    stream.destroy();
  }
}

/** As framedBlocks, but each block's records are parsed as they are read (a single pass). */
async function* parsedBlocks(
  stream: ReadStream,
  parser: CsvRecordParser | NdjsonRecordParser,
  format: DataFormat,
  limit: number,
): AsyncGenerator<TextBlock, void, void> {
  const empty = (): RecordChunk => (format === 'csv' ? emptyCsvChunk() : emptyNdjsonChunk());
  const fill = (chunk: RecordChunk, final: boolean): boolean =>
    parser instanceof CsvRecordParser
      ? parser.fill(chunk as RecordChunk & { format: 'csv' }, limit, final)
      : parser.fill(chunk as RecordChunk & { format: 'ndjson' }, limit, final);
  const blockOf = (chunk: RecordChunk): TextBlock => {
    chunk.bytesRead = stream.bytesRead;
    return {
      format,
      ...(chunk.format === 'csv' ? { header: chunk.header } : {}),
      text: '',
      line: chunk.lines[0] ?? 0,
      records: chunk.count,
      bytesRead: chunk.bytesRead,
      parsed: chunk,
    };
  };
  let chunk = empty();
  try {
    for await (const text of stream) {
      parser.push(text as string);
      while (fill(chunk, false)) {
        yield blockOf(chunk);
        chunk = empty();
      }
    }
    while (fill(chunk, true)) {
      yield blockOf(chunk);
      chunk = empty();
    }
    if (chunk.count > 0) yield blockOf(chunk);
  } finally {
    stream.destroy();
  }
}
