import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ScorerError } from '../errors.ts';
import type { OutputTarget } from '../output-target.ts';
import { OutputRows } from './output-rows.ts';
import { type PostgresTable, quoteIdentifier, quoteTable } from './postgres-target.ts';

type CopyStream = ReturnType<typeof copyFrom>;

/**
 * Scoring output appended to a PostgreSQL table with COPY, in one transaction: the table gets
 * every row of the run or none (a failure, or an interrupted run, rolls back). The CSV output
 * text the pipeline writes goes to `COPY … FROM STDIN (FORMAT csv)` as it is, so the table holds
 * the CSV output's values; every empty field is NULL (FORCE_NULL). A missing table is created
 * (input and text columns `text`, numeric ones `double precision`) under an advisory lock, so
 * shards starting together do not race; an existing one must have the output's columns (it may
 * have more, with defaults).
 */
export class PostgresOutput implements OutputTarget {
  readonly path: string;
  private readonly target: PostgresTable;
  private readonly rows: OutputRows;
  private client: pg.Client | undefined;
  private copy: CopyStream | undefined;
  private failure: unknown;
  private finished = false;

  constructor(target: PostgresTable, numeric: ReadonlySet<string>) {
    this.target = target;
    this.path = target.description;
    this.rows = new OutputRows(numeric);
  }

  async write(text: string | Uint8Array): Promise<void> {
    if (this.failure !== undefined) throw this.error('cannot copy the rows', this.failure);
    // The pipeline writes the header line alone, first: it names the columns.
    if (this.copy === undefined) {
      this.rows.push(text);
      this.copy = await this.begin();
      return;
    }
    if (!this.copy.write(text)) await this.drained(this.copy);
  }

  async commit(): Promise<void> {
    if (this.copy === undefined) {
      this.rows.push('', true);
      this.copy = await this.begin();
    }
    const copy = this.copy;
    try {
      if (this.failure !== undefined) throw this.failure;
      copy.end();
      await finished(copy);
      if (this.failure !== undefined) throw this.failure;
      await this.query('COMMIT');
      this.finished = true;
    } catch (error) {
      await this.abort();
      throw this.error('cannot copy the rows', error);
    }
    await this.close();
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.copy?.destroy(new Error('the scoring run failed'));
    try {
      await this.client?.query('ROLLBACK');
    } catch {
      // A COPY the server already failed leaves the transaction aborted: ROLLBACK may fail too.
    }
    await this.close();
  }

  private async begin(): Promise<CopyStream> {
    const client = new pg.Client({ connectionString: this.target.connectionString });
    // A dropped connection fails the run through the COPY stream, never the process.
    client.on('error', (error) => {
      this.failure ??= error;
    });
    try {
      await client.connect();
    } catch (error) {
      throw this.error('cannot connect', error);
    }
    this.client = client;
    const names = this.rows.columns() ?? [];
    const columns = names.map(quoteIdentifier).join(', ');
    const table = quoteTable(this.target.table);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.target.table]);
      const types = names.map(
        (name, j) =>
          `${quoteIdentifier(name)} ${this.rows.isNumeric(j) ? 'double precision' : 'text'}`,
      );
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (${types.join(', ')})`);
      const copy = client.query(
        copyFrom(
          `COPY ${table} (${columns}) FROM STDIN WITH (FORMAT csv, FORCE_NULL (${columns}))`,
        ),
      );
      copy.on('error', (error) => {
        this.failure ??= error;
      });
      return copy;
    } catch (error) {
      await this.abort();
      throw this.error('cannot start the copy', error);
    }
  }

  private async drained(copy: CopyStream): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        copy.off('drain', done);
        copy.off('error', done);
        copy.off('close', done);
        resolve();
      };
      copy.on('drain', done);
      copy.on('error', done);
      copy.on('close', done);
    });
    if (this.failure !== undefined) throw this.error('cannot copy the rows', this.failure);
  }

  private async query(text: string): Promise<void> {
    await this.client?.query(text);
  }

  private async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private error(what: string, cause: unknown): ScorerError {
    if (cause instanceof ScorerError) return cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ScorerError(
      'TANDEM_SCORE_TABLE_FAILED',
      `${this.target.description}: ${what}: ${reason}; no row was written (the transaction is rolled back)`,
      { cause },
    );
  }
}
