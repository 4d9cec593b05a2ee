import { LabelEncoder, type RawRow } from '@tandem/features';
import type { Task } from '@tandem/model-store';
import { TrainerError } from '../errors.ts';

/** A target cell that counts as absent: the row cannot be used for training or evaluation. */
export function isMissingTarget(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  return typeof value === 'number' && !Number.isFinite(value);
}

/** The class name of a classification target, as LabelEncoder sees it. */
export function classOf(value: unknown): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

/** A regression target as a number, or undefined when it does not read as one. */
export function numericTarget(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Checks that the target column suits the task; `rows` hold a target each. */
export function checkTarget(task: Task, target: string, rows: readonly RawRow[]): void {
  if (rows.length === 0) {
    throw new TrainerError('TANDEM_DATA_INVALID', `target column "${target}" has no values`);
  }
  if (task === 'regression') {
    rows.forEach((row, index) => {
      if (numericTarget(row[target]) === undefined) {
        throw new TrainerError(
          'TANDEM_DATA_INVALID',
          `regression target column "${target}" is not numeric: data row ${index} holds ${JSON.stringify(row[target])}`,
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
