import { readFile } from 'node:fs/promises';
import { TrainerError } from '../errors.ts';
import { displayPath } from '../io/paths.ts';

/**
 * Reads a fixed split `{"train": [...], "test": [...]}` of 0-based row numbers counted after
 * rows without a target were removed (the format of the shared datasets' splits/*.json).
 */
export async function readSplitFile(
  file: string,
  rowCount: number,
): Promise<{ train: number[]; test: number[] }> {
  const shown = displayPath(file);
  const fail = (problem: string): TrainerError =>
    new TrainerError('TANDEM_SPLIT_INVALID', `split file ${shown}: ${problem}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TrainerError('TANDEM_SPLIT_INVALID', `split file not found: ${shown}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw fail('not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw fail('expected an object {"train": [...], "test": [...]}');
  }
  const record = raw as Record<string, unknown>;
  const seen = new Set<number>();
  const read = (key: 'train' | 'test'): number[] => {
    const list = record[key];
    if (!Array.isArray(list) || list.length === 0) throw fail(`"${key}" must be a non-empty array of row numbers`);
    return list.map((value: unknown) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= rowCount) {
        throw fail(
          `"${key}" holds ${JSON.stringify(value)}, not a row number in [0, ${rowCount}) (the data has ${rowCount} rows with a target)`,
        );
      }
      if (seen.has(value)) throw fail(`row ${value} is listed twice`);
      seen.add(value);
      return value;
    });
  };
  const train = read('train');
  const test = read('test');
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
