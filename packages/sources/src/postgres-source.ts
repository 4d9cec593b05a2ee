/// <reference path="./pg-cursor.d.ts" />
import pg from 'pg';
import Cursor from 'pg-cursor';
import {
  booleanCell,
  type Cell,
  floatCell,
  integerCell,
  pgDateCell,
  pgTimestampCell,
} from './cells.ts';
import { SourceError } from './errors.ts';
import { reasonOf } from './reason.ts';
import { RowHasher } from './row-hash.ts';
import type { RawRecord, RecordSource, SourceOptions } from './source.ts';
import { pendingHash } from './source.ts';
import { describeSource } from './spec.ts';

/** Every value arrives as PostgreSQL's text: the cells are made from it here, not by pg. */
const RAW_TEXT: pg.CustomTypesConfig = { getTypeParser: () => (text: string) => text };

const DEFAULT_BATCH = 1000;

/** Built-in type OIDs the mapping names (pg_type.oid). */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
} as const;

type Convert = (text: string) => Cell | undefined;

/**
 * A PostgreSQL query, streamed through a cursor (pg-cursor) `batchSize` rows at a time. The
 * session is set to UTC with ISO dates so timestamps have one text form; each result column's
 * type (its pg_type category) picks how its text becomes a cell (docs/data.md). The hash is of
 * the rows (RowHasher) with the query text.
 */
export async function openPostgresSource(
  spec: { postgres: string; query: string },
  options: SourceOptions = {},
): Promise<RecordSource> {
  const description = `${describeSource(spec)}: ${spec.query}`;
  const connectionString = connectionOf(spec.postgres, options.env ?? process.env);
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const client = new pg.Client({ connectionString });
  const fail = (what: string, error: unknown) =>
    new SourceError('TANDEM_SOURCE_UNAVAILABLE', `${description}: ${what}: ${reasonOf(error)}`, {
      cause: error,
    });
  // A dropped connection must fail the read, not the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw fail('cannot connect', error);
  }
  let cursor: Cursor | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (cursor !== undefined) {
      const open = cursor;
      await new Promise<void>((resolve) => open.close(() => resolve()));
    }
    await client.end().catch(() => {});
  };
  try {
    await client.query("SET TIME ZONE 'UTC'");
    await client.query("SET DateStyle = 'ISO, MDY'");
    cursor = client.query(new Cursor(spec.query, [], { types: RAW_TEXT }));
    const first = await read(cursor, batch).catch((error: unknown) => {
      throw fail('the query failed', error);
    });
    const columns = first.fields.map((field) => field.name);
    const twice = columns.find((name, index) => columns.indexOf(name) !== index);
    if (twice !== undefined) {
      throw new SourceError(
        'TANDEM_SOURCE_UNREADABLE',
        `${description}: the result names the column "${twice}" twice (alias one with AS)`,
      );
    }
    const converters = await convertersOf(connectionString, first.fields, description);
    const hasher = new RowHasher(spec.query, columns);
    let sha256: string | undefined;
    const open = cursor;
    return {
      description,
      format: 'postgres',
      columns,
      async *records() {
        let rows = first.rows;
        try {
          for (;;) {
            for (const row of rows) {
              const record: RawRecord = {};
              for (let i = 0; i < columns.length; i++) {
                const name = columns[i] as string;
                const text = row[name];
                record[name] =
                  text === null || text === undefined
                    ? null
                    : cellOf(converters[i] as Convert, text as string, name, description);
              }
              hasher.add(record);
              yield record;
            }
            if (rows.length < batch) break;
            rows = (
              await read(open, batch).catch((error: unknown) => {
                throw fail('reading the result failed', error);
              })
            ).rows;
          }
          sha256 = hasher.digest();
        } finally {
          await close();
        }
      },
      sha256: () => pendingHash(sha256, description),
      rowCount: () => hasher.rows,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The URL itself, or the one the named environment variable holds. */
function connectionOf(connection: string, env: NodeJS.ProcessEnv): string {
  if (/^postgres(?:ql)?:\/\//.test(connection)) return connection;
  const value = env[connection];
  if (value === undefined || value === '') {
    throw new SourceError(
      'TANDEM_SOURCE_NOT_FOUND',
      `data.postgres names the environment variable ${connection}, which is not set`,
    );
  }
  return value;
}

function read(
  cursor: Cursor,
  rows: number,
): Promise<{ rows: Record<string, unknown>[]; fields: pg.FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(rows, (error, got, result) => {
      if (error) reject(error);
      else resolve({ rows: got, fields: result.fields });
    });
  });
}

function cellOf(convert: Convert, text: string, column: string, description: string): Cell {
  const cell = convert(text);
  if (cell === undefined) {
    throw new SourceError(
      'TANDEM_SOURCE_UNREADABLE',
      `${description}: column "${column}" holds ${JSON.stringify(text)}, which is not a value of its type`,
    );
  }
  return cell;
}

/** The pg_type category of built-in text types; other types are looked up. */
const TEXT_TYPES: ReadonlyMap<number, string> = new Map([
  [18, 'S'], // "char"
  [19, 'S'], // name
  [25, 'S'], // text
  [1042, 'S'], // bpchar
  [1043, 'S'], // varchar
  [2950, 'U'], // uuid: a string
]);

/**
 * One converter per result column, from its type's OID and pg_type category. Types the tables
 * above do not know (enums, domains, extensions) are looked up in pg_type on a connection of
 * their own: the cursor's connection is busy until the cursor ends.
 */
async function convertersOf(
  connectionString: string,
  fields: readonly pg.FieldDef[],
  description: string,
): Promise<Convert[]> {
  const known = (oid: number) => TEXT_TYPES.has(oid) || converterFor(oid, undefined) !== undefined;
  const unknown = [...new Set(fields.map((field) => field.dataTypeID))].filter(
    (oid) => !known(oid),
  );
  const types = new Map<number, { typname: string; typcategory: string }>();
  if (unknown.length > 0) {
    const lookup = new pg.Client({ connectionString });
    lookup.on('error', () => {});
    try {
      await lookup.connect();
      const found = await lookup.query<{ oid: string; typname: string; typcategory: string }>(
        'SELECT oid::text, typname, typcategory FROM pg_type WHERE oid = ANY($1::oid[])',
        [unknown],
      );
      for (const row of found.rows) types.set(Number(row.oid), row);
    } catch (error) {
      throw new SourceError(
        'TANDEM_SOURCE_UNAVAILABLE',
        `${description}: cannot look up the result's column types: ${reasonOf(error)}`,
        { cause: error },
      );
    } finally {
      await lookup.end().catch(() => {});
    }
  }
  return fields.map((field) => {
    const oid = field.dataTypeID;
    const type = types.get(oid);
    const converter = converterFor(
      oid,
      TEXT_TYPES.get(oid) === undefined ? type?.typcategory : 'S',
    );
    if (converter === undefined) {
      throw new SourceError(
        'TANDEM_SOURCE_UNREADABLE',
        `${description}: column "${field.name}" has the type ${type?.typname ?? `oid ${oid}`}, which has no Tandem cell (cast it in the query, e.g. ::text or ::float8)`,
      );
    }
    return converter;
  });
}

function converterFor(oid: number, category: string | undefined): Convert | undefined {
  switch (oid) {
    case OID.bool:
      return (text) =>
        text === 't' ? booleanCell(true) : text === 'f' ? booleanCell(false) : undefined;
    case OID.int2:
    case OID.int4:
    case OID.int8:
    case OID.oid:
      return (text) => (/^-?\d+$/.test(text) ? integerCell(BigInt(text)) : undefined);
    case OID.float4:
    case OID.float8:
      return (text) => {
        const value = Number(text);
        return Number.isNaN(value) && text !== 'NaN' ? undefined : floatCell(value);
      };
    // Its exact text, as a CSV export holds it: the features package parses the number.
    case OID.numeric:
      return (text) => (text === 'NaN' ? null : text);
    case OID.date:
      return pgDateCell;
    case OID.timestamp:
    case OID.timestamptz:
      return pgTimestampCell;
    default:
      // Strings, enums and network addresses are text; anything else (bytes, arrays, JSON,
      // composites, times of day, intervals, money) has no cell.
      return category === 'S' || category === 'E' || category === 'I' ? (text) => text : undefined;
  }
}
