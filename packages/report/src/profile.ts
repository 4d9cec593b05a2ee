import type { InputColumnSchema, RawRow } from '@tandem/features';

/** What the report draws for one column of the training part. */
export type ColumnProfile =
  | {
      name: string;
      kind: 'numeric';
      rows: number;
      missing: number;
      /** Equal-width bins over [min, max] of the present values. */
      bins: Array<{ start: number; end: number; count: number }>;
    }
  | {
      name: string;
      kind: 'categorical';
      rows: number;
      missing: number;
      /** The most frequent levels; the rest are summed as "(other levels)". */
      levels: Array<{ level: string; count: number }>;
    };

const MAX_LEVELS = 20;
const OTHER = '(other levels)';

function isMissing(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (typeof value === 'number' && Number.isNaN(value))
  );
}

function numberOf(value: unknown, type: InputColumnSchema['type']): number | undefined {
  if (type === 'datetime') {
    const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
    return Number.isFinite(ms) ? ms : undefined;
  }
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Histograms (numeric and datetime columns, as epoch ms) and level counts (categorical and
 * boolean) of the rows the model was fitted on: the trainer calls this while it still holds them,
 * since versions keep no training rows.
 */
export function profileColumns(
  rows: readonly RawRow[],
  columns: readonly Pick<InputColumnSchema, 'name' | 'type'>[],
  bins = 20,
): ColumnProfile[] {
  return columns.map((column) => {
    const values = rows.map((row) => row[column.name]);
    const present = values.filter((value) => !isMissing(value));
    const missing = values.length - present.length;
    if (column.type === 'numeric' || column.type === 'datetime') {
      const numbers = present
        .map((value) => numberOf(value, column.type))
        .filter((n): n is number => n !== undefined);
      return {
        name: column.name,
        kind: 'numeric',
        rows: values.length,
        missing,
        bins: histogram(numbers, bins),
      };
    }
    const counts = new Map<string, number>();
    for (const value of present) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const levels = sorted.slice(0, MAX_LEVELS).map(([level, count]) => ({ level, count }));
    const rest = sorted.slice(MAX_LEVELS).reduce((sum, [, count]) => sum + count, 0);
    if (rest > 0) levels.push({ level: OTHER, count: rest });
    return { name: column.name, kind: 'categorical', rows: values.length, missing, levels };
  });
}

function histogram(values: readonly number[], bins: number) {
  if (values.length === 0) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return [{ start: min, end: max, count: values.length }];
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const b = Math.min(bins - 1, Math.floor((v - min) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  return counts.map((count, b) => ({
    start: min + b * width,
    end: b === bins - 1 ? max : min + (b + 1) * width,
    count,
  }));
}
