import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TrainerError } from '../errors.ts';
import type { DataFormat } from '../io/format.ts';
import { CsvRecordParser } from './csv-parser.ts';
import { NdjsonRecordParser } from './ndjson-parser.ts';
import {
  DEFAULT_READ_SIZE,
  emptyCsvChunk,
  emptyNdjsonChunk,
  type ReaderOptions,
  type RecordChunk,
  type RecordReader,
} from './records.ts';

/** A parser that turns pushed text into records, filling chunks of a given size. */
interface ChunkParser<C extends RecordChunk> {
  push(text: string): void;
  /** Fills `chunk` up to `limit` records: true when full, false when the text ran out. */
  fill(chunk: C, limit: number, final: boolean): boolean;
}

/**
 * Opens a CSV (with a header row) or NDJSON file as a stream of chunks of `chunkSize` records.
 * A missing file, or a path that is not a regular file, is TANDEM_SCORE_INPUT_NOT_FOUND.
 */
export async function openRecordReader(
  path: string,
  format: DataFormat,
  options: ReaderOptions,
): Promise<RecordReader> {
  const { stream, size } = await openInput(path, options.readSize ?? DEFAULT_READ_SIZE);
  const limit = options.chunkSize;
  const reader = { format, totalBytes: size, close: () => stream.destroy() };
  if (format === 'csv') {
    const parser = new CsvRecordParser();
    return {
      ...reader,
      header: () => parser.header(),
      chunks: () => streamChunks(stream, parser, emptyCsvChunk, limit),
    };
  }
  const parser = new NdjsonRecordParser();
  return {
    ...reader,
    header: () => undefined,
    chunks: () => streamChunks(stream, parser, emptyNdjsonChunk, limit),
  };
}

async function openInput(
  path: string,
  readSize: number,
): Promise<{ stream: ReadStream; size: number }> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new TrainerError(
        'TANDEM_SCORE_INPUT_NOT_FOUND',
        `cannot read input ${path}: ${info.isDirectory() ? 'it is a directory' : 'not a regular file'}`,
      );
    }
    size = info.size;
  } catch (error) {
    if (error instanceof TrainerError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new TrainerError('TANDEM_SCORE_INPUT_NOT_FOUND', `cannot read input ${path}: ${reason}`, {
      cause: error,
    });
  }
  // utf8 decoding in the stream keeps multi-byte characters whole across reads.
  const stream = createReadStream(path, { highWaterMark: readSize, encoding: 'utf8' });
  return { stream, size };
}

/**
 * Reads `stream` (utf8 text) through `parser`, yielding full chunks as they complete and the
 * remainder at the end. Reading pauses while the consumer works on a chunk: the stream buffers at
 * most one read ahead, so memory stays bounded by the chunk size.
 */
async function* streamChunks<C extends RecordChunk>(
  stream: ReadStream,
  parser: ChunkParser<C>,
  emptyChunk: () => C,
  limit: number,
): AsyncGenerator<C, void, void> {
  let chunk = emptyChunk();
  try {
    for await (const text of stream) {
      parser.push(text as string);
      while (parser.fill(chunk, limit, false)) {
        chunk.bytesRead = stream.bytesRead;
        yield chunk;
        chunk = emptyChunk();
      }
    }
    while (parser.fill(chunk, limit, true)) {
      chunk.bytesRead = stream.bytesRead;
      yield chunk;
      chunk = emptyChunk();
    }
    chunk.bytesRead = stream.bytesRead;
    if (chunk.count > 0) yield chunk;
  } finally {
    stream.destroy();
  }
}
