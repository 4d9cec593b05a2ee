import type { RawRow } from '@tandem/features';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { ServerError } from '../errors.ts';

/**
 * Bulk row formats users already have: CSV with a header row, and NDJSON (one JSON object per
 * line). Values stay as sent (CSV: strings, "" = missing); the model's pipeline validates them.
 */

function invalid(message: string): ServerError {
  return new ServerError('TANDEM_INVALID_REQUEST', message);
}

function checkCount(rows: number, maxRows: number): void {
  if (rows < 1) throw invalid('the request holds no rows');
  if (rows > maxRows) {
    throw new ServerError(
      'TANDEM_TOO_MANY_ROWS',
      `${rows} rows in one request; the limit is ${maxRows}`,
    );
  }
}

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
    throw invalid(`CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkCount(rows.length, maxRows);
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

export function parseNdjson(text: string, maxRows: number): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw invalid(`NDJSON line ${i + 1}: ${error instanceof Error ? error.message : 'not JSON'}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid(`NDJSON line ${i + 1}: expected an object naming its columns`);
    }
    rows.push(value as RawRow);
    if (rows.length > maxRows) checkCount(rows.length, maxRows);
  }
  checkCount(rows.length, maxRows);
  return rows;
}

/** TensorFlow Serving's columnar form `{"inputs": {"col": [v, …], …}}` as rows. */
export function columnsToRows(
  inputs: Readonly<Record<string, unknown>>,
  maxRows: number,
): RawRow[] {
  const names = Object.keys(inputs);
  let n: number | undefined;
  for (const name of names) {
    const values = inputs[name];
    if (!Array.isArray(values)) throw invalid(`inputs.${name} must be an array of values`);
    if (n !== undefined && values.length !== n) {
      throw invalid(`inputs.${name} has ${values.length} values, other columns have ${n}`);
    }
    n = values.length;
  }
  checkCount(n ?? 0, maxRows);
  const rows: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < (n ?? 0); r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = (inputs[name] as unknown[])[r];
    rows[r] = row;
  }
  return rows;
}

export function checkRowCount(rows: number, maxRows: number): void {
  checkCount(rows, maxRows);
}
