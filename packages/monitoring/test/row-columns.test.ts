import type { RawRow } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import {
  buildReferenceProfile,
  CountLayout,
  compareRows,
  DriftMonitor,
  encodeProfile,
  parseProfile,
  readRowColumns,
  rowOf,
} from '../src/index.ts';
import { creditSplit, fakeOutputs } from './data.ts';

const { train, inputs } = creditSplit();
const profile = parseProfile(
  encodeProfile(buildReferenceProfile(train, inputs, fakeOutputs(train))),
);

/** Rows as callers send them: numbers, numeric text, blanks, nulls, booleans, odd shapes. */
function mixedRows(): RawRow[] {
  const rows: RawRow[] = train.slice(0, 40).map((row, i) => {
    const copy: Record<string, unknown> = { ...row };
    if (i % 2 === 0) copy.Income = Number(row.Income);
    if (i % 5 === 0) copy.Age = null;
    if (i % 7 === 0) copy.Home = i;
    if (i % 11 === 0) copy.Records = i % 2 === 0;
    if (i % 13 === 0) copy.Amount = '  ';
    if (i % 17 === 0) copy.Job = { nested: [1, 'two'] };
    if (i % 19 === 0) copy.Price = Number.NaN;
    if (i % 23 === 0) copy.Debt = '0012';
    if (i % 29 === 0) copy.Expenses = ' 7.5e1';
    return copy as RawRow;
  });
  // Irregular rows: a column missing, an extra one, the same keys in another order.
  const { Assets: _assets, ...missing } = train[50] as RawRow;
  rows.push(missing as RawRow, { ...(train[51] as RawRow), Extra: 'x' });
  const reordered: Record<string, unknown> = {};
  for (const key of Object.keys(train[52] as RawRow).reverse())
    reordered[key] = (train[52] as RawRow)[key];
  rows.push(reordered as RawRow, { ...(train[53] as RawRow), Debt: undefined } as RawRow);
  return rows;
}

describe('readRowColumns', () => {
  it('rebuilds every row to the same JSON, key order included', () => {
    const rows = mixedRows();
    const columns = readRowColumns(rows);
    expect(columns.irregular?.size).toBe(3);
    for (let r = 0; r < rows.length; r++) {
      expect(JSON.stringify(rowOf(columns, r))).toBe(JSON.stringify(rows[r]));
    }
  });

  it('reuses the names of a known shape by identity', () => {
    const first = readRowColumns(train.slice(0, 3));
    expect(readRowColumns(train.slice(3, 6), first.names).names).toBe(first.names);
    const other = readRowColumns([{ a: 1 }], first.names);
    expect(other.names).toEqual(['a']);
  });

  it('gives the drift windows the same cells for every row as reading the rows one by one', () => {
    const rows = mixedRows();
    const layout = new CountLayout(profile);
    const columns = readRowColumns(rows);
    const outputs = fakeOutputs(rows).values;
    const n = layout.columns.length;
    const blockSlots = new Int32Array(rows.length * n);
    const blockValues = new Float64Array(rows.length * n);
    layout.encodeRequest(columns, rows, outputs, blockSlots, blockValues);
    const slots = new Int32Array(n);
    const values = new Float64Array(n);
    for (let r = 0; r < rows.length; r++) {
      layout.encodeInputs(rows[r] as RawRow, slots, values);
      layout.encodeOutputs(outputs, r, slots, values);
      expect([...blockSlots.subarray(r * n, (r + 1) * n)]).toEqual([...slots]);
      expect([...blockValues.subarray(r * n, (r + 1) * n)]).toEqual([...values]);
    }
  });

  it('slides the row window by whole requests, wrapping the ring, as row by row', () => {
    const rows = train.slice(0, 17);
    const outputs = fakeOutputs(rows).values as Float32Array;
    const monitor = new DriftMonitor(profile, { rowWindow: 7 });
    for (const [from, to] of [
      [0, 3],
      [3, 8],
      [8, 17],
    ] as const) {
      monitor.observe(rows.slice(from, to), outputs.subarray(from * 2, to * 2));
    }
    const window = monitor.snapshot().rowWindow;
    expect(window.rows).toBe(7);
    const lastSeven = compareRows(profile, rows.slice(10), outputs.subarray(20));
    expect(window.columns).toEqual(lastSeven.columns);
    expect(window.output).toEqual(lastSeven.output);
  });
});
