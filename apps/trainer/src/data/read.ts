import { displayPath, fileProblem } from '@tandem/cli';
import type { RawRow } from '@tandem/features';
import { formatFromExtension, readTable as readFileTable, TabularError } from '@tandem/tabular';
import { TrainerError } from '../errors.ts';

/** The rows of a data file as parsed, before any check against a config. */
export interface RawTable {
  /** Column names in file order (NDJSON: order of first appearance). */
  columns: string[];
  /** CSV cells stay strings (the features package parses numbers); an empty cell is null. */
  rows: RawRow[];
  /** sha256 of the file's bytes, hex. */
  sha256: string;
}

/**
 * Streams a CSV or NDJSON file into rows with @tandem/tabular, the dialect the server and batch
 * scoring read too, hashing the bytes on the way.
 */
export async function readTable(file: string): Promise<RawTable> {
  const shown = displayPath(file);
  const format = formatFromExtension(file);
  if (format === undefined) {
    throw new TrainerError(
      'TANDEM_DATA_INVALID',
      `data file ${shown}: unknown format (expected .csv, .ndjson or .jsonl)`,
    );
  }
  const problem = await fileProblem(file);
  if (problem !== undefined) {
    throw new TrainerError('TANDEM_DATA_NOT_FOUND', `data file ${problem}: ${shown}`);
  }
  try {
    return await readFileTable(file, format);
  } catch (error) {
    if (!(error instanceof TabularError)) throw error;
    const code =
      error.code === 'TANDEM_TABLE_UNREADABLE' ? 'TANDEM_DATA_NOT_FOUND' : 'TANDEM_DATA_INVALID';
    throw new TrainerError(code, `data file ${shown}: ${error.message}`, { cause: error });
  }
}
