import type { RawRow } from '@tandem/features';
import { type DataFormat, type ParsedTable, parseText, TabularError } from '@tandem/tabular';
import { ServerError } from '../errors.ts';

/**
 * Row formats besides JSON instances: NDJSON (one JSON object per line) and TF Serving's columnar
 * form. Values stay as sent; the model's pipeline validates them.
 */

function invalid(message: string): ServerError {
  return new ServerError('TANDEM_REQUEST_INVALID', message);
}

export function checkRowCount(rows: number, maxRows: number): void {
  if (rows < 1) throw invalid('the request holds no rows');
  if (rows > maxRows) {
    throw new ServerError(
      'TANDEM_REQUEST_TOO_MANY_ROWS',
      `${rows} rows in one request; the limit is ${maxRows}`,
    );
  }
}

/** NDJSON bodies with @tandem/tabular's reader, the one batch scoring and training use. */
export function parseNdjson(text: string, maxRows: number): RawRow[] {
  const { rows } = readBody(text, 'ndjson', maxRows);
  checkRowCount(rows.length, maxRows);
  return rows;
}

/**
 * A CSV or NDJSON body read whole with @tandem/tabular; its errors (a line that cannot be read, a
 * bad header) answer TANDEM_REQUEST_INVALID with the reader's message, which names the line.
 */
export function readBody(text: string, format: DataFormat, maxRows: number): ParsedTable {
  try {
    return parseText(text, format, { maxRecords: maxRows });
  } catch (error) {
    if (!(error instanceof TabularError)) throw error;
    if (error.message.startsWith('more than ')) {
      throw new ServerError(
        'TANDEM_REQUEST_TOO_MANY_ROWS',
        `more than ${maxRows} rows in one request; the limit is ${maxRows}`,
      );
    }
    throw invalid(`${format === 'csv' ? 'CSV' : 'NDJSON'}: ${error.message}`);
  }
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
  checkRowCount(n ?? 0, maxRows);
  const rows: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < (n ?? 0); r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = (inputs[name] as unknown[])[r];
    rows[r] = row;
  }
  return rows;
}
