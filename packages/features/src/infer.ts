import { FeatureFitError } from './errors.ts';
import { booleanWord } from './read/boolean.ts';
import { parseIsoDate } from './read/datetime.ts';
import { isDecimalNumber } from './read/number.ts';
import { isBlank } from './read/status.ts';
import type {
  ColumnSpec,
  ColumnType,
  InferenceReport,
  InferOptions,
  InferredColumn,
  PipelineSpec,
  RawRow,
} from './types.ts';

/**
 * Infers a pipeline spec from training rows, with the reason for each column's type:
 * - every non-missing value is true / false / yes / no (booleans or strings, any case) → boolean;
 * - every non-missing value is a number or a numeric string ("42", " 3.5 ") → numeric;
 * - every non-missing value is an ISO-8601 date string ("1970-01-01", "2024-03-01T12:00Z"; also
 *   year first with slashes, "2024/03/01 12:00") → datetime;
 * - otherwise → categorical, unless it looks like an identifier: at least
 *   IDENTIFIER_MIN_DISTINCT distinct strings making up IDENTIFIER_SHARE of its values (titles,
 *   names, ids): such a column is left out and reported, as one-hot levels or category codes
 *   that almost never repeat teach a model nothing but the training rows (and one output per row
 *   would grow the encoded width with the data). An override for the column keeps it;
 * - a column with no value at all → numeric (fitting imputes the constant 0 and notes it).
 * Missing means absent, null, "" or whitespace only. Columns appear in first-seen order.
 *
 * @example
 * const { spec, report } = inferSchema(rows, { exclude: ['Status'] });
 * console.log(report.text);
 */
/** Fewest distinct strings for a column to count as an identifier. */
export const IDENTIFIER_MIN_DISTINCT = 50;
/** Least share of a column's non-empty values that are distinct for it to count as an identifier. */
export const IDENTIFIER_SHARE = 0.95;

export function inferSchema(
  rows: readonly RawRow[],
  options?: InferOptions,
): { spec: PipelineSpec; report: InferenceReport } {
  const excludedNames = new Set(options?.exclude ?? []);
  const overrides = options?.overrides ?? {};
  const names = columnNames(rows);
  for (const name of Object.keys(overrides)) {
    if (!names.includes(name) || excludedNames.has(name)) {
      throw new FeatureFitError(
        `inferSchema: the override for "${name}" names no input column of the training rows`,
        name,
      );
    }
  }

  const columns: ColumnSpec[] = [];
  const inferred: InferredColumn[] = [];
  const excluded: string[] = [];
  const identifiers: InferenceReport['identifiers'] = [];
  for (const name of names) {
    if (excludedNames.has(name)) {
      excluded.push(name);
      continue;
    }
    const guess = inferColumn(rows, name);
    const override = overrides[name];
    if (override === undefined && guess.identifier) {
      identifiers.push({ name, reason: guess.reason });
      continue;
    }
    const spec: ColumnSpec = { name, type: guess.type, ...override };
    spec.name = name;
    const reason =
      override?.type !== undefined && override.type !== guess.type
        ? `declared ${override.type} by override (inferred ${guess.type}: ${guess.reason})`
        : guess.reason;
    columns.push(spec);
    inferred.push({ name, type: spec.type, reason, missing: guess.missing });
  }
  if (columns.length === 0) {
    throw new FeatureFitError(
      'inferSchema: the training rows hold no input column' +
        (identifiers.length > 0
          ? ` (left out as identifiers: ${identifiers.map((column) => column.name).join(', ')}; ` +
            'name one under "features" to keep it)'
          : ''),
    );
  }
  return {
    spec: { columns },
    report: {
      columns: inferred,
      excluded,
      identifiers,
      text: reportText(inferred, excluded, identifiers, rows.length),
    },
  };
}

/** Keys of all rows, in first-seen order. */
function columnNames(rows: readonly RawRow[]): string[] {
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new FeatureFitError(`inferSchema: training row ${i} is not an object`);
    }
    for (const key of Object.keys(row)) seen.add(key);
  });
  return [...seen];
}

interface ColumnGuess {
  type: ColumnType;
  reason: string;
  missing: number;
  /** A categorical column whose values almost never repeat. */
  identifier?: boolean;
}

function inferColumn(rows: readonly RawRow[], name: string): ColumnGuess {
  let missing = 0;
  let numbers = 0;
  let booleans = 0;
  let dates = 0;
  let structured = 0;
  let example: string | undefined;
  const distinct = new Set<string>();
  for (const row of rows) {
    const value = row[name];
    if (value === undefined || value === null || (typeof value === 'string' && isBlank(value))) {
      missing++;
      continue;
    }
    if (typeof value === 'number') {
      numbers++;
    } else if (typeof value === 'boolean') {
      booleans++;
    } else if (typeof value === 'string') {
      distinct.add(value);
      if (isDecimalNumber(value)) numbers++;
      else if (isBooleanWord(value)) booleans++;
      else if (!Number.isNaN(parseIsoDate(value))) dates++;
      else example ??= value;
    } else {
      structured++;
    }
  }
  const present = rows.length - missing;
  const missingText = missing > 0 ? `; ${missing} missing` : '';
  if (present === 0) {
    return {
      type: 'numeric',
      reason: `all ${rows.length} values are missing: numeric by default (imputed with the constant 0)`,
      missing,
    };
  }
  const all = `${present} of ${present} non-empty values`;
  if (booleans === present)
    return { type: 'boolean', reason: `${all} are true/false or yes/no${missingText}`, missing };
  if (numbers === present)
    return { type: 'numeric', reason: `${all} parse as numbers${missingText}`, missing };
  if (dates === present)
    return { type: 'datetime', reason: `${all} are ISO-8601 dates${missingText}`, missing };
  const parts = [`${distinct.size} distinct strings`];
  if (example !== undefined) {
    parts.push(
      `${present - numbers} of ${present} non-empty values are not numbers (e.g. ${JSON.stringify(example)})`,
    );
  } else {
    parts.push('mixed numbers, booleans and dates');
  }
  if (structured > 0)
    parts.push(`${structured} values are objects or arrays, which fitting rejects`);
  const identifier =
    distinct.size >= IDENTIFIER_MIN_DISTINCT && distinct.size >= IDENTIFIER_SHARE * present;
  if (identifier) {
    const share = ((100 * distinct.size) / present).toFixed(1);
    parts.unshift(`identifier-like: ${share} % of ${present} non-empty values are distinct`);
  }
  return { type: 'categorical', reason: parts.join('; ') + missingText, missing, identifier };
}

/** true / false / yes / no in any case; "1" and "0" count as numbers, not booleans. */
function isBooleanWord(text: string): boolean {
  return text.length > 1 && booleanWord(text) >= 0;
}

function reportText(
  columns: readonly InferredColumn[],
  excluded: readonly string[],
  identifiers: InferenceReport['identifiers'],
  rows: number,
): string {
  const countOf = (type: ColumnType) => columns.filter((column) => column.type === type).length;
  const header =
    `Inferred ${columns.length} input columns from ${rows} rows: ` +
    `${countOf('numeric')} numeric, ${countOf('categorical')} categorical, ` +
    `${countOf('boolean')} boolean, ${countOf('datetime')} datetime` +
    (excluded.length > 0 ? `; excluded: ${excluded.join(', ')}` : '') +
    (identifiers.length > 0
      ? `; left out as identifiers: ${identifiers.map((column) => column.name).join(', ')}`
      : '');
  const nameWidth = Math.max(...[...columns, ...identifiers].map((column) => column.name.length));
  const lines = columns.map(
    (column) => `  ${column.name.padEnd(nameWidth)}  ${column.type.padEnd(11)}  ${column.reason}`,
  );
  const left = identifiers.map(
    (column) =>
      `  ${column.name.padEnd(nameWidth)}  ${'left out'.padEnd(11)}  ${column.reason} ` +
      '(name it under "features" to keep it)',
  );
  return [header, ...lines, ...left].join('\n');
}
