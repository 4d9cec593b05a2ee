import { displayPath } from '@tandem/cli';
import { TrainerError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';

/**
 * Reads a fixed split `{"train": [...], "test": [...]}` and returns indices into the rows that
 * hold a target. The file lists 0-based data-row numbers of the data file (header excluded):
 * the shared datasets' splits/*.json count that way, and leave out exactly the rows without a
 * target (cars.json skips rows 10–14, 17, 39 and 367). Listing a row without a target is an error.
 *
 * @param rowNumbers data-row number in the file of each row holding a target, ascending
 * @param fileRows number of data rows in the file
 */
export async function readSplitFile(
  file: string,
  rowNumbers: readonly number[],
  fileRows: number,
): Promise<{ train: number[]; test: number[] }> {
  const shown = displayPath(file);
  const fail = (problem: string): TrainerError =>
    new TrainerError('TANDEM_SPLIT_INVALID', `split file ${shown}: ${problem}`);
  const raw = await readJsonFile(file, 'split file', {
    unreadable: 'TANDEM_SPLIT_INVALID',
    invalid: 'TANDEM_SPLIT_INVALID',
  });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw fail('expected an object {"train": [...], "test": [...]}');
  }
  const record = raw as Record<string, unknown>;
  const indexOf = new Map(rowNumbers.map((number, index) => [number, index]));
  const seen = new Set<number>();
  const read = (key: 'train' | 'test'): number[] => {
    const list = record[key];
    if (!Array.isArray(list) || list.length === 0) {
      throw fail(`"${key}" must be a non-empty array of row numbers`);
    }
    return list.map((value: unknown) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= fileRows) {
        throw fail(
          `"${key}" holds ${JSON.stringify(value)}, not a row number in [0, ${fileRows}) (the data file has ${fileRows} data rows)`,
        );
      }
      if (seen.has(value)) throw fail(`row ${value} is listed twice`);
      seen.add(value);
      const index = indexOf.get(value);
      if (index === undefined) throw fail(`"${key}" lists row ${value}, which has no target`);
      return index;
    });
  };
  const train = read('train');
  const test = read('test');
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
