import { checkHeaderHasColumns, TabularError } from '@tandem/tabular';
import { stringify } from 'csv-stringify/sync';
import { ServerError } from '../errors.ts';
import { checkRowCount, readBody } from './tabular.ts';

/**
 * CSV with a header row, the bulk format users have, read by @tandem/tabular with the dialect
 * training and batch scoring share (header names exactly as written: a duplicate or padded name
 * is a 400 naming it). Values stay strings ("" = missing); the model's pipeline parses and
 * validates them. Loaded on the first CSV request, not at start.
 */

export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

export function parseCsv(text: string, maxRows: number): CsvTable {
  const { columns, rows } = readBody(text, 'csv', maxRows);
  checkRowCount(rows.length, maxRows);
  return { columns, rows: rows as Record<string, string>[] };
}

/**
 * A CSV body must hold every column the model reads (@tandem/tabular's rule, the same in batch
 * scoring): a 400 naming the first absent column and the closest header name.
 */
export function checkCsvColumns(table: CsvTable, required: readonly string[]): void {
  try {
    checkHeaderHasColumns(table.columns, required);
  } catch (error) {
    if (!(error instanceof TabularError)) throw error;
    throw new ServerError('TANDEM_REQUEST_INVALID', `CSV: ${error.message}`);
  }
}

/** The request's CSV with the prediction columns appended, in the same row order. */
export function writeCsv(
  table: CsvTable,
  extraColumns: readonly string[],
  extra: (row: number) => readonly (string | number)[],
): string {
  const header = [...table.columns, ...extraColumns];
  const records: unknown[][] = new Array(table.rows.length);
  for (let i = 0; i < table.rows.length; i++) {
    const row = table.rows[i]!;
    records[i] = [...table.columns.map((c) => row[c] ?? ''), ...extra(i)];
  }
  return stringify(records, { header: true, columns: header });
}
