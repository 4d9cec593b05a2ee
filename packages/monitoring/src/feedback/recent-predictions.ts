/**
 * The answers feedback can still be joined to: per prediction id, the version that answered and
 * its outputs, kept for the last `capacity` rows (older ids are forgotten first). A row's ground
 * truth is counted once: a repeated feedback is recognised and ignored (idempotent).
 *
 * Memory is fixed at construction: answers live in a ring of `capacity` row slots backed by typed
 * arrays, and their ids in AnswerIds (bytes, not strings). An object and two typed arrays per
 * answer made a 1-row request cost about a kilobyte until its id was forgotten, which showed as
 * RSS growth of tens of MiB per 100,000 predictions.
 */
import { copyCells } from '../copy-cells.ts';
import { AnswerIds } from './answer-ids.ts';

export interface RememberedPrediction {
  model: string;
  version: number;
  /** Epoch ms of the answer. */
  time: number;
  rows: number;
  width: number;
}

export type FeedbackMatch =
  | { outcome: 'matched'; prediction: RememberedPrediction; scores: Float32Array }
  | { outcome: 'duplicate' | 'unknown' | 'row_out_of_range' };

export class RecentPredictions {
  readonly capacity: number;
  /** (model, id) → the answer's first row slot; a slot holds an id when an answer starts there. */
  private readonly ids: AnswerIds;
  // Per answer, at its first row slot.
  private readonly versions: Int32Array;
  private readonly times: Float64Array;
  private readonly rowCounts: Int32Array;
  private readonly widths: Int32Array;
  // Per row slot.
  private readonly labelled: Uint8Array;
  /** Outputs, `stride` floats per row slot; re-laid when a wider answer arrives. */
  private outputs: Float32Array;
  private stride = 0;
  private head = 0;
  private rowsHeld = 0;

  constructor(capacity = 100_000) {
    this.capacity = capacity;
    this.versions = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.rowCounts = new Int32Array(capacity);
    this.widths = new Int32Array(capacity);
    this.labelled = new Uint8Array(capacity);
    this.ids = new AnswerIds(capacity);
    this.outputs = new Float32Array(0);
  }

  remember(
    id: string,
    model: string,
    version: number,
    time: number,
    outputs: Float32Array,
    rows: number,
  ): void {
    if (rows === 0 || rows > this.capacity) return;
    const width = outputs.length / rows;
    const previous = this.ids.get(model, id);
    // An id reused by a caller: the latest answer is the one feedback refers to.
    if (previous >= 0) this.forget(previous);
    if (width > this.stride) this.widen(width);
    const slot = this.allocate(rows);
    this.versions[slot] = version;
    this.times[slot] = time;
    this.rowCounts[slot] = rows;
    this.widths[slot] = width;
    this.labelled.fill(0, slot, slot + rows);
    if (width === this.stride) copyCells(outputs, 0, this.outputs, slot * width, outputs.length);
    else {
      for (let r = 0; r < rows; r++) {
        this.outputs.set(outputs.subarray(r * width, (r + 1) * width), (slot + r) * this.stride);
      }
    }
    this.ids.set(model, id, slot);
    this.rowsHeld += rows;
  }

  /** The remembered answer with this id, without claiming a row. */
  peek(model: string, id: string): RememberedPrediction | undefined {
    const slot = this.ids.get(model, id);
    return slot < 0 ? undefined : this.describe(model, slot);
  }

  /** Marks row `row` of prediction `id` as labelled, once. */
  claim(model: string, id: string, row: number): FeedbackMatch {
    const slot = this.ids.get(model, id);
    if (slot < 0) return { outcome: 'unknown' };
    const rows = this.rowCounts[slot] as number;
    if (!Number.isInteger(row) || row < 0 || row >= rows) return { outcome: 'row_out_of_range' };
    if (this.labelled[slot + row] === 1) return { outcome: 'duplicate' };
    this.labelled[slot + row] = 1;
    const start = (slot + row) * this.stride;
    return {
      outcome: 'matched',
      prediction: this.describe(model, slot),
      scores: this.outputs.slice(start, start + (this.widths[slot] as number)),
    };
  }

  get rows(): number {
    return this.rowsHeld;
  }

  private describe(model: string, slot: number): RememberedPrediction {
    return {
      model,
      version: this.versions[slot] as number,
      time: this.times[slot] as number,
      rows: this.rowCounts[slot] as number,
      width: this.widths[slot] as number,
    };
  }

  /** Forgets the answer that starts at `slot`. */
  private forget(slot: number): void {
    this.ids.remove(slot);
    this.rowsHeld -= this.rowCounts[slot] as number;
  }

  /**
   * `rows` contiguous slots at the head of the ring, forgetting the answers in the way: answers
   * are written in ring order, so those are always the oldest.
   */
  private allocate(rows: number): number {
    if (this.head + rows > this.capacity) {
      // Wrap: the answers between the head and the end are the oldest; forget them.
      this.forgetStartingIn(this.head, this.capacity);
      this.head = 0;
    }
    const start = this.head;
    const end = start + rows;
    // An answer that starts before `start` ends at or before it (ring order), so only answers
    // starting inside [start, end) are in the way.
    this.forgetStartingIn(start, end);
    this.head = end;
    return start;
  }

  private forgetStartingIn(from: number, to: number): void {
    for (let slot = from; slot < to; slot++) {
      if (this.ids.holds(slot)) this.forget(slot);
    }
  }

  /** Lays the outputs out again at a wider stride (a model with more classes answered). */
  private widen(width: number): void {
    const wider = new Float32Array(this.capacity * width);
    for (let slot = 0; slot < this.capacity; slot++) {
      if (!this.ids.holds(slot)) continue;
      const rows = this.rowCounts[slot] as number;
      const w = this.widths[slot] as number;
      for (let r = slot; r < slot + rows; r++) {
        wider.set(this.outputs.subarray(r * this.stride, r * this.stride + w), r * width);
      }
    }
    this.outputs = wider;
    this.stride = width;
  }
}
