import type { RawRow } from '@tandem/features';
import { DriftMonitor } from '../drift/monitor.ts';
import type { LoggedBatch, LoggedRequest } from '../log/logged-request.ts';
import { parseProfile } from '../profile/parse.ts';
import type { RowColumns } from '../row-columns.ts';
import type { DriftReading, WatchOptions } from './messages.ts';

/**
 * The drift monitors of the served versions, in the monitoring thread's worker: each batch's
 * requests are counted by the monitor they are tagged with, from the same typed columns the
 * serving thread read (a version's windows live here, so the serving thread never encodes a
 * cell for drift).
 */
export class DriftHost {
  private readonly monitors = new Map<number, DriftMonitor>();
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.onError = onError;
  }

  watch(monitor: number, profile: Uint8Array, options: WatchOptions): void {
    try {
      this.monitors.set(monitor, new DriftMonitor(parseProfile(profile), options));
    } catch (error) {
      this.onError(error);
    }
  }

  unwatch(monitor: number): void {
    this.monitors.delete(monitor);
  }

  /**
   * Counts every tagged request of the batch (`requests`: requestsOf(batch)); returns the rows it
   * took (counted or not).
   */
  count(batch: LoggedBatch, requests: readonly LoggedRequest[]): number {
    let rows = 0;
    for (const request of requests) {
      if (request.monitor < 0) continue;
      rows += request.rows;
      const monitor = this.monitors.get(request.monitor);
      if (monitor === undefined) continue;
      const width = batch.lists[request.names]?.length ?? 0;
      const cells = request.rows * width;
      const columns: RowColumns = {
        rows: request.rows,
        names: batch.lists[request.names] as readonly string[],
        kinds: batch.kinds.subarray(request.cells, request.cells + cells),
        values: batch.values.subarray(request.cells, request.cells + cells),
        strings: batch.strings,
        irregular: request.irregular,
      };
      const classes = request.classes < 0 ? 1 : (batch.lists[request.classes]?.length ?? 1);
      const outputs = batch.outputs.subarray(
        request.outputs,
        request.outputs + request.rows * classes,
      );
      try {
        monitor.observeColumns(columns, irregularRows(request.irregular), outputs);
      } catch (error) {
        this.onError(error);
      }
    }
    return rows;
  }

  read(monitor: number): DriftReading | undefined {
    const drift = this.monitors.get(monitor);
    if (drift === undefined) return undefined;
    return { ...drift.snapshot(), rowsSeen: drift.rowsSeen };
  }
}

/** The rows of another shape, parsed again (they crossed as JSON text); the others stay holes. */
function irregularRows(irregular: Map<number, string> | undefined): RawRow[] {
  const rows: RawRow[] = [];
  if (irregular === undefined) return rows;
  for (const [r, text] of irregular) rows[r] = JSON.parse(text) as RawRow;
  return rows;
}
