import { createHash, type Hash } from 'node:crypto';

/** The first line of the serialization: a new layout gets a new version here. */
const LAYOUT = 'tandem-rows/1';

/**
 * The content hash of rows that are not a file (a query's result, rows taken from a log): sha256
 * of a canonical serialization, so the same rows in the same order give the same hash anywhere.
 * The layout: a line `tandem-rows/1`, the JSON of the origin text (the query), the JSON of the
 * column names, then one line per row, the JSON array of its cells in column order (a column a
 * record lacks is null). Lines end with "\n". See docs/data.md.
 */
export class RowHasher {
  private readonly hash: Hash;
  private readonly columns: readonly string[];
  private count = 0;

  constructor(origin: string, columns: readonly string[]) {
    this.columns = columns;
    this.hash = createHash('sha256');
    this.hash.update(`${LAYOUT}\n${JSON.stringify(origin)}\n${JSON.stringify(columns)}\n`);
  }

  add(record: Readonly<Record<string, unknown>>): void {
    const cells = this.columns.map((column) => record[column] ?? null);
    this.hash.update(`${JSON.stringify(cells)}\n`);
    this.count++;
  }

  get rows(): number {
    return this.count;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The sha256 of rows already in memory, as RowHasher computes it while they stream. */
export function hashRows(
  origin: string,
  columns: readonly string[],
  rows: Iterable<Readonly<Record<string, unknown>>>,
): string {
  const hasher = new RowHasher(origin, columns);
  for (const row of rows) hasher.add(row);
  return hasher.digest();
}
