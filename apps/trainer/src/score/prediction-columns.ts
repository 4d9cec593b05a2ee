import { TrainerError } from '../errors.ts';

/** Name of the column holding why a row was not scored (when no rejects file is given). */
export const ERROR_COLUMN = 'error';

/**
 * The columns appended to each scored row:
 * - classifiers: `label` (the most probable class) and `probability_<class>` per class, in the
 *   model's class order (`classes`);
 * - regressors (no classes): `value`.
 */
export function predictionColumns(classes: readonly string[] | undefined): string[] {
  if (classes === undefined) return ['value'];
  return ['label', ...classes.map((name) => `probability_${name}`)];
}

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
      throw new TrainerError(
        'TANDEM_SCORE_COLUMN_CLASH',
        `${where}: input column "${column}" has the name of an output column (${added.join(', ')}); rename it`,
      );
    }
  }
}
