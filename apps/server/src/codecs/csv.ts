import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  CsvRecordParser,
  checkHeaderHasColumns,
  csvField,
  csvValue,
  emptyCsvChunk,
  TabularError,
} from '@tandem/tabular';
import { ServerError } from '../errors.ts';
import { checkRowCount } from './tabular.ts';

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

/** Cells handled between two yields to the event loop: a few milliseconds of work. */
const CELLS_PER_SLICE = 20_000;

/**
 * Reads a CSV body with @tandem/tabular's parser (the same records, header rule and errors as
 * parseText) in slices of about CELLS_PER_SLICE cells, yielding to the event loop between them,
 * so that a wide body (10,000 rows × 470 columns) never holds /healthz for long. Before parsing
 * past the header it refuses a body whose rows × columns exceed `maxCells`.
 */
export async function parseCsvYielding(
  text: string,
  limits: {
    maxRows: number;
    maxCells: number;
    /** Called once with the body's cell count, before the rows are parsed (admission). */
    reserve?: (cells: number) => void;
  },
): Promise<CsvTable> {
  const parser = new CsvRecordParser();
  const rows: Record<string, string>[] = [];
  let columns: string[] | undefined;
  try {
    parser.push(text);
    for (;;) {
      // The first slice is one record: it reads the header, which sets the slice size.
      const slice =
        columns === undefined ? 1 : Math.max(1, Math.floor(CELLS_PER_SLICE / columns.length));
      const chunk = emptyCsvChunk();
      const more = parser.fill(chunk, slice, true);
      if (columns === undefined) {
        columns = [...(parser.header() ?? [])];
        limits.reserve?.(checkCells(text, columns.length, limits.maxCells));
      }
      const bad = chunk.problems.findIndex((problem) => problem !== undefined);
      if (bad >= 0) {
        throw new TabularError(
          'TANDEM_TABLE_INVALID',
          `line ${chunk.lines[bad]}: ${chunk.problems[bad]}`,
        );
      }
      for (const fields of chunk.fields) {
        // No prototype: a column named __proto__ or constructor is plain data.
        const row = Object.create(null) as Record<string, string>;
        for (let j = 0; j < columns.length; j++)
          row[columns[j] as string] = (fields as string[])[j] as string;
        rows.push(row);
      }
      checkRowCount(Math.max(rows.length, 1), limits.maxRows);
      if (!more) break;
      await yieldToLoop();
    }
  } catch (error) {
    if (!(error instanceof TabularError)) throw error;
    throw new ServerError('TANDEM_REQUEST_INVALID', `CSV: ${error.message}`);
  }
  checkRowCount(rows.length, limits.maxRows);
  return { columns: columns ?? [], rows };
}

/** Rows × columns from the line count (an upper bound: quoted line breaks count twice). */
function checkCells(text: string, columns: number, maxCells: number): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  const cells = lines * columns;
  if (cells > maxCells) {
    throw new ServerError(
      'TANDEM_REQUEST_TOO_MANY_CELLS',
      `about ${lines} rows × ${columns} columns = ${cells} cells in one request; the limit is ${maxCells}`,
    );
  }
  return cells;
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

/**
 * The request's CSV with the prediction columns appended, in the same row order; with
 * `echo: false` the prediction columns alone. Fields are encoded by @tandem/tabular (as batch
 * scoring writes them), in slices, yielding to the event loop between them.
 */
export async function writeCsvYielding(
  table: CsvTable,
  extraColumns: readonly string[],
  extra: (row: number) => readonly (string | number)[],
  echo: boolean,
): Promise<string> {
  const columns = echo ? table.columns : [];
  const header = [...columns, ...extraColumns];
  const slice = Math.max(1, Math.min(1_000, Math.floor(CELLS_PER_SLICE / header.length)));
  const parts: string[] = [`${header.map(csvField).join(',')}\n`];
  for (let start = 0; start < table.rows.length; start += slice) {
    if (start > 0) await yieldToLoop();
    const end = Math.min(table.rows.length, start + slice);
    const lines: string[] = new Array(end - start);
    for (let i = start; i < end; i++) {
      const row = table.rows[i]!;
      const fields = columns.map((c) => csvField(row[c] ?? ''));
      for (const value of extra(i)) fields.push(csvValue(value));
      lines[i - start] = fields.join(',');
    }
    parts.push(`${lines.join('\n')}\n`);
  }
  return parts.join('');
}
