import { displayPath, fileProblem } from '@tandem/cli';
import type { RawRow } from '@tandem/features';
import { formatOf, readSourceTable, SourceError, type SourceSpec } from '@tandem/sources';
import type { PostgresData } from '../config/types.ts';
import { TrainerError, type TrainerErrorCode } from '../errors.ts';

/** The rows of a data source as read, before any check against a config. */
export interface RawTable {
  /** Column names in source order (NDJSON: order of first appearance). */
  columns: string[];
  /** CSV cells stay strings (the features package parses numbers); an empty cell is null. */
  rows: RawRow[];
  /** sha256 of a file's or an object's bytes, or of a query's rows (docs/data.md), hex. */
  sha256: string;
}

/**
 * Reads a local data file (CSV, NDJSON or Parquet by its extension) with @tandem/sources, which
 * reads CSV and NDJSON with @tandem/tabular, the dialect the server and batch scoring read too.
 */
export async function readTable(file: string): Promise<RawTable> {
  const shown = displayPath(file);
  try {
    formatOf(file);
  } catch {
    throw new TrainerError(
      'TANDEM_DATA_INVALID',
      `data file ${shown}: unknown format (expected .csv, .ndjson, .jsonl or .parquet)`,
    );
  }
  const problem = await fileProblem(file);
  if (problem !== undefined) {
    throw new TrainerError('TANDEM_DATA_NOT_FOUND', `data file ${problem}: ${shown}`);
  }
  return readSource({ file }, `data file ${shown}`);
}

/** Reads a data source that is not the prediction log: a file, an s3:// object, a query. */
export function readDataTable(data: string | PostgresData): Promise<RawTable> {
  if (typeof data !== 'string') return readSource(data, 'data');
  if (data.startsWith('s3://')) return readSource({ s3: data }, 'data');
  return readTable(data);
}

/** Trainer codes for the sources' codes: the data is missing, unreadable, or out of reach. */
const CODE_OF: Record<SourceError['code'], TrainerErrorCode> = {
  TANDEM_SOURCE_INVALID: 'TANDEM_DATA_INVALID',
  TANDEM_SOURCE_NOT_FOUND: 'TANDEM_DATA_NOT_FOUND',
  TANDEM_SOURCE_UNREADABLE: 'TANDEM_DATA_INVALID',
  TANDEM_SOURCE_UNAVAILABLE: 'TANDEM_DATA_UNAVAILABLE',
};

async function readSource(spec: SourceSpec, shown: string): Promise<RawTable> {
  try {
    const table = await readSourceTable(spec);
    return { columns: table.columns, rows: table.rows, sha256: table.sha256 };
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    // A source's messages start with its path, URL or query, which `shown` names for a file.
    const message =
      'file' in spec && error.message.startsWith(`${spec.file}: `)
        ? `${shown}: ${error.message.slice(spec.file.length + 2)}`
        : `${shown} ${error.message}`;
    throw new TrainerError(CODE_OF[error.code], message, { cause: error });
  }
}
