import type { RawRow } from '@tandem/features';
import type { ReferenceProfile } from '../profile/types.ts';
import { columnScratch, type RowColumns, readRowColumns } from '../row-columns.ts';
import {
  DEFAULT_DRIFT_SETTINGS,
  DEFAULT_ROW_WINDOW,
  DEFAULT_TIME_SLICES,
  DEFAULT_TIME_WINDOW_MS,
  type DriftSettings,
} from './defaults.ts';
import { CountLayout } from './layout.ts';
import { driftReport, type WindowDrift } from './report.ts';
import { RowWindow } from './row-window.ts';
import { TimeWindow } from './time-window.ts';

export interface DriftMonitorOptions {
  /** The last N rows (default 5,000). */
  rowWindow?: number;
  /** The rows of the last T milliseconds (default one hour), counted in `timeSlices` slices. */
  timeWindowMs?: number;
  timeSlices?: number;
  settings?: Partial<DriftSettings>;
  now?: () => number;
  /** Told when rows queued by observeSoon() could not be counted (they are dropped). */
  onError?: (error: unknown) => void;
}

/** observeSoon() counts at once past this many queued rows, so the queue stays bounded. */
const MAX_QUEUED_ROWS = 4_096;

export interface DriftSnapshot {
  rowWindow: WindowDrift & { size: number };
  timeWindow: WindowDrift & { durationMs: number };
}

/**
 * Live drift of one model version against its reference profile, in memory bounded by the
 * window sizes: each row is read once into one slot per column and counted in both windows.
 *
 * @example
 *   const monitor = new DriftMonitor(profile, { rowWindow: 5000 });
 *   monitor.observe(rows, batch.outputs);
 *   monitor.snapshot().rowWindow.columns.filter((c) => c.verdict === 'drift');
 */
export class DriftMonitor {
  readonly profile: ReferenceProfile;
  readonly settings: DriftSettings;
  readonly layout: CountLayout;
  private readonly rows: RowWindow;
  private readonly time: TimeWindow;
  /** Scratch for one request's encoded rows (rows × columns), grown to the largest request. */
  private slots: Int32Array;
  private values: Float64Array;
  private seen = 0;
  // Rows of observeSoon() not counted yet, with their outputs (one array per call).
  private queuedRows: RawRow[] = [];
  private queuedOutputs: ArrayLike<number>[] = [];
  private queuedCells = 0;
  private flushScheduled = false;
  private queueShape: readonly string[] | undefined;
  private readonly queueScratch = columnScratch();
  private queueOutputs = new Float32Array(0);
  private readonly onError: (error: unknown) => void;

  constructor(profile: ReferenceProfile, options: DriftMonitorOptions = {}) {
    this.profile = profile;
    this.settings = {
      ...DEFAULT_DRIFT_SETTINGS,
      ...options.settings,
      thresholds: { ...DEFAULT_DRIFT_SETTINGS.thresholds, ...options.settings?.thresholds },
    };
    this.layout = new CountLayout(profile);
    this.rows = new RowWindow(this.layout, options.rowWindow ?? DEFAULT_ROW_WINDOW);
    this.time = new TimeWindow(
      this.layout,
      options.timeWindowMs ?? DEFAULT_TIME_WINDOW_MS,
      options.timeSlices ?? DEFAULT_TIME_SLICES,
      options.now,
    );
    this.slots = new Int32Array(this.layout.columns.length);
    this.values = new Float64Array(this.layout.columns.length);
    this.onError = options.onError ?? (() => {});
  }

  /** Counts rows and the model's outputs for them (rows × classes, or rows × 1). */
  observe(rows: readonly RawRow[], outputs: ArrayLike<number>): void {
    this.observeColumns(readRowColumns(rows), rows, outputs);
  }

  /**
   * The same for rows already read into columns (the server reads each request once, for these
   * windows and the log); `rows` are the same rows, read only for irregular ones.
   */
  observeColumns(columns: RowColumns, rows: readonly RawRow[], outputs: ArrayLike<number>): void {
    this.flush();
    this.count(columns, rows, outputs);
  }

  /**
   * Counts the rows at the end of this event-loop turn, in one pass with every other request's
   * queued by then: the server answers many 1-row requests per turn, and one pass over 16 rows
   * costs about half as much per row as 16 passes of one. The rows and outputs are kept, not
   * copied, until then; every read of the windows counts what is queued first. They land in the
   * time slice of the moment they are counted (under a millisecond later in a server).
   */
  observeSoon(rows: readonly RawRow[], outputs: ArrayLike<number>): void {
    for (const row of rows) this.queuedRows.push(row);
    this.queuedOutputs.push(outputs);
    this.queuedCells += outputs.length;
    if (this.queuedRows.length >= MAX_QUEUED_ROWS) {
      this.flushSafely();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flushSafely();
      });
    }
  }

  /** Rows observeSoon() queued and not yet counted. */
  get rowsQueued(): number {
    return this.queuedRows.length;
  }

  /** Counts the rows observeSoon() queued. */
  flush(): void {
    const rows = this.queuedRows;
    if (rows.length === 0) return;
    if (this.queueOutputs.length < this.queuedCells) {
      this.queueOutputs = new Float32Array(
        Math.max(this.queuedCells, this.queueOutputs.length * 2),
      );
    }
    const outputs = this.queueOutputs;
    let at = 0;
    for (const part of this.queuedOutputs) {
      for (let i = 0; i < part.length; i++) outputs[at + i] = part[i] as number;
      at += part.length;
    }
    // Emptied first: rows that fail to count are dropped, never counted twice.
    this.queuedRows = [];
    this.queuedOutputs.length = 0;
    this.queuedCells = 0;
    const columns = readRowColumns(rows, this.queueShape, this.queueScratch);
    this.queueShape = columns.names;
    this.count(columns, rows, outputs.subarray(0, at));
  }

  private flushSafely(): void {
    try {
      this.flush();
    } catch (error) {
      this.onError(error);
    }
  }

  private count(columns: RowColumns, rows: readonly RawRow[], outputs: ArrayLike<number>): void {
    const n = columns.rows;
    const stride = this.layout.columns.length;
    if (this.slots.length < n * stride) {
      this.slots = new Int32Array(n * stride);
      this.values = new Float64Array(n * stride);
    }
    this.layout.encodeRequest(columns, rows, outputs, this.slots, this.values);
    // One clock reading per request: its rows all land in the same time slice.
    this.rows.addRows(this.slots, this.values, n);
    this.time.addRows(this.slots, this.values, n, this.time.sliceOf());
    this.seen += n;
  }

  /** Rows observed since the monitor was created. */
  get rowsSeen(): number {
    this.flush();
    return this.seen;
  }

  snapshot(): DriftSnapshot {
    this.flush();
    return {
      rowWindow: {
        ...driftReport(this.layout, this.rows.counts(), this.settings),
        size: this.rows.capacity,
      },
      timeWindow: {
        ...driftReport(this.layout, this.time.counts(), this.settings),
        durationMs: this.time.durationMs,
      },
    };
  }
}

/**
 * The drift of a whole set of rows (a file) against a profile: the same cells and verdicts as
 * the live windows, with every row in one window.
 */
export function compareRows(
  profile: ReferenceProfile,
  rows: readonly RawRow[],
  outputs: ArrayLike<number>,
  settings: Partial<DriftSettings> = {},
): WindowDrift {
  const monitor = new DriftMonitor(profile, {
    rowWindow: Math.max(rows.length, 1),
    timeWindowMs: Number.MAX_SAFE_INTEGER,
    timeSlices: 1,
    settings,
    now: () => 0,
  });
  monitor.observe(rows, outputs);
  return monitor.snapshot().rowWindow;
}
