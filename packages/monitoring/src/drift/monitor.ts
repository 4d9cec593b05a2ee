import type { RawRow } from '@tandem/features';
import type { ReferenceProfile } from '../profile/types.ts';
import { type RowColumns, readRowColumns } from '../row-columns.ts';
import {
  DEFAULT_ROW_WINDOW,
  DEFAULT_TIME_SLICES,
  DEFAULT_TIME_WINDOW_MS,
  type DriftSettings,
  driftSettings,
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
}

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

  constructor(profile: ReferenceProfile, options: DriftMonitorOptions = {}) {
    this.profile = profile;
    this.settings = driftSettings(options.settings);
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
  }

  /** Counts rows and the model's outputs for them (rows × classes, or rows × 1). */
  observe(rows: readonly RawRow[], outputs: ArrayLike<number>): void {
    this.observeColumns(readRowColumns(rows), rows, outputs);
  }

  /**
   * The same for rows already read into columns (the server reads each request once, for these
   * windows and the log, and counts them in the monitoring thread); `rows` are the same rows,
   * read only for irregular ones (the others may be holes).
   */
  observeColumns(columns: RowColumns, rows: readonly RawRow[], outputs: ArrayLike<number>): void {
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
    return this.seen;
  }

  snapshot(): DriftSnapshot {
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
