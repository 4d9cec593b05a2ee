import { openRecordSource, type SourceSpec } from '@tandem/sources';
import {
  addRecord,
  emptyNdjsonChunk,
  type NdjsonChunk,
  type RecordReader,
  type TextBlock,
} from '@tandem/tabular';

/** Inputs that @tandem/sources reads: a Parquet file (local or s3://), a PostgreSQL query. */
export type SourceInput = { file: string } | { s3: string } | { postgres: string; query: string };

export function isParquetPath(path: string): boolean {
  return /\.parquet$/i.test(path);
}

/**
 * A Parquet file or a PostgreSQL query as a scoring input: @tandem/sources streams its records
 * (Parquet by row group, PostgreSQL through a cursor, cells typed as its type mapping says) and
 * each record goes on as an NDJSON record holding the source's columns, so the rest of the run
 * (threads, rejects, every output) is the NDJSON path. Line numbers are record numbers, from 1.
 * The output's input columns are the source's columns, in its order.
 */
export async function openSourceReader(
  spec: SourceInput,
  options: { env: NodeJS.ProcessEnv; blockSize: number },
): Promise<{ reader: RecordReader; description: string }> {
  const source = await openRecordSource(spec as SourceSpec, { env: options.env });
  const columns = source.columns;
  async function* blocks({ framed }: { framed: boolean }): AsyncGenerator<TextBlock, void, void> {
    let chunk = emptyNdjsonChunk();
    let text = '';
    let line = 1;
    const block = (): TextBlock => ({
      format: 'ndjson',
      text,
      line: chunk.lines[0] ?? line,
      records: chunk.count,
      bytesRead: 0,
      // A block for another thread travels as text only.
      ...(framed ? {} : { parsed: chunk }),
    });
    for await (const record of source.records()) {
      const object = recordObject(record, columns);
      const raw = JSON.stringify(object);
      chunk.objects.push(object);
      addRecord(chunk, line++, raw, undefined);
      text += `${raw}\n`;
      if (chunk.count >= options.blockSize) {
        yield block();
        chunk = emptyNdjsonChunk() satisfies NdjsonChunk;
        text = '';
      }
    }
    if (chunk.count > 0) yield block();
  }
  const reader: RecordReader = {
    format: 'ndjson',
    totalBytes: 0,
    header: () => columns,
    blocks,
    close: () => {
      source.close().catch(() => undefined);
    },
  };
  return { reader, description: source.description };
}

/** The record's cells under the source's columns, in order; a missing cell is null. */
function recordObject(
  record: Record<string, unknown>,
  columns: readonly string[],
): Record<string, unknown> {
  const object: Record<string, unknown> = Object.create(null);
  for (const column of columns)
    object[column] = Object.hasOwn(record, column) ? record[column] : null;
  return object;
}
