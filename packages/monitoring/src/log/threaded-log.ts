import { Worker } from 'node:worker_threads';
import { MonitoringError } from '../errors.ts';
import type { LogEvent } from './events.ts';
import { BatchBuilder, type BatchEntry } from './logged-request.ts';
import { type LogCounts, type LogTuning, logTuning, sampled } from './prediction-log.ts';
import type { SinkSpec } from './sink-spec.ts';
import type {
  FromLogWorker,
  LogWorkerSetup,
  ToLogWorker,
  WorkerCounts,
} from './thread-messages.ts';

export interface ThreadedLogOptions extends LogTuning {
  sink: SinkSpec;
  /**
   * How long requests gather here before they go to the worker in one message (default 50 ms;
   * a full batch goes at once). A message costs about 100 µs of the serving thread whatever it
   * holds: at 10 ms it was 1.3 µs of every 1-row request at 11,000 req/s, at 50 ms 0.5 µs.
   */
  postMs?: number;
  /** Worker deaths within a minute after which the log stops restarting it (default 3). */
  maxRestarts?: number;
}

/** What a request's answer adds to the log: the fields its rows share, the rows, the outputs. */
export type AnsweredRequest = BatchEntry;

const ENTRY = new URL('./log-worker-entry.mjs', import.meta.url);
const RESTART_WINDOW_MS = 60_000;

/**
 * The prediction log with its serialization and writing in a worker thread. The serving thread
 * only samples, checks room and queues each answered request as typed columns; every `postMs`
 * the queue goes to the worker in one message, where the events are rebuilt, serialized as
 * NDJSON and written by an in-thread PredictionLog and its sink.
 *
 * The guarantees of PredictionLog hold across the two threads: `offerRequest` never waits or
 * throws; at most `capacity` events are on their way (queued here, in the message, or in the
 * worker), beyond that new ones are dropped and counted; `sent = written + dropped + failed` once
 * drained; close() writes everything queued. A worker that dies loses the events it held
 * (counted failed) and is restarted; after `maxRestarts` deaths within a minute the log stops
 * and counts new events as failed. Nothing of it reaches the answers.
 */
export class ThreadedPredictionLog {
  private readonly setup: Omit<LogWorkerSetup, 'firstSequence'>;
  private readonly tuning: Required<LogTuning>;
  private readonly postMs: number;
  private readonly maxRestarts: number;
  private worker: Worker | undefined;
  private generation = 0;
  private deaths: number[] = [];
  private builder = new BatchBuilder();
  private events: LogEvent[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Events posted to the current worker, and its last reported counts. */
  private posted = 0;
  private current: WorkerCounts = { written: 0, dropped: 0, failed: 0 };
  /** Totals of earlier workers and of this thread's own drops and losses. */
  private readonly settled = { sent: 0, written: 0, dropped: 0, failed: 0 };
  private stopped = false;
  /** The worker died too often: events are counted failed. */
  private gaveUp = false;
  private closing: Promise<void> | undefined;
  private flushSeq = 0;
  private readonly flushes = new Map<number, () => void>();
  private closed: (() => void) | undefined;

  constructor(options: ThreadedLogOptions) {
    this.tuning = logTuning(options);
    const postMs = options.postMs ?? 50;
    if (!(postMs >= 0 && postMs <= 60_000)) {
      throw new MonitoringError(
        'TANDEM_LOG_SINK_INVALID',
        `post interval must be 0 to 60,000 ms, got ${postMs}`,
      );
    }
    const { capacity, batchSize, lingerMs } = this.tuning;
    this.setup = { sink: options.sink, capacity, batchSize, lingerMs };
    this.postMs = postMs;
    this.maxRestarts = options.maxRestarts ?? 3;
    this.start();
  }

  /** Whether this request is logged: decide once, then offer its rows. */
  sample(): boolean {
    return sampled(this.tuning);
  }

  /**
   * Queues an answered request's rows (as many as there is room for; the rest are dropped and
   * counted). Returns how many rows were queued.
   */
  offerRequest(request: AnsweredRequest): number {
    const rows = request.columns.rows;
    this.settled.sent += rows;
    const room = this.room();
    const kept = Math.min(rows, room);
    if (kept < rows) this.lose(rows - kept);
    if (kept === 0) return 0;
    this.builder.add(request, kept);
    this.queue(kept);
    return kept;
  }

  /** Queues one whole event (feedback), or drops it when there is no room. */
  offer(event: LogEvent): boolean {
    this.settled.sent++;
    if (this.room() < 1) {
      this.lose(1);
      return false;
    }
    this.events.push(event);
    this.queue(1);
    return true;
  }

  counts(): LogCounts {
    const { sent, written, dropped, failed } = this.settled;
    const c = this.current;
    return {
      sent,
      written: written + c.written,
      dropped: dropped + c.dropped,
      failed: failed + c.failed,
      pending: this.inFlight(),
    };
  }

  /** Resolves once every event offered so far has been written, dropped or failed. */
  async flush(): Promise<void> {
    this.post();
    const worker = this.worker;
    if (worker === undefined) return;
    const seq = ++this.flushSeq;
    await new Promise<void>((resolve) => {
      this.flushes.set(seq, resolve);
      worker.postMessage({ type: 'flush', seq } satisfies ToLogWorker);
    });
  }

  /** Refuses new events (dropped), writes the queued ones, closes the sink and the worker. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    this.post();
    const worker = this.worker;
    if (worker === undefined) return;
    // Held open until the worker has written everything: the process must not exit first.
    worker.ref();
    await new Promise<void>((resolve) => {
      this.closed = resolve;
      worker.postMessage({ type: 'close' } satisfies ToLogWorker);
    });
  }

  private room(): number {
    if (this.stopped) return 0;
    return Math.max(this.tuning.capacity - this.inFlight(), 0);
  }

  private inFlight(): number {
    const c = this.current;
    return this.queued + this.posted - c.written - c.dropped - c.failed;
  }

  /** Events that never reach a worker: dropped (no room, closed), or failed once it gave up. */
  private lose(events: number): void {
    if (this.gaveUp) this.settled.failed += events;
    else this.settled.dropped += events;
  }

  private queue(events: number): void {
    this.queued += events;
    if (this.queued >= this.setup.batchSize) this.post();
    else this.timer ??= setTimeout(() => this.post(), this.postMs);
  }

  /** Sends what is queued to the worker in one message. */
  private post(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queued === 0 || this.worker === undefined) return;
    const { batch, transfer } = this.builder.take();
    const message: ToLogWorker = { type: 'batch', batch, events: this.events };
    this.events = [];
    const events = this.queued;
    this.posted += events;
    this.queued = 0;
    try {
      this.worker.postMessage(message, transfer);
    } catch (error) {
      // A message that cannot be cloned (an event holding a function): those events are lost.
      this.tuning.onError(error);
      this.settled.failed += events;
      this.posted -= events;
    }
  }

  private start(): void {
    const worker = new Worker(ENTRY, {
      workerData: {
        ...this.setup,
        firstSequence: this.generation * 100_000,
      } satisfies LogWorkerSetup,
      execArgv: [],
    });
    this.generation++;
    this.worker = worker;
    this.posted = 0;
    this.current = { written: 0, dropped: 0, failed: 0 };
    // The log alone never keeps the process alive; close() holds it while it drains.
    worker.unref();
    worker.on('message', (message: FromLogWorker) => this.receive(worker, message));
    worker.on('error', (error) => this.tuning.onError(error));
    worker.on('exit', (code) => this.exited(worker, code));
  }

  private receive(worker: Worker, message: FromLogWorker): void {
    if (worker !== this.worker) return;
    switch (message.type) {
      case 'counts':
        this.current = message.counts;
        break;
      case 'flushed':
        this.current = message.counts;
        this.flushes.get(message.seq)?.();
        this.flushes.delete(message.seq);
        break;
      case 'closed':
        this.current = message.counts;
        this.closed?.();
        break;
      case 'error':
        this.tuning.onError(new Error(`prediction log: ${message.message}`));
        break;
    }
  }

  private exited(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    // What the worker had not yet reported written, dropped or failed is lost with it.
    const c = this.current;
    const lost = this.posted - c.written - c.dropped - c.failed;
    this.settled.written += c.written;
    this.settled.dropped += c.dropped;
    this.settled.failed += c.failed + lost;
    this.posted = 0;
    this.current = { written: 0, dropped: 0, failed: 0 };
    this.worker = undefined;
    for (const resolve of this.flushes.values()) resolve();
    this.flushes.clear();
    if (this.closing !== undefined) {
      this.closed?.();
      return;
    }
    const now = Date.now();
    this.deaths = [...this.deaths.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.deaths.length > this.maxRestarts) {
      this.tuning.onError(
        new Error(
          `prediction log: its worker stopped ${this.deaths.length} times within a minute (exit code ${code}); events are counted failed from now on`,
        ),
      );
      this.stopped = true;
      this.gaveUp = true;
      this.settled.failed += this.queued;
      this.queued = 0;
      this.builder = new BatchBuilder();
      this.events = [];
      return;
    }
    this.tuning.onError(
      new Error(`prediction log: its worker stopped (exit code ${code}); restarting it`),
    );
    this.start();
    if (this.queued > 0) this.post();
  }
}
