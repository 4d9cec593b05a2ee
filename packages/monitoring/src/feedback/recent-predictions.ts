/**
 * The answers feedback can still be joined to: per prediction id, the version that answered and
 * its outputs, kept for the last `capacity` rows (older ids are forgotten first). A row's ground
 * truth is counted once: a repeated feedback is recognised and ignored (idempotent).
 */
export interface RememberedPrediction {
  model: string;
  version: number;
  /** Epoch ms of the answer. */
  time: number;
  rows: number;
  /** rows × width outputs, copied. */
  outputs: Float32Array;
  width: number;
  /** 1 once a row's ground truth was counted. */
  labelled: Uint8Array;
}

export type FeedbackMatch =
  | { outcome: 'matched'; prediction: RememberedPrediction; scores: Float32Array }
  | { outcome: 'duplicate' | 'unknown' | 'row_out_of_range' };

export class RecentPredictions {
  readonly capacity: number;
  private readonly entries = new Map<string, RememberedPrediction>();
  private rowsHeld = 0;

  constructor(capacity = 100_000) {
    this.capacity = capacity;
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
    const key = `${model}\u0000${id}`;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      // An id reused by a caller: the latest answer is the one feedback refers to.
      this.entries.delete(key);
      this.rowsHeld -= previous.rows;
    }
    this.entries.set(key, {
      model,
      version,
      time,
      rows,
      outputs: outputs.slice(0, rows * (outputs.length / rows)),
      width: outputs.length / rows,
      labelled: new Uint8Array(rows),
    });
    this.rowsHeld += rows;
    for (const [oldest, entry] of this.entries) {
      if (this.rowsHeld <= this.capacity) break;
      this.entries.delete(oldest);
      this.rowsHeld -= entry.rows;
    }
  }

  /** The remembered answer with this id, without claiming a row. */
  peek(model: string, id: string): RememberedPrediction | undefined {
    return this.entries.get(`${model}\u0000${id}`);
  }

  /** Marks row `row` of prediction `id` as labelled, once. */
  claim(model: string, id: string, row: number): FeedbackMatch {
    const prediction = this.entries.get(`${model}\u0000${id}`);
    if (prediction === undefined) return { outcome: 'unknown' };
    if (!Number.isInteger(row) || row < 0 || row >= prediction.rows)
      return { outcome: 'row_out_of_range' };
    if (prediction.labelled[row] === 1) return { outcome: 'duplicate' };
    prediction.labelled[row] = 1;
    const w = prediction.width;
    return {
      outcome: 'matched',
      prediction,
      scores: prediction.outputs.subarray(row * w, (row + 1) * w),
    };
  }

  get rows(): number {
    return this.rowsHeld;
  }
}
