import { Worker } from 'node:worker_threads';
import { MonitoringError } from '../errors.ts';
import type { LogEvent } from '../log/events.ts';
import { BatchBuilder, type BatchEntry } from '../log/logged-request.ts';
import { type LogCounts, type LogTuning, logTuning, sampled } from '../log/prediction-log.ts';
import type { SinkSpec } from '../log/sink-spec.ts';
import type {
  DriftReading,
  FromMonitoringWorker,
  MonitoringWorkerSetup,
  ToMonitoringWorker,
  WatchOptions,
  WorkerCounts,
} from './messages.ts';

export interface MonitoringThreadOptions extends LogTuning {
  /** The prediction log's sink; without one the thread counts drift only. */
  sink?: SinkSpec;
  /**
   * Drift rows on their way to the worker or waiting there at most (default 50,000): past it a
   * request's rows are not counted in drift, and are counted dropped.
   */
  driftCapacity?: number;
  /**
   * How long requests gather here before they go to the worker in one message (default 50 ms;
   * a full batch goes at once). A message costs about 100 µs of the serving thread whatever it
   * holds: at 10 ms it was 1.3 µs of every 1-row request at 11,000 req/s, at 50 ms 0.5 µs.
   */
  postMs?: number;
  /** Worker deaths within a minute after which the thread stops restarting it (default 3). */
  maxRestarts?: number;
  /**
   * How long a drift reading waits for the worker (default 5,000 ms): a worker stuck in a
   * blocking write must not hold `/metrics` or the monitoring route.
   */
  readTimeoutMs?: number;
}

/** An answer as the thread takes it: the fields its rows share, the rows, the outputs. */
export type AnsweredRequest = BatchEntry;

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const RESTART_WINDOW_MS = 60_000;
const DEFAULT_DRIFT_CAPACITY = 50_000;
const DEFAULT_READ_TIMEOUT_MS = 5_000;

/**
 * Monitoring's work off the serving thread: the drift windows of every served version and the
 * prediction log, in one worker thread. The serving thread reads each answered request once into
 * the typed columns of a batch (`offerRequest`); every `postMs` the queue goes to the worker in
 * one message, where the rows are counted in the drift windows of the version that answered and
 * the logged ones are rebuilt as events, serialized as NDJSON and written by an in-thread
 * PredictionLog and its sink. Drift is read by message (`drift`): messages keep their order, so
 * a reading counts every request offered before it.
 *
 * The guarantees of PredictionLog hold across the two threads: `offerRequest` never waits or
 * throws; at most `capacity` events are on their way (queued here, in the message, or in the
 * worker), beyond that new ones are dropped and counted; `sent = written + dropped + failed` once
 * drained; close() writes everything queued. Drift rows are bounded alike (`driftCapacity`), so a
 * worker that falls behind costs neither memory nor answers: the rows past it are dropped from
 * the windows and counted. A worker that dies loses the events it held (counted failed) and its
 * windows, and is restarted with every watched profile; after `maxRestarts` deaths within a
 * minute the thread stops, counts new events as failed and reads no drift. Nothing of it reaches
 * the answers.
 */
export class MonitoringThread {
  private readonly setup: Omit<MonitoringWorkerSetup, 'firstSequence'>;
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
  private current: WorkerCounts = NO_COUNTS;
  /** Totals of earlier workers and of this thread's own drops and losses. */
  private readonly settled = { sent: 0, written: 0, dropped: 0, failed: 0 };
  private stopped = false;
  /** The worker died too often: events are counted failed. */
  private gaveUp = false;
  private closing: Promise<void> | undefined;
  private flushSeq = 0;
  private readonly flushes = new Map<number, () => void>();
  private closed: (() => void) | undefined;
  private readonly driftCapacity: number;
  private readonly readTimeoutMs: number;
  /** Drift rows queued here, and posted to the current worker. */
  private driftQueued = 0;
  private driftPosted = 0;
  /** Drift rows never counted: no room on their way to the worker, or lost with a worker. */
  private driftDropped = 0;
  private nextMonitor = 0;
  /** Every watched profile, sent again to a restarted worker. */
  private readonly watched = new Map<number, { profile: Uint8Array; options: WatchOptions }>();
  private readonly readings = new Map<number, (reading: DriftReading | undefined) => void>();

  constructor(options: MonitoringThreadOptions = {}) {
    this.tuning = logTuning(options);
    const postMs = options.postMs ?? 50;
    if (!(postMs >= 0 && postMs <= 60_000)) {
      throw new MonitoringError(
        'TANDEM_LOG_SINK_INVALID',
        `post interval must be 0 to 60,000 ms, got ${postMs}`,
      );
    }
    const driftCapacity = options.driftCapacity ?? DEFAULT_DRIFT_CAPACITY;
    if (!(Number.isInteger(driftCapacity) && driftCapacity >= 0)) {
      throw new MonitoringError(
        'TANDEM_LOG_SINK_INVALID',
        `drift capacity must be a whole number of rows, got ${driftCapacity}`,
      );
    }
    this.driftCapacity = driftCapacity;
    this.readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    const { capacity, batchSize, lingerMs } = this.tuning;
    this.setup = { sink: options.sink, capacity, batchSize, lingerMs };
    this.postMs = postMs;
    this.maxRestarts = options.maxRestarts ?? 3;
    this.start();
  }

  /** Whether the thread has a prediction log. */
  get logs(): boolean {
    return this.setup.sink !== undefined;
  }

  /** Whether this request is logged (never without a log): decide once, then offer its rows. */
  sample(): boolean {
    return this.setup.sink !== undefined && sampled(this.tuning);
  }

  /**
   * Counts requests tagged with the returned monitor against a version's reference profile
   * (profile.json's bytes), in windows of its own in the worker.
   */
  watch(profile: Uint8Array, options: WatchOptions): number {
    const monitor = this.nextMonitor++;
    this.watched.set(monitor, { profile, options });
    this.worker?.postMessage({
      type: 'watch',
      monitor,
      profile,
      options,
    } satisfies ToMonitoringWorker);
    return monitor;
  }

  /** Frees a monitor's windows (its version left the server). */
  unwatch(monitor: number): void {
    if (!this.watched.delete(monitor)) return;
    this.worker?.postMessage({ type: 'unwatch', monitor } satisfies ToMonitoringWorker);
  }

  /**
   * Reads an answered request's rows into the batch and queues them: logged when `logged` (as
   * many as there is room for; the rest are dropped and counted), and all counted in drift by
   * `monitor` (-1: none) when there is room for them all. Returns how many rows were logged.
   */
  offerRequest(request: AnsweredRequest, logged = true, monitor = -1): number {
    const rows = request.rows.length;
    let logRows = 0;
    if (logged && this.setup.sink !== undefined) {
      this.settled.sent += rows;
      logRows = Math.min(rows, this.room());
      if (logRows < rows) this.lose(rows - logRows);
    }
    let driftRows = 0;
    if (monitor >= 0) {
      if (this.driftRoom() >= rows) driftRows = rows;
      else this.driftDropped += rows;
    }
    const copied = Math.max(logRows, driftRows);
    if (copied === 0) return 0;
    this.builder.add(request, copied, logRows, driftRows > 0 ? monitor : -1);
    this.driftQueued += driftRows;
    this.queue(logRows);
    return logRows;
  }

  /**
   * A monitor's windows once every request offered before this call is counted; undefined when
   * the worker cannot say (it died meanwhile, gave up, does not know the monitor, or did not
   * answer within `readTimeoutMs`).
   */
  async drift(monitor: number): Promise<DriftReading | undefined> {
    this.post();
    const worker = this.worker;
    if (worker === undefined || !this.watched.has(monitor)) return undefined;
    const seq = ++this.flushSeq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.readings.delete(seq);
        resolve(undefined);
      }, this.readTimeoutMs);
      timer.unref();
      this.readings.set(seq, (reading) => {
        clearTimeout(timer);
        resolve(reading);
      });
      worker.postMessage({ type: 'drift', seq, monitor } satisfies ToMonitoringWorker);
    });
  }

  /** Drift rows not counted since the thread started. */
  get driftRowsDropped(): number {
    return this.driftDropped;
  }

  /** Queues one whole event (feedback), or drops it when there is no room (or no log). */
  offer(event: LogEvent): boolean {
    if (this.setup.sink === undefined) return false;
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
      worker.postMessage({ type: 'flush', seq } satisfies ToMonitoringWorker);
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
      worker.postMessage({ type: 'close' } satisfies ToMonitoringWorker);
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

  private driftRoom(): number {
    if (this.stopped) return 0;
    const inFlight = this.driftQueued + this.driftPosted - this.current.driftRows;
    return Math.max(this.driftCapacity - inFlight, 0);
  }

  /** Events that never reach a worker: dropped (no room, closed), or failed once it gave up. */
  private lose(events: number): void {
    if (this.gaveUp) this.settled.failed += events;
    else this.settled.dropped += events;
  }

  private queue(events: number): void {
    this.queued += events;
    const { batchSize } = this.setup;
    if (this.queued >= batchSize || this.driftQueued >= batchSize) this.post();
    else this.timer ??= setTimeout(() => this.post(), this.postMs);
  }

  /** Sends what is queued to the worker in one message. */
  private post(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if ((this.queued === 0 && this.driftQueued === 0) || this.worker === undefined) return;
    const { batch, transfer } = this.builder.take();
    const message: ToMonitoringWorker = { type: 'batch', batch, events: this.events };
    this.events = [];
    const events = this.queued;
    const driftRows = this.driftQueued;
    this.posted += events;
    this.driftPosted += driftRows;
    this.queued = 0;
    this.driftQueued = 0;
    try {
      this.worker.postMessage(message, transfer);
    } catch (error) {
      // A message that cannot be cloned (an event holding a function): its rows are lost.
      this.tuning.onError(error);
      this.settled.failed += events;
      this.posted -= events;
      this.driftDropped += driftRows;
      this.driftPosted -= driftRows;
    }
  }

  private start(): void {
    const worker = new Worker(ENTRY, {
      workerData: {
        ...this.setup,
        firstSequence: this.generation * 100_000,
      } satisfies MonitoringWorkerSetup,
      execArgv: [],
    });
    this.generation++;
    this.worker = worker;
    this.posted = 0;
    this.driftPosted = 0;
    this.current = NO_COUNTS;
    for (const [monitor, { profile, options }] of this.watched) {
      worker.postMessage({ type: 'watch', monitor, profile, options } satisfies ToMonitoringWorker);
    }
    // The thread alone never keeps the process alive; close() holds it while it drains.
    worker.unref();
    worker.on('message', (message: FromMonitoringWorker) => this.receive(worker, message));
    worker.on('error', (error) => this.tuning.onError(error));
    worker.on('exit', (code) => this.exited(worker, code));
  }

  private receive(worker: Worker, message: FromMonitoringWorker): void {
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
      case 'drift':
        this.readings.get(message.seq)?.(message.reading);
        this.readings.delete(message.seq);
        break;
      case 'error':
        this.tuning.onError(new Error(`monitoring thread: ${message.message}`));
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
    this.driftDropped += this.driftPosted - c.driftRows;
    this.posted = 0;
    this.driftPosted = 0;
    this.current = NO_COUNTS;
    this.worker = undefined;
    for (const resolve of this.flushes.values()) resolve();
    this.flushes.clear();
    for (const resolve of this.readings.values()) resolve(undefined);
    this.readings.clear();
    if (this.closing !== undefined) {
      this.closed?.();
      return;
    }
    const now = Date.now();
    this.deaths = [...this.deaths.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.deaths.length > this.maxRestarts) {
      this.tuning.onError(
        new Error(
          `monitoring thread: its worker stopped ${this.deaths.length} times within a minute (exit code ${code}); log events are counted failed and drift rows dropped from now on`,
        ),
      );
      this.stopped = true;
      this.gaveUp = true;
      this.settled.failed += this.queued;
      this.queued = 0;
      this.driftDropped += this.driftQueued;
      this.driftQueued = 0;
      this.builder = new BatchBuilder();
      this.events = [];
      return;
    }
    this.tuning.onError(
      new Error(`monitoring thread: its worker stopped (exit code ${code}); restarting it`),
    );
    this.start();
    this.post();
  }
}

const NO_COUNTS: WorkerCounts = Object.freeze({ written: 0, dropped: 0, failed: 0, driftRows: 0 });
