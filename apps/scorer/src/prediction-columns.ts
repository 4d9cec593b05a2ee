import { ScorerError } from './errors.ts';

/** Name of the column holding why a row was not scored (when no rejects file is given). */
export const ERROR_COLUMN = 'error';

/**
 * Fails when an input column would be shadowed by an added column: the output would hold two
 * columns of the same name.
 */
export function checkNoClash(
  inputColumns: Iterable<string>,
  added: readonly string[],
  where: string,
): void {
  const addedSet = new Set(added);
  for (const column of inputColumns) {
    if (addedSet.has(column)) {
      throw new ScorerError(
        'TANDEM_SCORE_COLUMN_CLASH',
        `${where}: input column "${column}" has the name of an output column (${added.join(', ')}); rename it`,
      );
    }
  }
}
