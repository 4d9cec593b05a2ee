import { UsageError } from '@tandem/cli';
import { redactedConnection } from '@tandem/sources';

/** A PostgreSQL table to append scored rows to. */
export interface PostgresTable {
  /** The connection URL (secret: never printed; see `description`). */
  connectionString: string;
  /** `[schema.]table`, each part a plain identifier. */
  table: string;
  /** For messages: the table and the connection without its password. */
  description: string;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export function isPostgresUrl(value: string): boolean {
  return POSTGRES_URL.test(value);
}

/**
 * The table an output names, in the shape of the trainer's `"data": {"postgres": …}`: either
 * `--output postgres://…?table=<table>` (the table parameter is taken out of the URL), or
 * `--output-table <table>` with `--output-postgres <a postgres:// URL, or the name of an
 * environment variable holding one>` (so a password stays out of the command line).
 */
export function postgresTable(
  options: { output?: string; table?: string; connection?: string },
  env: NodeJS.ProcessEnv,
): PostgresTable {
  let connection = options.connection;
  let table = options.table;
  if (options.output !== undefined && isPostgresUrl(options.output)) {
    const url = new URL(options.output);
    const named = url.searchParams.get('table');
    url.searchParams.delete('table');
    if (named !== null) table ??= named;
    connection ??= url.toString();
  }
  if (table === undefined || table === '') {
    throw new UsageError('a PostgreSQL output needs a table: ?table=<table> or --output-table');
  }
  if (!TABLE.test(table)) {
    throw new UsageError(
      `--output-table must be <table> or <schema>.<table> (letters, digits, _), got ${JSON.stringify(table)}`,
    );
  }
  if (connection === undefined || connection === '') {
    throw new UsageError(
      '--output-table needs --output-postgres: a postgres:// URL or the name of an environment variable holding one',
    );
  }
  return {
    connectionString: resolveConnection(connection, env),
    table,
    description: `table ${table} at ${redactedConnection(connection)}`,
  };
}

function resolveConnection(connection: string, env: NodeJS.ProcessEnv): string {
  if (isPostgresUrl(connection)) return connection;
  if (!ENV_NAME.test(connection)) {
    throw new UsageError(
      `--output-postgres must be a postgres:// URL or the name of an environment variable, got ${JSON.stringify(connection)}`,
    );
  }
  const value = env[connection];
  if (value === undefined || value === '') {
    throw new UsageError(`--output-postgres ${connection}: the environment variable is not set`);
  }
  if (!isPostgresUrl(value)) {
    throw new UsageError(
      `--output-postgres ${connection}: the variable does not hold a postgres:// URL`,
    );
  }
  return value;
}

/** A quoted identifier: `"Income"`, `"a""b"`; `schema.table` quotes each part. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteTable(table: string): string {
  return table.split('.').map(quoteIdentifier).join('.');
}
