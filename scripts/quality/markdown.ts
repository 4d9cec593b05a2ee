import type { Metrics } from '@tandem/model-store';
import type { Agreement } from '@tandem/trainer';
import { type DatasetReference, hgbThreshold, hgbValue, higherIsBetter } from './references.ts';
import type { ModelFamily } from './run.ts';
import { type Cell, type QualityRun, type Spread, summarize } from './summary.ts';

export interface DocumentContext {
  command: string;
  date: Date;
  machine: string;
  node: string;
  commit: string | undefined;
  seeds: readonly number[];
  models: readonly ModelFamily[];
  /** scikit-learn HGB on Tandem's tree encoding, per dataset (agreement fixtures). */
  nativeHgb: ReadonlyMap<string, { metrics: Metrics; sklearn: string }>;
  /** gbdt against scikit-learn's predictions, early stopping off (empty when not measured). */
  agreements: readonly Agreement[];
}

function scientific(value: number): string {
  return value === 0 ? '0' : value.toExponential(1);
}

function agreementSection(agreements: readonly Agreement[]): string[] {
  if (agreements.length === 0) return [];
  const rows = agreements.map((a) => [
    a.dataset,
    String(a.testRows),
    scientific(a.maxDelta),
    scientific(a.meanDelta),
    scientific(a.maxMarginDelta),
    String(a.rowsApart),
    a.sameLabel.toFixed(4),
  ]);
  return [
    '## Agreement with scikit-learn (early stopping off)',
    '',
    `Tandem's gbdt and scikit-learn ${agreements[0]?.sklearn}'s HistGradientBoosting, defaults and`,
    'early stopping off on both sides, trained on exactly the training rows of each split (no',
    'validation part carved), predicting the test rows: |Δ| of the class probabilities',
    '(regression: of the values), of the raw margins, the rows more than 1e-4 apart and the share',
    'of equal predicted labels. `apps/trainer/test/gbdt-sklearn.test.ts` holds these bounds.',
    '',
    ...table(
      [
        'dataset',
        'test rows',
        'max \\|Δ\\|',
        'mean \\|Δ\\|',
        'max \\|Δ margin\\|',
        'rows apart',
        'same label',
      ],
      rows,
    ),
    '',
    'Why differences remain: outputs are float32 in Tandem and float64 in scikit-learn (up to',
    '6e-8 on a probability, 2e-6 on a cars value); numeric inputs and thresholds are float32 in',
    'Tandem (scikit-learn refitted on float32-cast inputs moves by at most 5e-7 here); and where two',
    'splits have exactly equal gain the winner depends on the last bits of the histogram sums:',
    'penguins has such ties (scikit-learn itself, refitted with the columns in reverse order, moves',
    'a probability by 0.0095 and 3 rows by more than 1e-4). Categorical splits follow',
    "scikit-learn's rules (categories ordered by G / (H + 10), at least 10 rows' worth of hessian",
    'per category considered, the others sent right).',
    '',
  ];
}

function number(value: unknown): string {
  return typeof value !== 'number' || !Number.isFinite(value) ? '' : value.toFixed(4);
}

function meanSd(s: Spread | undefined): string {
  return s === undefined ? '' : `${number(s.mean)} ± ${number(s.sd)}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function verdict(cell: Cell, seedCount: number): string {
  if (cell.runs === 0) return 'not run';
  if (cell.headline === undefined) return `failed (${cell.failed}/${cell.runs})`;
  const mark = cell.meetsHgb ? 'yes' : '**no**';
  const failed = cell.failed > 0 ? `, ${cell.failed} failed` : '';
  const seeds = cell.headline.n < seedCount ? ` (${cell.headline.n} of ${seedCount} seeds)` : '';
  return `${meanSd(cell.headline)} ${mark}${seeds}${failed}`;
}

function summaryTable(
  references: readonly DatasetReference[],
  cells: ReadonlyMap<string, Cell>,
  models: readonly ModelFamily[],
  seedCount: number,
): string[] {
  const rows = references.map((reference) => [
    reference.dataset,
    reference.metric,
    number(hgbValue(reference)),
    `${higherIsBetter(reference.metric) ? '≥' : '≤'} ${hgbThreshold(reference)}`,
    ...models.map((model) =>
      verdict(cells.get(`${reference.dataset}/${model}`) as Cell, seedCount),
    ),
  ]);
  return table(['dataset', 'metric', 'scikit-learn hgb', 'within one SE', ...models], rows);
}

function chosenText(chosen: Record<string, number>): string {
  return Object.entries(chosen)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([family, count]) => `${family} ${count}`)
    .join(', ');
}

function datasetSection(
  reference: DatasetReference,
  cells: ReadonlyMap<string, Cell>,
  context: DocumentContext,
): string[] {
  const { metric, secondary } = reference;
  const rows = context.models.map((model) => {
    const cell = cells.get(`${reference.dataset}/${model}`) as Cell;
    const h = cell.headline;
    return [
      `Tandem ${model}`,
      meanSd(h),
      h ? `${number(h.min)} – ${number(h.max)}` : '',
      `${cell.seedsMeeting}/${cell.runs}`,
      meanSd(cell.secondary),
      cell.seconds ? cell.seconds.mean.toFixed(1) : '',
      model === 'auto' ? chosenText(cell.chosen) : '',
    ];
  });
  // A reference has one figure per metric, no spread, time or choice.
  const referenceRow = (label: string, metrics: Metrics): string[] => [
    label,
    number(metrics[metric]),
    '',
    '',
    number(metrics[secondary]),
    '',
    '',
  ];
  for (const figure of reference.figures) {
    rows.push(referenceRow(`scikit-learn ${figure.model} (README)`, figure.metrics));
  }
  const native = context.nativeHgb.get(reference.dataset);
  if (native) {
    rows.push(
      referenceRow(`scikit-learn ${native.sklearn} hgb on Tandem's tree encoding`, native.metrics),
    );
  }
  const lines = [
    `### ${reference.dataset}`,
    '',
    ...table(
      [
        'model',
        `${metric} mean ± sd`,
        'min – max',
        'seeds within one SE',
        `${secondary} mean ± sd`,
        'training s',
        'kept by auto',
      ],
      rows,
    ),
  ];
  const errors = context.models
    .map((model) => cells.get(`${reference.dataset}/${model}`) as Cell)
    .filter((cell) => cell.firstError !== undefined);
  if (errors.length > 0) {
    lines.push('', ...errors.map((cell) => `- ${cell.model} failed: ${cell.firstError}`));
  }
  return lines;
}

/** docs/quality.md: how the figures were made, the summary, then one table per dataset. */
export function qualityDocument(
  references: readonly DatasetReference[],
  runs: readonly QualityRun[],
  context: DocumentContext,
): string {
  const cells = new Map<string, Cell>();
  for (const reference of references) {
    for (const model of context.models) {
      cells.set(`${reference.dataset}/${model}`, summarize(reference, model, runs));
    }
  }
  const seeds = context.seeds.join(', ');
  const lines = [
    "# Quality: Tandem's model families against scikit-learn",
    '',
    `Written by \`${context.command}\`; run it again to refresh this file (it is replaced atomically).`,
    '',
    '- Every shipped dataset is trained on the training rows of its fixed split (`data/splits/`)',
    '  and evaluated on the test rows through the same `Predictor` the server uses, once per',
    `  model family and seed (seeds ${seeds}). The seed changes the validation rows carved from the`,
    "  training rows (early stopping, auto's choice), weight initialisation and batch order; the",
    '  test rows never change.',
    "- `linear` and `mlp` keep the shipped config's training settings (and its model settings when",
    '  it ships that family: credit, titanic and cars ship an MLP, penguins a linear model); `gbdt`',
    '  and `auto` get the four required keys, the shipped `drop` list and the split file, every',
    '  other setting at its default: what a user who names only the data gets. gbdt stops early',
    "  as scikit-learn's default (`early_stopping='auto'`) does: only above 10,000 training +",
    '  validation rows, so on these four sets it trains 100 iterations on every training row, as',
    "  the README's hgb and the agreement fixtures do, and the seed changes nothing but the row",
    '  order. auto, on up to 10,000 training + validation rows (all four sets), ranks its',
    '  candidates by 5-fold cross-validation over those rows (each fold early-stopping on rows',
    '  carved from its own training folds) and refits the chosen one on all of them for the',
    "  folds' iteration or epoch count (apps/trainer/README.md).",
    '- References: the logistic / ridge, `mlp_es` and `hgb` figures of',
    '  `../shared/datasets/README.md` (scikit-learn 1.2.1, same splits). One standard error (SE) of',
    "  the test metric is the README's ±1.3, ±2.4 and ±1.5 accuracy points for credit, titanic and",
    "  penguins, and ±0.19 RMSE for cars (delta method on HGB's squared errors,",
    '  `scripts/reference/hgb_readme.py`). A family meets "within one standard error of HGB" when',
    '  its mean over the seeds is at least HGB − SE (RMSE: at most HGB + SE).',
    "- The README's HGB saw median-imputed, one-hot inputs (`hgb_readme.py` reproduces its figures",
    "  exactly). Tandem's gbdt reads missing values as missing and splits categories natively; the",
    '  row "hgb on Tandem\'s tree encoding" is scikit-learn\'s HGB on those inputs',
    '  (`scripts/reference/hgb_agreement.py`, the fixtures of the agreement test).',
    '- Cells read mean ± standard deviation over the seeds; the standard error of that mean is',
    '  sd / √(number of seeds).',
    '',
    `- date: ${context.date.toISOString()}`,
    `- machine: ${context.machine}`,
    `- Node ${context.node}`,
    ...(context.commit ? [`- commit: ${context.commit}`] : []),
    '',
    '## Within one standard error of HGB',
    '',
    ...summaryTable(references, cells, context.models, context.seeds.length),
    '',
    '`yes`: the mean over the seeds is within one SE of HGB.',
    '',
    '## Per dataset',
    '',
  ];
  const agreement = agreementSection(context.agreements);
  for (const reference of references) {
    lines.push(...datasetSection(reference, cells, context), '');
  }
  lines.push(
    '`training s` is the mean time of the training step alone (auto: every candidate it trained),',
    'not loading, evaluation or writing.',
    '',
    ...agreement,
  );
  return `${lines.join('\n')}\n`;
}
