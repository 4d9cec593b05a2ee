import {
  asyncBufferFromFile,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type SchemaElement,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { booleanCell, type Cell, dateCell, floatCell, instantCell, integerCell } from './cells.ts';
import { SourceError } from './errors.ts';
import { fileSha256 } from './file-hash.ts';
import { reasonOf } from './reason.ts';
import type { RawRecord, RecordSource } from './source.ts';

/** How a column's values become cells, decided once from the file's schema. */
type ColumnKind = 'plain' | 'date';

/**
 * A local Parquet file through hyparquet: the schema gives the columns (flat ones only), rows are
 * decoded one row group at a time (memory holds one group), snappy / zstd / gzip / brotli / lz4
 * pages through hyparquet-compressors. The hash is of the file's bytes.
 */
export async function openParquetFile(path: string, shown = path): Promise<RecordSource> {
  let metadata: FileMetaData;
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SourceError(
      missing ? 'TANDEM_SOURCE_NOT_FOUND' : 'TANDEM_SOURCE_UNREADABLE',
      `${shown}: ${missing ? 'no such file' : `not a readable Parquet file: ${reasonOf(error)}`}`,
      { cause: error },
    );
  }
  const kinds = new Map<string, ColumnKind>();
  for (const child of parquetSchema(metadata).children) {
    kinds.set(child.element.name, columnKind(child.element, child.children.length > 0, shown));
  }
  const columns = [...kinds.keys()];
  const sha256 = await fileSha256(path, shown);
  let given = 0;
  return {
    description: shown,
    format: 'parquet',
    columns,
    async *records() {
      let start = 0;
      for (const group of metadata.row_groups) {
        const end = start + Number(group.num_rows);
        let rows: Record<string, unknown>[];
        try {
          rows = await parquetReadObjects({
            file,
            metadata,
            rowStart: start,
            rowEnd: end,
            compressors,
          });
        } catch (error) {
          throw new SourceError(
            'TANDEM_SOURCE_UNREADABLE',
            `${shown}: rows ${start}-${end - 1} cannot be decoded: ${reasonOf(error)}`,
            { cause: error },
          );
        }
        for (const row of rows) {
          const record: RawRecord = {};
          for (const [column, kind] of kinds) {
            record[column] = parquetCell(row[column], kind, column, shown);
          }
          given++;
          yield record;
        }
        start = end;
      }
    },
    sha256: () => sha256,
    rowCount: () => given,
    close: async () => {},
  };
}

function columnKind(element: SchemaElement, nested: boolean, shown: string): ColumnKind {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  const unsupported = (what: string) =>
    new SourceError(
      'TANDEM_SOURCE_UNREADABLE',
      `${shown}: column "${element.name}" is ${what}, which has no Tandem cell (write it as a number, a string or a timestamp)`,
    );
  if (nested || element.repetition_type === 'REPEATED')
    return fail(unsupported('nested or repeated'));
  if (converted === 'JSON' || converted === 'BSON' || logical === 'JSON' || logical === 'BSON') {
    return fail(unsupported(`${logical ?? converted} data`));
  }
  if (converted === 'INTERVAL' || logical === 'INTERVAL') return fail(unsupported('an interval'));
  if (logical === 'GEOMETRY' || logical === 'GEOGRAPHY' || logical === 'VARIANT') {
    return fail(unsupported(`a ${logical.toLowerCase()}`));
  }
  const textual =
    converted === 'UTF8' ||
    converted === 'ENUM' ||
    logical === 'STRING' ||
    logical === 'ENUM' ||
    logical === 'UUID';
  if (
    element.type === 'FIXED_LEN_BYTE_ARRAY' &&
    !textual &&
    converted !== 'DECIMAL' &&
    logical !== 'DECIMAL' &&
    logical !== 'FLOAT16'
  ) {
    return fail(unsupported('fixed-length bytes'));
  }
  return converted === 'DATE' || logical === 'DATE' ? 'date' : 'plain';
}

function fail(error: SourceError): never {
  throw error;
}

/** One decoded Parquet value as a cell (docs/data.md, "Type mapping"). */
function parquetCell(value: unknown, kind: ColumnKind, column: string, shown: string): Cell {
  if (value === null || value === undefined) return null;
  if (kind === 'date') {
    if (value instanceof Date) return dateCell(value.getTime() / 86_400_000);
    if (typeof value === 'number') return dateCell(value);
  }
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isInteger(value) ? integerCell(value) : floatCell(value);
    case 'bigint':
      return integerCell(value);
    case 'boolean':
      return booleanCell(value);
    default:
      if (value instanceof Date) return instantCell(value);
      throw new SourceError(
        'TANDEM_SOURCE_UNREADABLE',
        `${shown}: column "${column}" holds ${value instanceof Uint8Array ? 'bytes' : 'a structured value'}, which has no Tandem cell`,
      );
  }
}
