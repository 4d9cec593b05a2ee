import type { RawRow } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import {
  buildReferenceProfile,
  CountLayout,
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

  it('gives the drift windows the same cell for every row as reading the row itself', () => {
    const rows = mixedRows();
    const layout = new CountLayout(profile);
    const columns = readRowColumns(rows);
    const n = layout.columns.length;
    const [slotsA, slotsB] = [new Int32Array(n), new Int32Array(n)];
    const [valuesA, valuesB] = [new Float64Array(n), new Float64Array(n)];
    let regular = 0;
    for (let r = 0; r < rows.length; r++) {
      if (columns.irregular?.has(r)) continue;
      regular++;
      layout.encodeInputs(rows[r] as RawRow, slotsA, valuesA);
      layout.encodeInputsFrom(columns, r, slotsB, valuesB);
      expect([...slotsB.subarray(0, layout.inputColumns)]).toEqual([
        ...slotsA.subarray(0, layout.inputColumns),
      ]);
      expect([...valuesB.subarray(0, layout.inputColumns)]).toEqual([
        ...valuesA.subarray(0, layout.inputColumns),
      ]);
    }
    expect(regular).toBe(41);
  });
});
