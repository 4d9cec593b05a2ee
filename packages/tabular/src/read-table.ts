import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CsvRecordParser } from './csv-parser.ts';
import { TabularError } from './errors.ts';
import type { DataFormat } from './format.ts';
import { NdjsonRecordParser } from './ndjson-parser.ts';
import { checkInputFile } from './record-reader.ts';
import { emptyCsvChunk, emptyNdjsonChunk } from './records.ts';

/** A data file read whole: what training needs. */
export interface FileTable {
  /** Column names in file order (NDJSON: order of first appearance). */
  columns: string[];
  /** CSV cells stay strings, an empty cell is null; NDJSON values are as the JSON gives them. */
  rows: Record<string, unknown>[];
  /** sha256 of the file's bytes, hex. */
  sha256: string;
}

/**
 * Streams a CSV or NDJSON file into row objects with the dialect every entry point shares (the
 * same parsers as batch scoring and request bodies), hashing its bytes on the way. A record that
 * cannot be read fails the file, naming its line: training data is all or nothing.
 */
export async function readTable(path: string, format: DataFormat): Promise<FileTable> {
  await checkInputFile(path);
  // Bytes, decoded here: the hash is of the file as stored, whatever its encoding holds.
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  const decoder = new StringDecoder('utf8');
  const hash = createHash('sha256');
  const csv = format === 'csv' ? new CsvRecordParser() : undefined;
  const ndjson = format === 'ndjson' ? new NdjsonRecordParser() : undefined;
  const rows: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const take = (final: boolean): void => {
    if (csv) {
      const chunk = emptyCsvChunk();
      csv.fill(chunk, Number.POSITIVE_INFINITY, final);
      const columns = csv.header() ?? [];
      for (let i = 0; i < chunk.count; i++) {
        const problem = chunk.problems[i];
        if (problem !== undefined) throw badRecord(chunk.lines[i] as number, problem);
        const fields = chunk.fields[i] as string[];
        const row: Record<string, unknown> = {};
        for (let j = 0; j < columns.length; j++) {
          const value = fields[j] as string;
          row[columns[j] as string] = value === '' ? null : value;
        }
        rows.push(row);
      }
    } else if (ndjson) {
      const chunk = emptyNdjsonChunk();
      ndjson.fill(chunk, Number.POSITIVE_INFINITY, final);
      for (let i = 0; i < chunk.count; i++) {
        const problem = chunk.problems[i];
        if (problem !== undefined) throw badRecord(chunk.lines[i] as number, problem);
        const object = chunk.objects[i] as Record<string, unknown>;
        for (const key of Object.keys(object)) seen.add(key);
        rows.push(object);
      }
    }
  };
  try {
    for await (const piece of stream) {
      hash.update(piece as Buffer);
      (csv ?? ndjson)?.push(decoder.write(piece as Buffer));
      take(false);
    }
    (csv ?? ndjson)?.push(decoder.end());
    take(true);
  } catch (error) {
    if (error instanceof TabularError) throw error;
    throw new TabularError('TANDEM_TABLE_UNREADABLE', `cannot read ${path}: ${reasonOf(error)}`, {
      cause: error,
    });
  } finally {
    stream.destroy();
  }
  const columns = csv ? [...(csv.header() ?? [])] : [...seen];
  if (csv && csv.header() === undefined) {
    throw new TabularError('TANDEM_TABLE_INVALID', 'no header row');
  }
  return { columns, rows, sha256: hash.digest('hex') };
}

function badRecord(line: number, problem: string): TabularError {
  return new TabularError('TANDEM_TABLE_INVALID', `line ${line}: ${problem}`);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
