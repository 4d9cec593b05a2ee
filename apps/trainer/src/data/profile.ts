import type { RawRow } from '@tandem/features';
import { isMissing, toNumber } from './cells.ts';

/** What danfo.js says about the training data, kept in the manifest. */
export interface DataProfile {
  rows: number;
  /** danfo dtype per column: float32, int32, string, … ('empty' when every value is missing). */
  dtypes: Record<string, string>;
  missing: Record<string, number>;
  /** danfo describe() of each numeric column, over its non-missing values. */
  describe: Record<string, Record<string, number>>;
}

/**
 * Profiles rows with danfo.js. CSV cells arrive as strings, so each column is typed first: a
 * column whose every present value reads as a number becomes numeric (NaN for missing), others
 * strings (null for missing); danfo then infers dtypes, counts missing values and describes.
 */
export async function profileRows(
  columns: readonly string[],
  rows: readonly RawRow[],
): Promise<DataProfile> {
  // Loaded on demand: danfo pulls in a large dependency tree only the trainer needs.
  const { DataFrame, Series } = await import('danfojs');
  // Records keyed by user column names have no prototype: a column named `__proto__` or
  // `constructor` is data like any other.
  const profile: DataProfile = {
    rows: rows.length,
    dtypes: Object.create(null),
    missing: Object.create(null),
    describe: Object.create(null),
  };
  const typed = new Map<string, Array<number | string | null>>();
  for (const column of columns) {
    const values = rows.map((row) => row[column]);
    const present = values.filter((value) => !isMissing(value));
    if (present.length === 0) {
      profile.dtypes[column] = 'empty';
      profile.missing[column] = values.length;
      continue;
    }
    const numeric = present.every((value) => toNumber(value) !== undefined);
    typed.set(
      column,
      values.map((value) => {
        if (isMissing(value)) return numeric ? Number.NaN : null;
        return numeric ? (toNumber(value) as number) : String(value);
      }),
    );
  }
  const names = [...typed.keys()];
  if (names.length === 0 || rows.length === 0) return profile;
  // danfo keys its columns by plain-object properties: it gets positional names, mapped back.
  const byPosition: Record<string, Array<number | string | null>> = {};
  names.forEach((name, index) => {
    byPosition[`c${index}`] = typed.get(name) ?? [];
  });
  const frame = new DataFrame(byPosition, { columns: Object.keys(byPosition) });
  const dtypes = frame.ctypes.values as string[];
  const missing = frame.isNa().sum({ axis: 0 }).values as number[];
  names.forEach((name, index) => {
    profile.dtypes[name] = dtypes[index] ?? 'unknown';
    profile.missing[name] = missing[index] ?? 0;
  });
  for (const name of names) {
    if (profile.dtypes[name] === 'string') continue;
    // danfo's DataFrame.describe() returns null means when a column holds NaN: describe each
    // column's present values instead.
    const present = (typed.get(name) ?? []).filter(
      (value) => typeof value === 'number' && !Number.isNaN(value),
    );
    const summary = new Series(present).describe();
    const labels = summary.index as Array<string | number>;
    const stats = summary.values as number[];
    const described: Record<string, number> = Object.create(null);
    labels.forEach((label, index) => {
      described[String(label)] = stats[index] ?? Number.NaN;
    });
    profile.describe[name] = described;
  }
  return profile;
}
