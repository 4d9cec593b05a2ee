import { LabelEncoder, type RawRow } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { TrainerError } from '../errors.ts';
import { toNumber } from './cells.ts';

/** The class name of a classification target, as LabelEncoder sees it. */
export function classOf(value: unknown): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

/**
 * Checks that the target column suits the task. `rows` hold a target each; `rowNumbers` gives
 * each one's 0-based data row in the file, which messages name (rows without a target were left
 * out, so a row's index in `rows` is not its place in the file).
 */
export function checkTarget(
  task: Task,
  target: string,
  rows: readonly RawRow[],
  rowNumbers: readonly number[],
): void {
  if (rows.length === 0) {
    throw new TrainerError('TANDEM_DATA_INVALID', `target column "${target}" has no values`);
  }
  if (task === 'regression') {
    rows.forEach((row, index) => {
      if (toNumber(row[target]) === undefined) {
        throw new TrainerError(
          'TANDEM_DATA_INVALID',
          `regression target column "${target}" is not numeric: data row ${rowNumbers[index] ?? index} holds ${JSON.stringify(row[target])}`,
        );
      }
    });
    return;
  }
  // The label encoder decides what counts as one class ("1" and "1.0" do when all are numbers).
  const { classes } = LabelEncoder.fit(
    rows.map((row) => row[target]),
    { column: target },
  );
  if (classes.length < 2) {
    throw new TrainerError(
      'TANDEM_DATA_INVALID',
      `target column "${target}" has fewer than two classes (only ${JSON.stringify(classes[0])})`,
    );
  }
  if (task === 'binary' && classes.length > 2) {
    const shown = classes
      .slice(0, 5)
      .map((c) => JSON.stringify(c))
      .join(', ');
    throw new TrainerError(
      'TANDEM_DATA_INVALID',
      `task "binary" needs exactly two classes but target column "${target}" has ${classes.length} (${shown}${classes.length > 5 ? ', …' : ''}): use task "multiclass"`,
    );
  }
}
