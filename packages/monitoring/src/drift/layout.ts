import type { RawRow } from '@tandem/features';
import { binOf, cellCount } from '../profile/bins.ts';
import type { ColumnProfile, ReferenceProfile } from '../profile/types.ts';
import { readCell } from '../values.ts';

/**
 * Where each column's counts live in one flat Float64Array, and how a row becomes one slot per
 * column: a window then keeps, per row, a few integers instead of the row. Slot 0 of a column is
 * "missing"; slots 1… are its cells (numeric: underflow, bins, overflow; categorical: levels,
 * unseen).
 */
export interface TrackedColumn {
  profile: ColumnProfile;
  /** 'input' columns come from the raw row; 'output' ones from the model's answer. */
  side: 'input' | 'output';
  /** First slot (the missing slot) in the flat counts. */
  base: number;
  /** Cells after the missing slot. */
  cells: number;
  /** Index among numeric columns (their out-of-range excess), -1 for categorical ones. */
  numeric: number;
}

export class CountLayout {
  readonly columns: readonly TrackedColumn[];
  readonly slots: number;
  readonly numericColumns: number;
  readonly inputColumns: number;
  private readonly levelIndex: (Map<string, number> | undefined)[];
  private readonly task: ReferenceProfile['output']['task'];
  private readonly classes: readonly string[];

  constructor(profile: ReferenceProfile) {
    const columns: TrackedColumn[] = [];
    let slots = 0;
    let numeric = 0;
    const add = (c: ColumnProfile, side: TrackedColumn['side']) => {
      const cells = c.kind === 'numeric' ? countsFor(c) : c.levels.length + 1;
      columns.push({
        profile: c,
        side,
        base: slots,
        cells,
        numeric: c.kind === 'numeric' ? numeric++ : -1,
      });
      slots += 1 + cells;
    };
    for (const c of profile.columns) add(c, 'input');
    for (const c of profile.output.columns) add(c, 'output');
    this.columns = columns;
    this.slots = slots;
    this.numericColumns = numeric;
    this.inputColumns = profile.columns.length;
    this.levelIndex = columns.map((t) =>
      t.profile.kind === 'categorical'
        ? new Map(t.profile.levels.map((l, i) => [l, i]))
        : undefined,
    );
    this.task = profile.output.task;
    this.classes = profile.output.columns
      .filter((c) => c.name.startsWith('score:'))
      .map((c) => c.name.slice('score:'.length));
  }

  /** Writes one slot per input column into slots[0, inputColumns) and their excess. */
  encodeInputs(row: RawRow, slots: Int32Array, excess: Float64Array): void {
    for (let j = 0; j < this.inputColumns; j++) {
      const t = this.columns[j] as TrackedColumn;
      this.place(j, t, readCell(t.profile.type, row[t.profile.name]), slots, excess);
    }
  }

  /**
   * Writes the output columns' slots for row `row` of a rows × width output block. Classifiers:
   * the argmax label and each class's score; regressors: the value.
   */
  encodeOutputs(
    outputs: ArrayLike<number>,
    row: number,
    slots: Int32Array,
    excess: Float64Array,
  ): void {
    const first = this.inputColumns;
    if (this.task === 'regression') {
      const t = this.columns[first] as TrackedColumn;
      this.place(first, t, outputs[row] as number, slots, excess);
      return;
    }
    const width = this.classes.length;
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < width; k++) {
      const score = outputs[row * width + k] as number;
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    for (let j = first; j < this.columns.length; j++) {
      const t = this.columns[j] as TrackedColumn;
      if (t.profile.kind === 'categorical') {
        this.place(j, t, best < 0 ? undefined : this.classes[best], slots, excess);
      } else {
        const k = this.classes.indexOf(t.profile.name.slice('score:'.length));
        this.place(j, t, k < 0 ? Number.NaN : (outputs[row * width + k] as number), slots, excess);
      }
    }
  }

  private place(
    j: number,
    t: TrackedColumn,
    cell: number | string | undefined,
    slots: Int32Array,
    excess: Float64Array,
  ): void {
    const p = t.profile;
    if (p.kind === 'numeric') {
      const value = cell as number;
      if (Number.isNaN(value) || p.edges.length === 0) {
        slots[j] = t.base;
        excess[t.numeric] = 0;
        return;
      }
      const bin = binOf(p.edges, value);
      slots[j] = t.base + 1 + bin;
      const min = p.edges[0] as number;
      const max = p.edges[p.edges.length - 1] as number;
      excess[t.numeric] = value < min ? value - min : value > max ? value - max : 0;
      return;
    }
    if (cell === undefined) {
      slots[j] = t.base;
      return;
    }
    const level = (this.levelIndex[j] as Map<string, number>).get(cell as string);
    slots[j] = t.base + 1 + (level ?? t.cells - 1);
  }
}

function countsFor(c: ColumnProfile & { kind: 'numeric' }): number {
  return c.edges.length === 0 ? 1 : cellCount(c.edges);
}

/** What a window holds: rows seen, per-slot counts and, per numeric column, out-of-range excess. */
export interface WindowCounts {
  rows: number;
  counts: Float64Array;
  /** Σ (min − v) over values below the training min, per numeric column. */
  below: Float64Array;
  /** Σ (v − max) over values above the training max. */
  above: Float64Array;
}

export function emptyCounts(layout: CountLayout): WindowCounts {
  return {
    rows: 0,
    counts: new Float64Array(layout.slots),
    below: new Float64Array(layout.numericColumns),
    above: new Float64Array(layout.numericColumns),
  };
}

/** Adds (sign 1) or removes (sign −1) one encoded row. */
export function applyRow(
  target: WindowCounts,
  slots: ArrayLike<number>,
  slotOffset: number,
  columns: number,
  excess: ArrayLike<number>,
  excessOffset: number,
  numericColumns: number,
  sign: 1 | -1,
): void {
  target.rows += sign;
  for (let j = 0; j < columns; j++) {
    const s = slots[slotOffset + j] as number;
    target.counts[s] = (target.counts[s] as number) + sign;
  }
  for (let e = 0; e < numericColumns; e++) {
    const x = excess[excessOffset + e] as number;
    if (x < 0) target.below[e] = (target.below[e] as number) - sign * x;
    else if (x > 0) target.above[e] = (target.above[e] as number) + sign * x;
  }
}
