import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** The credit dataset as CSV delivers it: every value a string, an empty field missing (""). */
export type CsvRow = Record<string, string>;

const dataDir = fileURLToPath(new URL('../../../../data/', import.meta.url));

export const CREDIT_TARGET = 'Status';

export function readCreditRows(): CsvRow[] {
  return parse(readFileSync(`${dataDir}credit.csv`), { columns: true, skip_empty_lines: true });
}

export function readCreditSplit(): { train: number[]; test: number[] } {
  return JSON.parse(readFileSync(`${dataDir}splits/credit.json`, 'utf8'));
}

/** Rows as a JSON API receives them: numbers as numbers, missing as null, the rest strings. */
export function asJsonRows(
  rows: readonly CsvRow[],
  numericColumns: ReadonlySet<string>,
): unknown[] {
  const typed = rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      object[key] = value === '' ? null : numericColumns.has(key) ? Number(value) : value;
    }
    return object;
  });
  // Through JSON text, so the objects have the shapes JSON.parse gives a server.
  return JSON.parse(JSON.stringify(typed));
}
