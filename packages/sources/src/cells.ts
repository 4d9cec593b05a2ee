/**
 * Typed values from Parquet and PostgreSQL as Tandem cells: the string / number / null cells a
 * CSV file gives through @tandem/tabular, so a column reads, infers and encodes the same whatever
 * held it. The mapping is documented in docs/data.md.
 */

/** A cell of a record: what the features package reads. */
export type Cell = string | number | null;

/** An integer: a number while it is exact as one, else its decimal text (nothing rounded). */
export function integerCell(value: bigint | number): Cell {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** A float: NaN and ±Infinity are no value (missing), as the features package counts them. */
export function floatCell(value: number): Cell {
  return Number.isFinite(value) ? value : null;
}

/** A boolean: the words the features package reads as one, as a CSV export holds them. */
export function booleanCell(value: boolean): Cell {
  return value ? 'true' : 'false';
}

/** An instant: ISO-8601 in UTC with milliseconds, "2024-03-01T12:30:00.000Z". */
export function instantCell(value: Date): Cell {
  return Number.isNaN(value.getTime()) ? null : value.toISOString();
}

/** A calendar date (days since 1970-01-01): "2024-03-01". */
export function dateCell(daysSinceEpoch: number): Cell {
  const date = new Date(daysSinceEpoch * 86_400_000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

const PG_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:\+00(?::00)?)?$/;

/**
 * PostgreSQL's text of a timestamp (the session in UTC, DateStyle ISO) as an instant cell:
 * "2024-03-01 12:30:00.123456+00" → "2024-03-01T12:30:00.123Z" (microseconds truncated).
 * 'infinity' and '-infinity' are no value. A timestamp without time zone reads as UTC.
 */
export function pgTimestampCell(text: string): Cell | undefined {
  if (text === 'infinity' || text === '-infinity') return null;
  const match = PG_TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const millis = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  return `${match[1]}T${match[2]}.${millis}Z`;
}

/** PostgreSQL's text of a date (DateStyle ISO): kept, or no value for ±infinity. */
export function pgDateCell(text: string): Cell | undefined {
  if (text === 'infinity' || text === '-infinity') return null;
  return /^\d{4}-\d\d-\d\d$/.test(text) ? text : undefined;
}
