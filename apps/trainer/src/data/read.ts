import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RawRow } from '@tandem/features';
import { parse } from 'csv-parse';
import { TrainerError } from '../errors.ts';
import { fileProblem, isSystemError, unreadableReason } from '../io/files.ts';
import { formatFromExtension } from '../io/format.ts';
import { displayPath } from '../io/paths.ts';

/** The rows of a data file as parsed, before any check against a config. */
export interface RawTable {
  /** Column names in file order (NDJSON: order of first appearance). */
  columns: string[];
  /** CSV cells stay strings (the features package parses numbers); an empty cell is null. */
  rows: RawRow[];
  /** sha256 of the file's bytes, hex. */
  sha256: string;
}

/** Streams a CSV or NDJSON file into rows, hashing the bytes on the way. */
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
  const hash = createHash('sha256');
  const stream = createReadStream(file);
  stream.on('data', (chunk) => hash.update(chunk));
  try {
    const table = format === 'csv' ? await readCsv(stream) : await readNdjson(stream);
    return { ...table, sha256: hash.digest('hex') };
  } catch (error) {
    if (error instanceof TrainerError) {
      throw new TrainerError(error.code, `data file ${shown}: ${error.message}`);
    }
    if (isSystemError(error)) {
      throw new TrainerError(
        'TANDEM_DATA_NOT_FOUND',
        `data file ${unreadableReason(error)}: ${shown}`,
        { cause: error },
      );
    }
    throw new TrainerError(
      'TANDEM_DATA_INVALID',
      `data file ${shown}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

async function readCsv(stream: NodeJS.ReadableStream): Promise<Omit<RawTable, 'sha256'>> {
  let columns: string[] = [];
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    columns: (header: string[]) => {
      const twice = header.find((name, index) => header.indexOf(name) !== index);
      if (twice !== undefined) {
        // csv-parse would keep the last column of that name and drop the other silently.
        throw new TrainerError('TANDEM_DATA_INVALID', `the header names column "${twice}" twice`);
      }
      columns = header;
      return header;
    },
    // An empty field is a missing value, whatever the column.
    cast: (value) => (value === '' ? null : value),
  });
  // pipe() does not forward a read error (EISDIR, EIO): without this the parser would wait.
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);
  const rows: RawRow[] = [];
  for await (const record of parser) rows.push(record as RawRow);
  if (columns.length === 0) throw new TrainerError('TANDEM_DATA_INVALID', 'no header row');
  return { columns, rows };
}

async function readNdjson(stream: NodeJS.ReadableStream): Promise<Omit<RawTable, 'sha256'>> {
  const seen = new Set<string>();
  const rows: RawRow[] = [];
  let lineNumber = 0;
  for await (const line of createInterface({
    input: stream,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new TrainerError('TANDEM_DATA_INVALID', `line ${lineNumber}: not valid JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TrainerError('TANDEM_DATA_INVALID', `line ${lineNumber}: expected a JSON object`);
    }
    for (const key of Object.keys(value)) seen.add(key);
    rows.push(value as RawRow);
  }
  return { columns: [...seen], rows };
}
