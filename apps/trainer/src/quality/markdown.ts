import type { Metrics } from '@tandem/model-store';
import type { GitProvenance } from '../artifact/provenance.ts';
import { formatNumber } from '../report/table.ts';
import type { QualityRun } from './run.ts';

export interface RunContext {
  command: string;
  date: Date;
  machine: string;
  node: string;
  tfjs: string;
  git: GitProvenance | undefined;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** The comparison table: one row per shipped config, trained with its own seed. */
function comparisonTable(runs: readonly QualityRun[]): string[] {
  const rows = runs
    .filter((run) => run.seed === 'config')
    .map((run) => [
      run.target.dataset,
      run.target.metric,
      formatNumber(run.value),
      `${formatNumber(run.target.reference.value)} (${run.target.reference.model})`,
      `${run.target.higherIsBetter ? '≥' : '≤'} ${run.target.threshold}`,
      run.passed ? 'pass' : '**FAIL**',
      run.trainSeconds.toFixed(1),
      run.backend,
    ]);
  return table(
    [
      'dataset',
      'metric',
      'Tandem',
      'scikit-learn reference',
      'threshold',
      'result',
      'training s',
      'backend',
    ],
    rows,
  );
}

const DETAIL_KEYS: ReadonlyArray<keyof Metrics> = [
  'accuracy',
  'auc',
  'macroF1',
  'logLoss',
  'rmse',
  'mae',
  'r2',
];

/** Every test metric of the config-seed runs beside the trivial baseline's. */
function detailTable(runs: readonly QualityRun[]): string[] {
  const rows = runs
    .filter((run) => run.seed === 'config')
    .map((run) => [
      run.target.dataset,
      ...DETAIL_KEYS.map((key) => {
        const value = run.metrics[key];
        if (typeof value !== 'number') return '';
        return `${formatNumber(value)} (${formatNumber(run.baseline[key] as number | undefined)})`;
      }),
      String(run.epochs),
      run.target.notes,
    ]);
  return table(['dataset', ...DETAIL_KEYS, 'epochs', 'scikit-learn (README)'], rows);
}

/** min / median / max of the headline metric over the extra seeds, and whether all passed. */
function robustnessTable(runs: readonly QualityRun[]): string[] {
  const byDataset = new Map<string, QualityRun[]>();
  for (const run of runs) {
    if (run.seed === 'config') continue;
    const list = byDataset.get(run.target.dataset) ?? [];
    list.push(run);
    byDataset.set(run.target.dataset, list);
  }
  const rows = [...byDataset.values()].map((list) => {
    const first = list[0] as QualityRun;
    const values = list.map((run) => run.value ?? Number.NaN).sort((a, b) => a - b);
    const median = values[Math.floor((values.length - 1) / 2)];
    const seconds = list.map((run) => run.trainSeconds);
    return [
      first.target.dataset,
      first.target.metric,
      list.map((run) => String(run.seed)).join(', '),
      formatNumber(values[0]),
      formatNumber(median),
      formatNumber(values.at(-1)),
      `${list.filter((run) => run.passed).length}/${list.length}`,
      `${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)}`,
    ];
  });
  return table(
    ['dataset', 'metric', 'seeds', 'min', 'median', 'max', 'passed', 'training s'],
    rows,
  );
}

/** docs/quality.md: how the figures were made, then the tables. */
export function qualityDocument(runs: readonly QualityRun[], context: RunContext): string {
  const robustness = runs.some((run) => run.seed !== 'config');
  const lines = [
    '# Quality: shipped configs against scikit-learn',
    '',
    `Written by \`${context.command}\` (run it again to refresh this file; it is replaced atomically).`,
    'Each config in `data/models/` is trained on its fixed split (`data/splits/`) into a temporary',
    'model store and evaluated on the test part through the same `Predictor` the server uses.',
    "The reference is the better of scikit-learn's logistic / ridge regression and `mlp_es` from",
    '`../shared/datasets/README.md`; the threshold is one standard error of the test metric from it.',
    '',
    `- date: ${context.date.toISOString()}`,
    `- machine: ${context.machine}`,
    `- Node ${context.node}, TensorFlow.js ${context.tfjs}`,
    ...(context.git
      ? [`- commit: ${context.git.commit}${context.git.dirty ? ' (with uncommitted changes)' : ''}`]
      : []),
    '',
    '## Comparison',
    '',
    ...comparisonTable(runs),
    '',
    '`training s` is the training loop alone (epochs until early stopping), not loading or evaluation.',
    '',
    '## All test metrics (trivial baseline in parentheses)',
    '',
    ...detailTable(runs),
  ];
  if (robustness) {
    lines.push(
      '',
      '## Robustness: the same configs with other seeds',
      '',
      'The seed changes weight initialisation, batch order and the validation part carved from the',
      'training rows; the test rows stay those of the fixed split.',
      '',
      ...robustnessTable(runs),
    );
  }
  return `${lines.join('\n')}\n`;
}
