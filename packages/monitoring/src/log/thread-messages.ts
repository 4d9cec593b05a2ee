import type { LogEvent } from './events.ts';
import type { LoggedBatch } from './logged-request.ts';
import type { SinkSpec } from './sink-spec.ts';

/** What the log's worker thread is started with. */
export interface LogWorkerSetup {
  sink: SinkSpec;
  capacity: number;
  batchSize: number;
  lingerMs: number;
  /** Segment sequence numbers of this worker start here (a restarted worker names apart). */
  firstSequence: number;
}

/** Serving thread → worker. */
export type ToLogWorker =
  | {
      type: 'batch';
      batch: LoggedBatch;
      /** Events built whole on the serving thread (feedback: rare and small). */
      events: LogEvent[];
    }
  | { type: 'flush'; seq: number }
  | { type: 'close' };

/** The worker's totals since it started: every event it received is in one of them or pending. */
export interface WorkerCounts {
  written: number;
  dropped: number;
  failed: number;
}

/** Worker → serving thread. */
export type FromLogWorker =
  | { type: 'counts'; counts: WorkerCounts }
  | { type: 'flushed'; seq: number; counts: WorkerCounts }
  | { type: 'closed'; counts: WorkerCounts }
  | { type: 'error'; message: string };
