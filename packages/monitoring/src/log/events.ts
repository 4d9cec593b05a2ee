import type { RawRow } from '@tandem/features';

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
 * An event already written as its JSON line, UTF-8 with its newline (the log's worker thread
 * writes prediction events straight from a request's columns into one buffer; this says where
 * in it: no typed-array view per line): sinks write the bytes as they are; JSON.stringify gives back the event's value.
 */
export class EncodedEvent {
  /** The buffer the line is in, and where: [start, end), its newline last. */
  readonly buffer: Buffer;
  readonly start: number;
  readonly end: number;
  constructor(buffer: Buffer, start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.start = start;
    this.end = end;
  }
  /** The line's text, without its newline. */
  get line(): string {
    return this.buffer.toString('utf8', this.start, this.end - 1);
  }
  toJSON(): LogEvent {
    return JSON.parse(this.line) as LogEvent;
  }
}

/** Where the log's events go: a folder of NDJSON segments, a PostgreSQL table, a test double. */
export interface LogSink {
  /** Writes a batch; a rejection counts the batch as failed (never retried: the log is sampled). */
  write(events: readonly (LogEvent | EncodedEvent)[]): Promise<void>;
  close(): Promise<void>;
}
