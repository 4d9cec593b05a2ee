import { formatFromExtension } from '@tandem/tabular';
import { SourceError } from './errors.ts';

/** Where rows come from. A plain string in a config is a `file` (a path) or an `s3` URL. */
export type SourceSpec =
  | { file: string }
  | { s3: string }
  | {
      /** A postgres:// URL, or the name of an environment variable that holds one. */
      postgres: string;
      query: string;
    };

/** The formats a file or an S3 object can hold, chosen by the name's extension. */
export type SourceFormat = 'csv' | 'ndjson' | 'parquet';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const POSTGRES_URL = /^postgres(?:ql)?:\/\//;

/**
 * Reads a source spec from a config value: a string (a path, or an s3:// URL) or an object with
 * `file`, `s3`, or `postgres` and `query`. Errors name the field (`field` is its path, "data").
 *
 * @example parseSourceSpec({ postgres: 'CREDIT_DB', query: 'SELECT * FROM credit' }, 'data')
 */
export function parseSourceSpec(value: unknown, field: string): SourceSpec {
  if (typeof value === 'string') {
    if (value.trim() === '') throw invalid(field, 'a path, an s3:// URL or an object', value);
    return value.startsWith('s3://') ? { s3: value } : { file: value };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(field, 'a path, an s3:// URL or an object', value);
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  const text = (key: string): string => {
    const v = object[key];
    if (typeof v !== 'string' || v.trim() === '')
      throw invalid(`${field}.${key}`, 'a non-empty string', v);
    return v;
  };
  const only = (allowed: readonly string[]): void => {
    const extra = keys.find((key) => !allowed.includes(key));
    if (extra !== undefined) {
      throw new SourceError(
        'TANDEM_SOURCE_INVALID',
        `${field}.${extra}: unknown key (a ${allowed[0]} source takes ${allowed.join(', ')})`,
      );
    }
  };
  if ('postgres' in object) {
    only(['postgres', 'query']);
    const postgres = text('postgres');
    if (!POSTGRES_URL.test(postgres) && !ENV_NAME.test(postgres)) {
      throw invalid(
        `${field}.postgres`,
        'a postgres:// URL or the name of an environment variable holding one',
        postgres,
      );
    }
    return { postgres, query: text('query') };
  }
  if ('s3' in object) {
    only(['s3']);
    const url = text('s3');
    if (!url.startsWith('s3://')) throw invalid(`${field}.s3`, 'an s3://bucket/key URL', url);
    return { s3: url };
  }
  if ('file' in object) {
    only(['file']);
    return { file: text('file') };
  }
  throw new SourceError(
    'TANDEM_SOURCE_INVALID',
    `${field}: expected a path, an s3:// URL, or an object with "file", "s3", or "postgres" and "query"` +
      (keys.length > 0 ? `; got the keys ${keys.join(', ')}` : ''),
  );
}

/** The format of a file or object name, or a coded error naming it. */
export function formatOf(name: string): SourceFormat {
  if (/\.parquet$/i.test(name)) return 'parquet';
  const format = formatFromExtension(name);
  if (format === undefined) {
    throw new SourceError(
      'TANDEM_SOURCE_INVALID',
      `${name}: unknown format (expected .csv, .ndjson, .jsonl or .parquet)`,
    );
  }
  return format;
}

/** A source as messages and manifests show it: a path, a URL, never a database password. */
export function describeSource(spec: SourceSpec): string {
  if ('file' in spec) return spec.file;
  if ('s3' in spec) return spec.s3;
  return `postgres ${redactedConnection(spec.postgres)}`;
}

/** The connection without its password: `$NAME` for an environment variable. */
export function redactedConnection(connection: string): string {
  if (!POSTGRES_URL.test(connection)) return `$${connection}`;
  return connection.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/, '$1@');
}

function invalid(field: string, expected: string, got: unknown): SourceError {
  return new SourceError(
    'TANDEM_SOURCE_INVALID',
    `${field}: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`,
  );
}
