import { MonitoringError } from '../errors.ts';
import { EncodedLines, eventCount, type LogEntry, type LogSink } from './events.ts';

/** What both logs (this one and MonitoringThread's) are tuned by. */
export interface LogTuning {
  /** Share of requests logged, 0 to 1 (default 1). Sampling is per request, never per row. */
  sampleRate?: number;
  /** Events on their way to the sink; beyond it new events are dropped (default 10,000). */
  capacity?: number;
  /** Events per sink write (default 2,048). */
  batchSize?: number;
  /**
   * How long the first queued event waits for others before a write (default 20 ms, as Kafka's
   * linger.ms): at thousands of 1-row requests per second, one write per request cost more than
   * the events themselves. 0 writes on the next macrotask.
   */
  lingerMs?: number;
  random?: () => number;
  /** Receives sink failures (a logger); the log itself never throws into serving. */
  onError?: (error: unknown) => void;
}

export interface PredictionLogOptions extends LogTuning {
  sink: LogSink;
  /** Called after each sink write settles (written or failed): a worker reports its counts. */
  onWrite?: () => void;
}

/** The tuning with its defaults, checked: a value out of range is TANDEM_LOG_SINK_INVALID. */
export function logTuning(options: LogTuning): Required<LogTuning> {
  const tuning = {
    sampleRate: options.sampleRate ?? 1,
    capacity: options.capacity ?? 10_000,
    batchSize: options.batchSize ?? 2048,
    lingerMs: options.lingerMs ?? 20,
    random: options.random ?? Math.random,
    onError: options.onError ?? (() => {}),
  };
  const { sampleRate, capacity, batchSize, lingerMs } = tuning;
  const problem = !(sampleRate >= 0 && sampleRate <= 1)
    ? `sample rate must be 0 to 1, got ${sampleRate}`
    : !Number.isInteger(capacity) || capacity < 1
      ? `capacity must be a positive integer, got ${capacity}`
      : !Number.isInteger(batchSize) || batchSize < 1
        ? `batch size must be a positive integer, got ${batchSize}`
        : !(lingerMs >= 0 && lingerMs <= 60_000)
          ? `linger must be 0 to 60,000 ms, got ${lingerMs}`
          : undefined;
  if (problem !== undefined) throw new MonitoringError('TANDEM_LOG_SINK_INVALID', problem);
  return tuning;
}

/** Whether a request is logged, at a sample rate: decided once per request. */
export function sampled(tuning: Required<LogTuning>): boolean {
  const { sampleRate } = tuning;
  return sampleRate >= 1 || (sampleRate > 0 && tuning.random() < sampleRate);
}

export interface LogCounts {
  /** Events offered after sampling. Once drained: sent = written + dropped + failed. */
  sent: number;
  written: number;
  dropped: number;
  failed: number;
  /** Events waiting or being written now. */
  pending: number;
}

/**
 * A sampled, bounded, asynchronous log of predictions and feedback. `offer` never waits and never
 * throws: events queue up to `capacity` and a single writer drains them in batches; when the sink
 * is slower than the traffic, new events are dropped and counted instead of growing memory or
 * delaying answers.
 */
export class PredictionLog {
  private readonly sink: LogSink;
  private readonly tuning: Required<LogTuning>;
  private readonly onWrite: () => void;
  private queue: LogEntry[] = [];
  /** Events in the queue (an entry of encoded lines holds many). */
  private queued = 0;
  private writing: Promise<void> | undefined;
  private inFlight = 0;
  private closed = false;
  private readonly totals = { sent: 0, written: 0, dropped: 0, failed: 0 };

  constructor(options: PredictionLogOptions) {
    this.tuning = logTuning(options);
    this.sink = options.sink;
    this.onWrite = options.onWrite ?? (() => {});
  }

  /** Whether this request is logged: decide once, then offer each of its events. */
  sample(): boolean {
    return sampled(this.tuning);
  }

  /**
   * Queues an entry's events, as many as there is room for (the rest are dropped and counted).
   * Returns whether all of them were queued.
   */
  offer(entry: LogEntry): boolean {
    const events = eventCount(entry);
    this.totals.sent += events;
    const room = this.closed ? 0 : this.tuning.capacity - this.queued;
    if (events > room) {
      const kept = entry instanceof EncodedLines ? Math.max(room, 0) : 0;
      this.totals.dropped += events - kept;
      if (kept > 0) {
        const [head, rest] = (entry as EncodedLines).split(kept);
        rest.release();
        this.enqueue(head, kept);
      } else if (entry instanceof EncodedLines) entry.release();
      return false;
    }
    this.enqueue(entry, events);
    return true;
  }

  private enqueue(entry: LogEntry, events: number): void {
    this.queue.push(entry);
    this.queued += events;
    if (this.writing === undefined) this.writing = this.drain();
  }

  counts(): LogCounts {
    return { ...this.totals, pending: this.queued + this.inFlight };
  }

  /** Resolves once every queued event has been written or failed. */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  /** Refuses new events (dropped), writes the queued ones, closes the sink. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.sink.close();
  }

  private async drain(): Promise<void> {
    // A little later: the offers of many requests (or one bulk request) become one batch.
    await new Promise<void>((resolve) => {
      if (this.tuning.lingerMs === 0) setImmediate(resolve);
      else setTimeout(resolve, this.tuning.lingerMs);
    });
    try {
      while (this.queue.length > 0) {
        const { batch, events } = this.takeBatch();
        this.inFlight = events;
        try {
          await this.sink.write(batch);
          this.totals.written += events;
        } catch (error) {
          this.totals.failed += events;
          this.tuning.onError(error);
        } finally {
          this.inFlight = 0;
          if (this.sink.keepsNoBytes === true) {
            for (const entry of batch) if (entry instanceof EncodedLines) entry.release();
          }
        }
        this.onWrite();
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Up to one batch's worth of events from the head of the queue (an entry split if need be). */
  private takeBatch(): { batch: LogEntry[]; events: number } {
    const { batchSize } = this.tuning;
    // The whole queue when it fits one batch (the common case).
    if (this.queued <= batchSize) {
      const batch = this.queue;
      const events = this.queued;
      this.queue = [];
      this.queued = 0;
      return { batch, events };
    }
    const batch: LogEntry[] = [];
    let events = 0;
    while (events < batchSize) {
      const entry = this.queue[0] as LogEntry;
      const count = eventCount(entry);
      if (events + count <= batchSize) {
        batch.push(entry);
        this.queue.shift();
        events += count;
      } else {
        const [head, rest] = (entry as EncodedLines).split(batchSize - events);
        batch.push(head);
        this.queue[0] = rest;
        events = batchSize;
      }
    }
    this.queued -= events;
    return { batch, events };
  }
}
