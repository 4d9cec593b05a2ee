import type { Task } from '@tandem/model-store';
import { alignColumns, formatNumber, TASK_METRICS } from '../report/table.ts';
import type { AutoSummary, CandidateRecord } from './auto.ts';

/**
 * The printed comparison: what ranked the candidates (pooled out-of-fold loss, with the folds'
 * spread, or the validation part's loss), the refit's length, then test metrics of the model
 * each candidate ended with.
 */
export function comparisonTable(
  task: Task,
  summary: AutoSummary,
  records: readonly CandidateRecord[],
): string[] {
  const folds = summary.ranking === 'cross-validation';
  const lossName = task === 'regression' ? 'RMSE' : 'log loss';
  const keys = TASK_METRICS[task].filter((key) => key !== 'precision' && key !== 'recall');
  const header = [
    'candidate',
    'train s',
    folds ? `cv ${lossName}` : `val ${lossName}`,
    ...(folds ? ['fold min – max', 'refit'] : []),
    ...keys.map((k) => `test ${k}`),
  ];
  const rows: string[][] = [header];
  for (const record of records) {
    if ('skipped' in record) {
      rows.push([record.model, '-', 'skipped', ...(folds ? ['', ''] : []), ...keys.map(() => '')]);
      continue;
    }
    if (record.model === 'ensemble') {
      const losses = record.foldLosses ?? [];
      rows.push([
        `ensemble${record.chosen ? ' *' : ''}`,
        record.trainSeconds.toFixed(1),
        formatNumber(record.validationLoss),
        ...(folds ? [foldSpread(losses), 'members’ refits'] : []),
        ...keys.map((key) => formatNumber(record.test[key] as number | undefined)),
      ]);
      continue;
    }
    const losses = record.crossValidation?.folds.map((fold) => fold.loss) ?? [];
    rows.push([
      `${record.model}${record.chosen ? ' *' : ''}${record.stoppedByBudget > 0 ? ' †' : ''}`,
      record.trainSeconds.toFixed(1),
      formatNumber(record.validationLoss),
      ...(folds
        ? [foldSpread(losses), record.refit ? `${record.refit.length} ${record.refit.unit}s` : '']
        : []),
      ...keys.map((key) => formatNumber(record.test[key] as number | undefined)),
    ]);
  }
  const title = folds
    ? `auto: candidates ranked by the ${lossName} of ${summary.folds}-fold out-of-fold ` +
      `predictions over ${summary.rows} rows, each refitted on all of them (* = chosen)`
    : `auto: candidates ranked by ${lossName} on the validation part (* = chosen)`;
  const blend = records.find((record) => record.model === 'ensemble' && 'members' in record);
  const weights =
    blend && 'members' in blend
      ? [
          `ensemble: ${blend.members.map((m) => `${m.model} ${m.weight.toFixed(2)}`).join(' + ')} ` +
            `(${blend.picks} greedy picks on the same held-out predictions)`,
        ]
      : [];
  const cut = records.some((record) => 'stoppedByBudget' in record && record.stoppedByBudget > 0);
  return [
    title,
    ...alignColumns(rows),
    ...weights,
    ...(cut ? ['† stopped early by the time budget (model.budgetSeconds)'] : []),
  ];
}

function foldSpread(losses: readonly number[]): string {
  return losses.length
    ? `${formatNumber(Math.min(...losses))} – ${formatNumber(Math.max(...losses))}`
    : '';
}
