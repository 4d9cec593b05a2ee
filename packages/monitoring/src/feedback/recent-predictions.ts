/**
 * The answers feedback can still be joined to: per prediction id, the version that answered and
 * its outputs, kept for the last `capacity` rows (older ids are forgotten first). A row's ground
 * truth is counted once: a repeated feedback is recognised and ignored (idempotent).
 *
 * Memory is fixed at construction: answers live in a ring of `capacity` row slots backed by typed
 * arrays, and the id map holds only slot numbers. An object and two typed arrays per answer made
 * a 1-row request cost about a kilobyte until its id was forgotten, which showed as RSS growth
 * of tens of MiB per 100,000 predictions.
 */
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
  /** `${model}\0${id}` → the answer's first row slot, oldest first (Map keeps insertion order). */
  private readonly slots = new Map<string, number>();
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
    const key = `${model}\u0000${id}`;
    const previous = this.slots.get(key);
    // An id reused by a caller: the latest answer is the one feedback refers to.
    if (previous !== undefined) this.forget(key, previous);
    if (width > this.stride) this.widen(width);
    const slot = this.allocate(rows);
    this.versions[slot] = version;
    this.times[slot] = time;
    this.rowCounts[slot] = rows;
    this.widths[slot] = width;
    this.labelled.fill(0, slot, slot + rows);
    for (let r = 0; r < rows; r++) {
      this.outputs.set(outputs.subarray(r * width, (r + 1) * width), (slot + r) * this.stride);
    }
    this.slots.set(key, slot);
    this.rowsHeld += rows;
  }

  /** The remembered answer with this id, without claiming a row. */
  peek(model: string, id: string): RememberedPrediction | undefined {
    const slot = this.slots.get(`${model}\u0000${id}`);
    return slot === undefined ? undefined : this.describe(model, slot);
  }

  /** Marks row `row` of prediction `id` as labelled, once. */
  claim(model: string, id: string, row: number): FeedbackMatch {
    const slot = this.slots.get(`${model}\u0000${id}`);
    if (slot === undefined) return { outcome: 'unknown' };
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

  private forget(key: string, slot: number): void {
    this.slots.delete(key);
    this.rowsHeld -= this.rowCounts[slot] as number;
  }

  /**
   * `rows` contiguous slots at the head of the ring. Answers are written in ring order, so the
   * ones in the way are always the oldest: they are forgotten first.
   */
  private allocate(rows: number): number {
    if (this.head + rows > this.capacity) {
      // Wrap: the answers between the head and the end are the oldest; forget them.
      this.forgetOldestWhile((slot) => slot >= this.head);
      this.head = 0;
    }
    const start = this.head;
    const end = start + rows;
    this.forgetOldestWhile((slot) => slot < end && slot + (this.rowCounts[slot] as number) > start);
    this.head = end;
    return start;
  }

  private forgetOldestWhile(inTheWay: (slot: number) => boolean): void {
    for (const [key, slot] of this.slots) {
      if (!inTheWay(slot)) return;
      this.forget(key, slot);
    }
  }

  /** Lays the outputs out again at a wider stride (a model with more classes answered). */
  private widen(width: number): void {
    const wider = new Float32Array(this.capacity * width);
    for (const slot of this.slots.values()) {
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
