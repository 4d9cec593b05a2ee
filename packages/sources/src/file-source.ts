import { readTable, TabularError } from '@tandem/tabular';
import { SourceError } from './errors.ts';
import { openParquetFile } from './parquet-source.ts';
import { type RecordSource, sourceOfRows } from './source.ts';
import { formatOf } from './spec.ts';

/**
 * A local file: CSV and NDJSON through @tandem/tabular (the dialect every entry point reads,
 * read whole, hashed on the way), Parquet through hyparquet (row group by row group).
 * `shown` is what messages call it (an S3 download names its URL).
 */
export async function openFileSource(path: string, shown = path): Promise<RecordSource> {
  const format = formatOf(shown);
  if (format === 'parquet') return openParquetFile(path, shown);
  try {
    const table = await readTable(path, format);
    return sourceOfRows(shown, format, table.columns, table.rows, table.sha256);
  } catch (error) {
    if (!(error instanceof TabularError)) throw error;
    const code =
      error.code === 'TANDEM_TABLE_UNREADABLE'
        ? 'TANDEM_SOURCE_NOT_FOUND'
        : 'TANDEM_SOURCE_UNREADABLE';
    throw new SourceError(code, `${shown}: ${error.message}`, { cause: error });
  }
}
