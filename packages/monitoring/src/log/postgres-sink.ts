import pg from 'pg';
import { MonitoringError } from '../errors.ts';
import { EncodedLines, type LogEntry, type LogEvent, type LogSink } from './events.ts';

export interface PostgresSinkOptions {
  /** A postgres:// connection string. */
  url: string;
  /** Table name (created when absent). Default tandem_prediction_log. */
  table?: string;
  /** Pool size (default 2: the log is one writer). */
  connections?: number;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The deployment sink: one row per event in a PostgreSQL table, the event as jsonb with its keys
 * (type, id, row, model, version, time) in columns for queries and joins. A batch is one
 * INSERT … SELECT over jsonb_array_elements: one round trip per batch, whatever its size.
 */
export class PostgresSink implements LogSink {
  readonly table: string;
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;

  constructor(options: PostgresSinkOptions) {
    const table = options.table ?? 'tandem_prediction_log';
    if (!TABLE_NAME.test(table)) {
      throw new MonitoringError(
        'TANDEM_LOG_SINK_INVALID',
        `table name ${JSON.stringify(table)} must match ${TABLE_NAME}`,
      );
    }
    this.table = table;
    this.pool = new pg.Pool({ connectionString: options.url, max: options.connections ?? 2 });
    // An idle connection that breaks must not become an unhandled 'error' event (a crash).
    this.pool.on('error', () => {});
  }

  async write(events: readonly LogEntry[]): Promise<void> {
    this.ready ??= this.createTable().catch((error) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    await this.pool.query(
      `INSERT INTO ${this.table} (event_type, prediction_id, row_index, model, version, event_time, event)
       SELECT e->>'type', e->>'id', (e->>'row')::int, e->>'model', (e->>'version')::int,
              (e->>'time')::timestamptz, e
       FROM jsonb_array_elements($1::jsonb) AS e`,
      [
        `[${events.flatMap((e) => (e instanceof EncodedLines ? e.lines() : [JSON.stringify(e)])).join(',')}]`,
      ],
    );
  }

  /** Every event of a model, oldest first (tests, retraining from the table). */
  async read(model: string): Promise<LogEvent[]> {
    const result = await this.pool.query<{ event: LogEvent }>(
      `SELECT event FROM ${this.table} WHERE model = $1 ORDER BY seq`,
      [model],
    );
    return result.rows.map((r) => r.event);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async createTable(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
         seq bigserial PRIMARY KEY,
         event_type text NOT NULL,
         prediction_id text NOT NULL,
         row_index integer NOT NULL,
         model text NOT NULL,
         version integer NOT NULL,
         event_time timestamptz NOT NULL,
         event jsonb NOT NULL
       )`,
    );
    await this.pool.query(
      `CREATE INDEX IF NOT EXISTS ${this.table}_prediction ON ${this.table} (model, prediction_id, row_index)`,
    );
  }
}
