import { CsvRecordParser } from './csv-parser.ts';
import { TabularError } from './errors.ts';
import type { DataFormat } from './format.ts';
import { NdjsonRecordParser } from './ndjson-parser.ts';
import { emptyCsvChunk, emptyNdjsonChunk } from './records.ts';

/** A whole text read as a table: column names and one object per record. */
export interface ParsedTable {
  /** CSV: the header in file order; NDJSON: keys in order of first appearance. */
  columns: string[];
  /** CSV values are strings ("" is a missing value); NDJSON values are as the JSON gives them. */
  rows: Record<string, unknown>[];
  /** 1-based physical line on which each row starts (a CSV header is line 1). */
  lines: number[];
}

export interface ParseTextOptions {
  /** More records than this is an error before any row object is built. */
  maxRecords?: number;
}

/**
 * Reads a complete CSV or NDJSON text (a request body) with the same parsers and header rule as
 * files are read with. A record that cannot be read (bad quoting, wrong field count, a line that
 * is not a JSON object) fails the whole text, naming its line: a request is all or nothing.
 * Row objects have no prototype, so a column named `__proto__` or `constructor` is plain data.
 *
 * @example parseText('a,b\n1,2\n', 'csv').rows  // [{ a: '1', b: '2' }]
 */
export function parseText(
  text: string,
  format: DataFormat,
  options: ParseTextOptions = {},
): ParsedTable {
  const limit = options.maxRecords ?? Number.POSITIVE_INFINITY;
  if (format === 'csv') {
    const parser = new CsvRecordParser();
    const chunk = readAll(parser, emptyCsvChunk, text, limit);
    const columns = [...(parser.header() ?? [])];
    failOnProblem(chunk.problems, chunk.lines);
    const rows = chunk.fields.map((fields) => {
      const row = Object.create(null) as Record<string, unknown>;
      for (let j = 0; j < columns.length; j++) row[columns[j] as string] = (fields as string[])[j];
      return row;
    });
    return { columns, rows, lines: chunk.lines };
  }
  const chunk = readAll(new NdjsonRecordParser(), emptyNdjsonChunk, text, limit);
  failOnProblem(chunk.problems, chunk.lines);
  const seen = new Set<string>();
  const rows = chunk.objects.map((object) => {
    const row = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(object as object)) {
      seen.add(key);
      row[key] = (object as Record<string, unknown>)[key];
    }
    return row;
  });
  return { columns: [...seen], rows, lines: chunk.lines };
}

function failOnProblem(problems: readonly (string | undefined)[], lines: readonly number[]): void {
  const index = problems.findIndex((problem) => problem !== undefined);
  if (index >= 0) {
    throw new TabularError('TANDEM_TABLE_INVALID', `line ${lines[index]}: ${problems[index]}`);
  }
}

interface ChunkFiller<C> {
  push(piece: string): void;
  fill(chunk: C, limit: number, final: boolean): boolean;
}

/** Every record of `text` in one chunk; a record past `limit` is an error. */
function readAll<C extends { count: number }>(
  parser: ChunkFiller<C>,
  emptyChunk: () => C,
  text: string,
  limit: number,
): C {
  const chunk = emptyChunk();
  parser.push(text);
  const full = parser.fill(chunk, limit, true);
  if (full && chunk.count === limit && parser.fill(emptyChunk(), 1, true)) throw tooMany(limit);
  return chunk;
}

function tooMany(limit: number): TabularError {
  return new TabularError('TANDEM_TABLE_INVALID', `more than ${limit} records`);
}
