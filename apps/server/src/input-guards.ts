import {
  FeatureInputError,
  type InputColumnSchema,
  type InputErrorDetail,
  MAX_ERROR_DETAILS,
  type RawRow,
} from '@tandem/features';

/** The largest finite float32: models compute in float32, so a larger input overflows to NaN. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Names every plain object inherits: as columns they must be read as own properties only. */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What the guards need of one version's input schema, computed once per version. */
export interface InputGuards {
  numeric: readonly string[];
  /** Schema columns named like Object.prototype members (usually none). */
  inherited: readonly string[];
}

export function inputGuards(inputs: readonly InputColumnSchema[]): InputGuards {
  return {
    numeric: inputs.filter((c) => c.type === 'numeric').map((c) => c.name),
    inherited: inputs.map((c) => c.name).filter((name) => INHERITED_NAMES.has(name)),
  };
}

/**
 * Rows whose schema columns are read as own properties only: a row lacking a column named
 * `toString` must read as missing, not as Object.prototype.toString. Rows are copied (without a
 * prototype) only when the schema has such a column and the row lacks it.
 */
export function ownColumns(rows: readonly RawRow[], guards: InputGuards): readonly RawRow[] {
  if (guards.inherited.length === 0) return rows;
  return rows.map((row) => {
    if (guards.inherited.every((name) => Object.hasOwn(row, name))) return row;
    const copy = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(row)) copy[key] = (row as Record<string, unknown>)[key];
    return copy;
  });
}

/** The number a numeric cell holds as sent (JSON number or text); undefined when it is none. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * Refuses numeric values beyond float32's range (about ±3.4e38), naming row and column: they
 * would overflow to Infinity / NaN inside the model and answer with no number at all.
 */
export function checkFloat32Range(rows: readonly RawRow[], guards: InputGuards): void {
  const details: InputErrorDetail[] = [];
  let problems = 0;
  const bad = new Set<number>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    for (const column of guards.numeric) {
      if (!Object.hasOwn(row, column)) continue;
      const n = numberOf(row[column]);
      if (n === undefined || Math.abs(n) <= FLOAT32_MAX || !Number.isFinite(n)) continue;
      problems++;
      bad.add(r);
      if (details.length < MAX_ERROR_DETAILS) {
        details.push({
          row: r,
          column,
          problem: 'out_of_allowed_range',
          expected: 'a number within float32 range (±3.4e38)',
          received: n,
          message: `row ${r}, column ${JSON.stringify(column)}: expected a number within float32 range (±3.4e38), got ${n}`,
        });
      }
    }
  }
  if (problems > 0) throw new FeatureInputError(details, { problems, rows: bad.size });
}

/** Rows whose model output holds NaN or ±Infinity (at most MAX_ERROR_DETAILS of them). */
export function nonFiniteRows(outputs: Float32Array, width: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < outputs.length; i++) {
    if (Number.isFinite(outputs[i] as number)) continue;
    const row = Math.floor(i / width);
    if (rows.at(-1) !== row) rows.push(row);
    if (rows.length >= MAX_ERROR_DETAILS) break;
    i = (row + 1) * width - 1;
  }
  return rows;
}
