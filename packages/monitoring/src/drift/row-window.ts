import { copyCells } from '../copy-cells.ts';
import { applyRows, type CountLayout, emptyCounts, type WindowCounts } from './layout.ts';

/**
 * The last N rows, in memory proportional to N × columns whatever the traffic: a ring of encoded
 * rows (one slot index and one number per column); adding a row past N removes
 * the oldest one's counts.
 */
export class RowWindow {
  readonly capacity: number;
  private readonly layout: CountLayout;
  private readonly slots: Int32Array;
  private readonly values: Float64Array;
  private readonly totals: WindowCounts;
  private next = 0;
  private filled = 0;

  constructor(layout: CountLayout, capacity: number) {
    this.layout = layout;
    this.capacity = capacity;
    this.slots = new Int32Array(capacity * layout.columns.length);
    this.values = new Float64Array(capacity * layout.columns.length);
    this.totals = emptyCounts(layout);
  }

  /**
   * Adds `rows` encoded rows from the start of slots and values (a request's block, rows ×
   * columns): the rows they push out are removed, in as few runs of the ring as it takes.
   */
  addRows(slots: Int32Array, values: Float64Array, rows: number): void {
    const c = this.layout.columns.length;
    let done = 0;
    while (done < rows) {
      const at = this.next;
      const run = Math.min(rows - done, this.capacity - at);
      // Until the ring is full, the run's places are empty (next = filled).
      if (this.filled === this.capacity) {
        applyRows(this.totals, this.slots, this.values, at * c, (at + run) * c, c, -1);
      } else {
        this.filled += run;
      }
      copyCells(slots, done * c, this.slots, at * c, run * c);
      copyCells(values, done * c, this.values, at * c, run * c);
      applyRows(this.totals, slots, values, done * c, (done + run) * c, c, 1);
      this.next = (at + run) % this.capacity;
      done += run;
    }
  }

  /** The counts of the rows now in the window (a live view: copy it to keep it). */
  counts(): WindowCounts {
    return this.totals;
  }
}
