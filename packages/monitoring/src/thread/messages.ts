import type { DriftMonitorOptions, DriftSnapshot } from '../drift/monitor.ts';
import type { LogEvent } from '../log/events.ts';
import type { LoggedBatch } from '../log/logged-request.ts';
import type { SinkSpec } from '../log/sink-spec.ts';

/** What the monitoring thread's worker is started with. */
export interface MonitoringWorkerSetup {
  /** The prediction log's sink; undefined: no log, drift only. */
  sink: SinkSpec | undefined;
  capacity: number;
  batchSize: number;
  lingerMs: number;
  /** Segment sequence numbers of this worker start here (a restarted worker names apart). */
  firstSequence: number;
}

/** The options a watched version's drift monitor is built with (clonable: no functions). */
export type WatchOptions = Pick<DriftMonitorOptions, 'rowWindow' | 'timeWindowMs' | 'settings'>;

/** Serving thread → worker. */
export type ToMonitoringWorker =
  | {
      type: 'batch';
      batch: LoggedBatch;
      /** Events built whole on the serving thread (feedback: rare and small). */
      events: LogEvent[];
    }
  | { type: 'flush'; seq: number }
  | { type: 'close' }
  /** Count requests tagged `monitor` against this profile (profile.json's bytes). */
  | { type: 'watch'; monitor: number; profile: Uint8Array; options: WatchOptions }
  | { type: 'unwatch'; monitor: number }
  /** The windows of one monitor, once every batch posted before it is counted. */
  | { type: 'drift'; seq: number; monitor: number };

/** The worker's totals since it started: every event it received is in one of them or pending. */
export interface WorkerCounts {
  written: number;
  dropped: number;
  failed: number;
  /** Rows counted in drift windows (or given up: a monitor unwatched or failing). */
  driftRows: number;
}

/** One monitor's windows as the worker read them. */
export interface DriftReading extends DriftSnapshot {
  /** Rows counted since the monitor was watched (by this worker). */
  rowsSeen: number;
}

/** Worker → serving thread. */
export type FromMonitoringWorker =
  | { type: 'counts'; counts: WorkerCounts }
  | { type: 'flushed'; seq: number; counts: WorkerCounts }
  | { type: 'closed'; counts: WorkerCounts }
  | { type: 'error'; message: string }
  | { type: 'drift'; seq: number; reading: DriftReading | undefined };
