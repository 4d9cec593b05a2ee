import { applyRows, type CountLayout, emptyCounts, type WindowCounts } from './layout.ts';

/**
 * The rows of the last `durationMs`, in constant memory: time is cut into `slices` equal slices,
 * each with its own counts; a slice older than the window is subtracted from the totals and
 * reused. The window therefore ends at slice granularity (duration / slices). A row is counted in
 * its slice only; the totals are summed when read (a scrape), not kept per row.
 */
export class TimeWindow {
  readonly durationMs: number;
  private readonly layout: CountLayout;
  private readonly sliceMs: number;
  private readonly slices: WindowCounts[];
  /** Which absolute slice number (⌊t / sliceMs⌋) each ring entry holds, -1 when empty. */
  private readonly sliceIds: Float64Array;
  private readonly totals: WindowCounts;
  private readonly now: () => number;
  private expiredAt = Number.NaN;

  constructor(
    layout: CountLayout,
    durationMs: number,
    slices: number,
    now: () => number = Date.now,
  ) {
    this.layout = layout;
    this.durationMs = durationMs;
    this.sliceMs = durationMs / slices;
    this.slices = Array.from({ length: slices }, () => emptyCounts(layout));
    this.sliceIds = new Float64Array(slices).fill(-1);
    this.totals = emptyCounts(layout);
    this.now = now;
  }

  /** The slice number of the present time, for add(). */
  sliceOf(): number {
    return Math.floor(this.now() / this.sliceMs);
  }

  /** Counts `rows` encoded rows from the start of slots and values, all in slice `id`. */
  addRows(slots: Int32Array, values: Float64Array, rows: number, id = this.sliceOf()): void {
    this.expire(id);
    const at = id % this.slices.length;
    this.sliceIds[at] = id;
    const c = this.layout.columns.length;
    applyRows(this.slices[at] as WindowCounts, slots, values, 0, rows * c, c, 1);
  }

  /** The counts of the rows seen in the last durationMs (valid until the next add). */
  counts(): WindowCounts {
    this.expire(Math.floor(this.now() / this.sliceMs));
    const totals = this.totals;
    totals.rows = 0;
    totals.counts.fill(0);
    totals.sums.fill(0);
    for (const slice of this.slices) {
      if (slice.rows === 0) continue;
      totals.rows += slice.rows;
      for (let i = 0; i < totals.counts.length; i++) {
        totals.counts[i] = (totals.counts[i] as number) + (slice.counts[i] as number);
        totals.sums[i] = (totals.sums[i] as number) + (slice.sums[i] as number);
      }
    }
    return totals;
  }

  /** Removes every slice that the window ending in slice `current` no longer covers. */
  private expire(current: number): void {
    if (current === this.expiredAt) return;
    this.expiredAt = current;
    const n = this.slices.length;
    for (let i = 0; i < n; i++) {
      const id = this.sliceIds[i] as number;
      if (id >= 0 && id <= current - n) {
        const slice = this.slices[i] as WindowCounts;
        slice.rows = 0;
        slice.counts.fill(0);
        slice.sums.fill(0);
        this.sliceIds[i] = -1;
      }
    }
  }
}
