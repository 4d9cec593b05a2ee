import type { SourceFormat } from './spec.ts';

/** One row as a source gives it: cells keyed by column name, as @tandem/tabular's readTable. */
export type RawRecord = Record<string, unknown>;

/**
 * An open source of records: its columns are known, its rows stream once, in source order.
 *
 * @example
 *   const source = await openRecordSource({ postgres: 'CREDIT_DB', query: 'SELECT * FROM credit' });
 *   try { for await (const record of source.records()) use(record); } finally { await source.close(); }
 *   source.sha256(); source.rowCount();
 */
export interface RecordSource {
  /** A path, an s3:// URL or `postgres $NAME: <query>`: what messages name. */
  readonly description: string;
  readonly format: SourceFormat | 'postgres';
  /** Column names in source order (NDJSON: order of first appearance). */
  readonly columns: readonly string[];
  /** The rows, once. */
  records(): AsyncGenerator<RawRecord, void, void>;
  /** The content hash (docs/data.md): a file's bytes, or a query's rows; once records() ended. */
  sha256(): string;
  /** Rows given so far (all of them once records() ended). */
  rowCount(): number;
  /** Ends a cursor, removes a downloaded copy; safe to call more than once. */
  close(): Promise<void>;
}

export interface SourceOptions {
  /** Where a postgres source's variable and the AWS settings are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Rows per database fetch (default 1,000). */
  batchSize?: number;
}

/** A source whose rows are already in memory (a CSV / NDJSON file read whole). */
export function sourceOfRows(
  description: string,
  format: RecordSource['format'],
  columns: readonly string[],
  rows: readonly RawRecord[],
  sha256: string,
): RecordSource {
  let given = 0;
  return {
    description,
    format,
    columns,
    async *records() {
      for (const row of rows) {
        given++;
        yield row;
      }
    },
    sha256: () => sha256,
    rowCount: () => given,
    close: async () => {},
  };
}

/** A hash that exists only once the rows have all been read. */
export function pendingHash(value: string | undefined, description: string): string {
  if (value === undefined) {
    throw new Error(`${description}: the content hash is known once every row has been read`);
  }
  return value;
}
