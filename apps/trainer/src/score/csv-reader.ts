import { streamChunks } from './chunk-stream.ts';
import { CsvRecordParser } from './csv-parser.ts';
import { openInput } from './open-input.ts';
import {
  type CsvChunk,
  DEFAULT_READ_SIZE,
  type ReaderOptions,
  type RecordReader,
} from './records.ts';

function emptyChunk(): CsvChunk {
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

/** Streams a CSV file with a header row as chunks of `chunkSize` records. */
export async function openCsvReader(path: string, options: ReaderOptions): Promise<RecordReader> {
  const { stream, size } = await openInput(path, options.readSize ?? DEFAULT_READ_SIZE);
  const parser = new CsvRecordParser();
  const limit = options.chunkSize;

  return {
    format: 'csv',
    totalBytes: size,
    header: () => parser.header(),
    chunks: () => streamChunks(stream, parser, emptyChunk, limit),
    close: () => stream.destroy(),
  };
}
