import type { RawRow } from '@tandem/features';
import { binOf, cellCount } from '../profile/bins.ts';
import type { ColumnProfile, NumericProfile, ReferenceProfile } from '../profile/types.ts';
import { CELL, cellValue, type RowColumns } from '../row-columns.ts';
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
}

export class CountLayout {
  readonly columns: readonly TrackedColumn[];
  readonly slots: number;
  readonly inputColumns: number;
  private readonly levelIndex: (Map<string, number> | undefined)[];
  private readonly task: ReferenceProfile['output']['task'];
  private readonly classes: readonly string[];
  /** Per output column, the class whose score it counts (-1: the label, or no such class). */
  private readonly scoreOf: Int32Array;
  /** The label column's slot for each class as the argmax (classifiers). */
  private readonly labelSlots: Int32Array;
  /** Input columns read as numbers (numeric, datetime): a number cell needs no parsing. */
  private readonly numeric: Uint8Array;
  /** Where each input column sits among the last request shape's names (-1: absent). */
  private placed: { names: readonly string[]; index: Int32Array } | undefined;
  private readonly scratchSlots: Int32Array;
  private readonly scratchValues: Float64Array;

  constructor(profile: ReferenceProfile) {
    const columns: TrackedColumn[] = [];
    let slots = 0;
    const add = (c: ColumnProfile, side: TrackedColumn['side']) => {
      const cells = c.kind === 'numeric' ? countsFor(c) : c.levels.length + 1;
      columns.push({
        profile: c,
        side,
        base: slots,
        cells,
      });
      slots += 1 + cells;
    };
    for (const c of profile.columns) add(c, 'input');
    for (const c of profile.output.columns) add(c, 'output');
    this.columns = columns;
    this.slots = slots;
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
    this.scoreOf = Int32Array.from(profile.output.columns, (c) =>
      c.kind === 'categorical' ? -1 : this.classes.indexOf(c.name.slice('score:'.length)),
    );
    const label = columns.findIndex(
      (t, i) => i >= this.inputColumns && t.profile.kind === 'categorical',
    );
    this.labelSlots = Int32Array.from(this.classes, (name) => {
      const t = columns[label];
      if (t === undefined) return -1;
      return (
        t.base + 1 + ((this.levelIndex[label] as Map<string, number>).get(name) ?? t.cells - 1)
      );
    });
    this.scratchSlots = new Int32Array(columns.length);
    this.scratchValues = new Float64Array(columns.length);
    this.numeric = Uint8Array.from(profile.columns, (c) =>
      c.type === 'numeric' || c.type === 'datetime' ? 1 : 0,
    );
  }

  /** Writes one slot per input column into slots[0, inputColumns), numbers into values. */
  encodeInputs(row: RawRow, slots: Int32Array, values: Float64Array): void {
    for (let j = 0; j < this.inputColumns; j++) {
      const t = this.columns[j] as TrackedColumn;
      this.place(j, t, readCell(t.profile.type, row[t.profile.name]), slots, values);
    }
  }

  /**
   * Encodes every row of a request read into columns, as encodeInputs and encodeOutputs do row by
   * row, into rows × columns blocks (row r's slots at r × columns.length). Column by column: a
   * column's type, edges and levels stay in hand over its rows, and a number read once into the
   * columns (a JSON number, digits sent as text) is binned without being read again.
   */
  encodeRequest(
    columns: RowColumns,
    rows: readonly RawRow[],
    outputs: ArrayLike<number>,
    slots: Int32Array,
    values: Float64Array,
  ): void {
    const stride = this.columns.length;
    const index = this.indexOf(columns.names);
    const width = columns.names.length;
    const { kinds } = columns;
    const numbers = columns.values;
    const n = columns.rows;
    for (let j = 0; j < this.inputColumns; j++) {
      const t = this.columns[j] as TrackedColumn;
      const c = index[j] as number;
      const p = t.profile;
      const binned = p.kind === 'numeric' && p.edges.length > 0 && this.numeric[j] === 1;
      // Levels of a categorical column (not boolean: its cells are read as words).
      const levels = p.type === 'categorical' ? this.levelIndex[j] : undefined;
      for (let r = 0; r < n; r++) {
        const o = r * stride + j;
        if (c < 0) {
          this.place(j, t, readCell(p.type, undefined), slots, values, o);
          continue;
        }
        const at = r * width + c;
        const kind = kinds[at];
        if (binned && (kind === CELL.NUMBER || kind === CELL.DIGITS)) {
          const value = numbers[at] as number;
          if (Number.isFinite(value)) {
            slots[o] = t.base + 1 + binOf((p as NumericProfile).edges, value);
            values[o] = value;
          } else {
            slots[o] = t.base;
            values[o] = 0;
          }
          continue;
        }
        if (kind === CELL.STRING && levels !== undefined) {
          const text = columns.strings[numbers[at] as number] as string;
          const first = text.charCodeAt(0);
          // Printable ASCII first: not blank, so the level is the text itself (readLevelCell).
          if (first > 32 && first < 127) {
            values[o] = 0;
            slots[o] = t.base + 1 + (levels.get(text) ?? t.cells - 1);
            continue;
          }
        }
        // An object or array cell is never a number or a level, as readCell finds of it.
        const raw = kind === CELL.JSON ? undefined : cellValue(columns, at);
        this.place(j, t, readCell(p.type, raw), slots, values, o);
      }
    }
    // Rows of another shape were not read into columns: read them as rows.
    for (const r of columns.irregular?.keys() ?? []) {
      this.encodeInputs(rows[r] as RawRow, this.scratchSlots, this.scratchValues);
      slots.set(this.scratchSlots.subarray(0, this.inputColumns), r * stride);
      values.set(this.scratchValues.subarray(0, this.inputColumns), r * stride);
    }
    for (let r = 0; r < n; r++) this.encodeOutputs(outputs, r, slots, values, r * stride);
  }

  private indexOf(names: readonly string[]): Int32Array {
    if (this.placed?.names === names) return this.placed.index;
    const position = new Map(names.map((name, c) => [name, c]));
    const index = Int32Array.from(
      this.columns.slice(0, this.inputColumns),
      (t) => position.get(t.profile.name) ?? -1,
    );
    this.placed = { names, index };
    return index;
  }

  /**
   * Writes the output columns' slots for row `row` of a rows × width output block (from
   * `offset` in slots and values). Classifiers: the argmax label and each class's score;
   * regressors: the value.
   */
  encodeOutputs(
    outputs: ArrayLike<number>,
    row: number,
    slots: Int32Array,
    values: Float64Array,
    offset = 0,
  ): void {
    const first = this.inputColumns;
    if (this.task === 'regression') {
      const t = this.columns[first] as TrackedColumn;
      this.place(first, t, outputs[row] as number, slots, values, offset + first);
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
        if (best < 0) {
          this.place(j, t, undefined, slots, values, offset + j);
        } else {
          slots[offset + j] = this.labelSlots[best] as number;
          values[offset + j] = 0;
        }
      } else {
        const k = this.scoreOf[j - first] as number;
        const score = k < 0 ? Number.NaN : (outputs[row * width + k] as number);
        this.place(j, t, score, slots, values, offset + j);
      }
    }
  }

  /** Writes column j's slot and number for a cell at position `o` (default j) of slots and values. */
  private place(
    j: number,
    t: TrackedColumn,
    cell: number | string | undefined,
    slots: Int32Array,
    values: Float64Array,
    o = j,
  ): void {
    const p = t.profile;
    if (p.kind === 'numeric') {
      const value = cell as number;
      if (Number.isNaN(value) || p.edges.length === 0) {
        slots[o] = t.base;
        values[o] = 0;
        return;
      }
      slots[o] = t.base + 1 + binOf(p.edges, value);
      values[o] = value;
      return;
    }
    values[o] = 0;
    if (cell === undefined) {
      slots[o] = t.base;
      return;
    }
    const level = (this.levelIndex[j] as Map<string, number>).get(cell as string);
    slots[o] = t.base + 1 + (level ?? t.cells - 1);
  }
}

function countsFor(c: ColumnProfile & { kind: 'numeric' }): number {
  return c.edges.length === 0 ? 1 : cellCount(c.edges);
}

/**
 * What a window holds: rows seen, per-slot counts and per-slot sums of the numbers counted there
 * (so each numeric cell's mean is known: the Wasserstein distance places a cell's mass there).
 */
export interface WindowCounts {
  rows: number;
  counts: Float64Array;
  sums: Float64Array;
}

export function emptyCounts(layout: CountLayout): WindowCounts {
  return { rows: 0, counts: new Float64Array(layout.slots), sums: new Float64Array(layout.slots) };
}

/**
 * Adds (sign 1) or removes (sign −1) the encoded rows in [from, to) of slots and values, whole
 * rows of `columns` cells each: one tight loop over a request's block.
 */
export function applyRows(
  target: WindowCounts,
  slots: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
  columns: number,
  sign: 1 | -1,
): void {
  target.rows += (sign * (to - from)) / columns;
  const { counts, sums } = target;
  for (let i = from; i < to; i++) {
    const s = slots[i] as number;
    counts[s] = (counts[s] as number) + sign;
    sums[s] = (sums[s] as number) + sign * (values[i] as number);
  }
}
