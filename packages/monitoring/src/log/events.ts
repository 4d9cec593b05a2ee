import type { RawRow } from '@tandem/features';
import type { PooledBytes } from './buffer-pool.ts';

/** What the model answered for one row, as the native API writes it. */
export type LoggedOutput =
  | { label: string; probabilities: Record<string, number> }
  | { value: number };

/** One predicted row: a bulk request of N rows is N events sharing `id`, told apart by `row`. */
export interface PredictionEvent {
  type: 'prediction';
  /** The answer's id (the caller's x-request-id or V2 id when given). */
  id: string;
  row: number;
  /** ISO-8601 time of the answer. */
  time: string;
  model: string;
  version: number;
  /** The label that chose the version (production, a route's /labels/:label), or null. */
  label: string | null;
  /** The protocol route that answered ('native', 'v2', 'tfserving', …). */
  route: string;
  input: RawRow;
  output: LoggedOutput;
}

/** Ground truth for one predicted row, received later. */
export interface FeedbackEvent {
  type: 'feedback';
  id: string;
  row: number;
  time: string;
  model: string;
  version: number;
  truth: string | number;
}

export type LogEvent = PredictionEvent | FeedbackEvent;

/**
 * Events already written as JSON lines, UTF-8, each with its newline, one after the other in one
 * buffer (the log's worker thread writes a whole batch's prediction events straight from the
 * columns into one buffer): the log queues and counts them as `count` events in one entry, and
 * sinks write the bytes as they are. JSON strings never hold a raw newline, so the lines are
 * told apart by theirs.
 */
export class EncodedLines {
  /** The buffer the lines are in; `ends` holds where each line ends, after its newline. */
  readonly buffer: Buffer;
  readonly start: number;
  readonly ends: Int32Array;
  /** The pooled buffer behind `buffer`, when there is one (see release). */
  private readonly pooled: PooledBytes | undefined;
  constructor(buffer: Buffer, start: number, ends: Int32Array, pooled?: PooledBytes) {
    this.buffer = buffer;
    this.start = start;
    this.ends = ends;
    this.pooled = pooled;
  }
  /** Events held. */
  get count(): number {
    return this.ends.length;
  }
  /** Where the last line ends. */
  get end(): number {
    return this.count === 0 ? this.start : (this.ends[this.count - 1] as number);
  }
  /** The first `count` lines, and the others: the same bytes, no copy. */
  split(count: number): [EncodedLines, EncodedLines] {
    const at = count === 0 ? this.start : (this.ends[count - 1] as number);
    this.pooled?.split();
    return [
      new EncodedLines(this.buffer, this.start, this.ends.subarray(0, count), this.pooled),
      new EncodedLines(this.buffer, at, this.ends.subarray(count), this.pooled),
    ];
  }
  /**
   * Done with these lines (written by a sink that keeps no bytes, failed, or dropped): once every
   * part of a pooled buffer is, the buffer goes back to its pool. Nothing may read them after.
   */
  release(): void {
    this.pooled?.release();
  }
  /** The lines' text, without their newlines. */
  lines(): string[] {
    const lines: string[] = new Array(this.count);
    let from = this.start;
    for (let i = 0; i < this.count; i++) {
      const to = this.ends[i] as number;
      lines[i] = this.buffer.toString('utf8', from, to - 1);
      from = to;
    }
    return lines;
  }
  toJSON(): LogEvent[] {
    return this.lines().map((line) => JSON.parse(line) as LogEvent);
  }
}

/** What a log queues: one event, or a run of encoded ones. */
export type LogEntry = LogEvent | EncodedLines;

/** How many events an entry holds. */
export function eventCount(entry: LogEntry): number {
  return entry instanceof EncodedLines ? entry.count : 1;
}

/** Where the log's events go: a folder of NDJSON segments, a PostgreSQL table, a test double. */
export interface LogSink {
  /**
   * Writes a batch (its entries hold events one by one or in runs of encoded lines); a rejection
   * counts the batch as failed (never retried: the log is sampled).
   */
  write(events: readonly LogEntry[]): Promise<void>;
  close(): Promise<void>;
  /**
   * True when the sink holds no reference to an entry's bytes once `write` settles: the log may
   * then reuse the buffers of encoded lines (see BufferPool).
   */
  readonly keepsNoBytes?: boolean;
}
