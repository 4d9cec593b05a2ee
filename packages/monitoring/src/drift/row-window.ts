import { applyRow, type CountLayout, emptyCounts, type WindowCounts } from './layout.ts';

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

  /** Adds the encoded row at `offset` of slots and values. */
  add(slots: Int32Array, values: Float64Array, offset = 0): void {
    const c = this.layout.columns.length;
    const at = this.next;
    if (this.filled === this.capacity) {
      applyRow(this.totals, this.slots, this.values, at * c, c, -1);
    } else {
      this.filled++;
    }
    for (let j = 0; j < c; j++) {
      this.slots[at * c + j] = slots[offset + j] as number;
      this.values[at * c + j] = values[offset + j] as number;
    }
    applyRow(this.totals, slots, values, offset, c, 1);
    this.next = (at + 1) % this.capacity;
  }

  /** The counts of the rows now in the window (a live view: copy it to keep it). */
  counts(): WindowCounts {
    return this.totals;
  }
}
