import type { RawRow } from '@tandem/features';
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
    if (rows.length > maxRows) checkRowCount(rows.length, maxRows);
  }
  checkRowCount(rows.length, maxRows);
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
  checkRowCount(n ?? 0, maxRows);
  const rows: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < (n ?? 0); r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = (inputs[name] as unknown[])[r];
    rows[r] = row;
  }
  return rows;
}
