/**
 * A large data file made from credit rows, for training benchmarks: rows drawn with replacement
 * from data/credit.csv, each numeric value multiplied by (1 + 0.05·z) with z standard normal and
 * rounded to 2 decimals (zeros stay zeros, missing stays missing, so the set keeps credit's
 * structure but has many more distinct values to bin). Categorical, yes/no and target cells are
 * copied. Seeded: the same seed gives the same bytes.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readTable } from '../src/data/read.ts';
import { mulberry32, type Random } from '../src/split/prng.ts';

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** Box–Muller: one standard normal draw from two uniforms. */
function normal(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // credit.csv has no quoted cell; a cell that would need quoting means another source file.
  if (/[",\r\n]/.test(text))
    throw new Error(`synthetic set: cell ${JSON.stringify(text)} needs quoting`);
  return text;
}

/**
 * Writes `rows` data rows (plus the header) to `out` and returns the column names.
 *
 * @example await writeSyntheticCredit('data/credit.csv', '/tmp/credit-500k.csv', 500_000, 1);
 */
export async function writeSyntheticCredit(
  source: string,
  out: string,
  rows: number,
  seed: number,
): Promise<string[]> {
  const table = await readTable(source);
  const { columns } = table;
  const numeric = columns.map((name) =>
    table.rows.every((row) => row[name] === null || NUMERIC.test(String(row[name]))),
  );
  const random = mulberry32(seed);
  const stream = createWriteStream(out);
  const write = async (text: string): Promise<void> => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  await write(`${columns.join(',')}\n`);
  let block: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = table.rows[Math.floor(random() * table.rows.length)];
    if (row === undefined) throw new Error('synthetic set: the source file has no rows');
    const cells = columns.map((name, column) => {
      const value = row[name];
      if (!numeric[column] || value === null || value === undefined) return cellText(value);
      const noisy = Number(value) * (1 + 0.05 * normal(random));
      return String(Math.round(noisy * 100) / 100);
    });
    block.push(cells.join(','));
    if (block.length === 10_000) {
      await write(`${block.join('\n')}\n`);
      block = [];
    }
  }
  if (block.length > 0) await write(`${block.join('\n')}\n`);
  stream.end();
  await once(stream, 'finish');
  return columns;
}
