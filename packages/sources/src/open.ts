import { openFileSource } from './file-source.ts';
import { openPostgresSource } from './postgres-source.ts';
import { openS3Source } from './s3-source.ts';
import type { RawRecord, RecordSource, SourceOptions } from './source.ts';
import type { SourceSpec } from './spec.ts';

/**
 * Opens a source: a local file, an S3 object or a PostgreSQL query. Its columns are known when
 * this resolves; its rows stream from `records()`.
 */
export function openRecordSource(
  spec: SourceSpec,
  options: SourceOptions = {},
): Promise<RecordSource> {
  if ('file' in spec) return openFileSource(spec.file);
  if ('s3' in spec) return openS3Source(spec.s3, options.env ?? process.env);
  return openPostgresSource(spec, options);
}

/** A source read whole: what training needs. */
export interface SourceTable {
  description: string;
  format: RecordSource['format'];
  columns: string[];
  rows: RawRecord[];
  /** The content hash (docs/data.md). */
  sha256: string;
}

/** Reads every row of a source into memory and closes it. */
export async function readSourceTable(
  spec: SourceSpec,
  options: SourceOptions = {},
): Promise<SourceTable> {
  const source = await openRecordSource(spec, options);
  try {
    const rows: RawRecord[] = [];
    for await (const record of source.records()) rows.push(record);
    return {
      description: source.description,
      format: source.format,
      columns: [...source.columns],
      rows,
      sha256: source.sha256(),
    };
  } finally {
    await source.close();
  }
}
