import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ServerError } from '../errors.ts';
import { checkRowCount } from './tabular.ts';

/**
 * CSV with a header row, the bulk format users have. Values stay strings ("" = missing); the
 * model's pipeline parses and validates them. Loaded on the first CSV request, not at start.
 */

export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

export function parseCsv(text: string, maxRows: number): CsvTable {
  let columns: string[] = [];
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      bom: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        columns = header.map((h) => h.trim());
        return columns;
      },
    }) as Record<string, string>[];
  } catch (error) {
    throw new ServerError(
      'TANDEM_REQUEST_INVALID',
      `CSV: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  checkRowCount(rows.length, maxRows);
  return { columns, rows };
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
