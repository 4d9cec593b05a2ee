import type { Metrics } from '@tandem/model-store';

/** The test metric a dataset is judged on. */
export type Headline = 'accuracy' | 'rmse';

/** A figure of ../shared/datasets/README.md (scikit-learn 1.2.1 on the same fixed split). */
export interface ReferenceFigure {
  model: 'logistic' | 'ridge' | 'mlp_es' | 'hgb';
  metrics: Metrics;
}

export interface DatasetReference {
  dataset: string;
  /** The shipped config, relative to the repository root. */
  config: string;
  metric: Headline;
  /** A second metric shown beside the headline one. */
  secondary: keyof Metrics;
  /** logistic / ridge, mlp_es and hgb, as the README gives them. */
  figures: readonly ReferenceFigure[];
  /**
   * One standard error of the headline metric on the test rows. Accuracies: the README's
   * figures (±1.3, ±2.4, ±1.5 points); the RMSE: the delta-method error of HGB's squared errors,
   * printed by scripts/reference/hgb_readme.py.
   */
  standardError: number;
}

/** A dataset's reference: its shipped config, the README's linear, mlp_es and hgb figures. */
function reference(
  dataset: string,
  metric: Headline,
  secondary: keyof Metrics,
  [linear, mlpEs, hgb]: readonly [Metrics, Metrics, Metrics],
  standardError: number,
): DatasetReference {
  return {
    dataset,
    config: `data/models/${dataset}.json`,
    metric,
    secondary,
    figures: [
      { model: metric === 'rmse' ? 'ridge' : 'logistic', metrics: linear },
      { model: 'mlp_es', metrics: mlpEs },
      { model: 'hgb', metrics: hgb },
    ],
    standardError,
  };
}

export const DATASETS: readonly DatasetReference[] = [
  reference(
    'credit',
    'accuracy',
    'auc',
    [
      { accuracy: 0.8227, auc: 0.8557, macroF1: 0.7571 },
      { accuracy: 0.826, auc: 0.8636 },
      { accuracy: 0.8339, auc: 0.8561, macroF1: 0.7813 },
    ],
    0.013,
  ),
  reference(
    'titanic',
    'accuracy',
    'auc',
    [
      { accuracy: 0.8206, auc: 0.8668 },
      { accuracy: 0.8015, auc: 0.8213 },
      { accuracy: 0.8473, auc: 0.8801 },
    ],
    0.024,
  ),
  reference(
    'penguins',
    'accuracy',
    'macroF1',
    [{ accuracy: 1, macroF1: 1 }, { accuracy: 0.8841 }, { accuracy: 0.9855, macroF1: 0.9829 }],
    0.015,
  ),
  reference(
    'cars',
    'rmse',
    'r2',
    [
      { rmse: 2.79, mae: 2.293, r2: 0.86 },
      { rmse: 2.538, r2: 0.884 },
      { rmse: 2.401, mae: 1.837, r2: 0.896 },
    ],
    0.19,
  ),
];

export function higherIsBetter(metric: Headline): boolean {
  return metric === 'accuracy';
}

/** HGB's headline figure. */
export function hgbValue(reference: DatasetReference): number {
  const figure = reference.figures.find((f) => f.model === 'hgb');
  const value = figure?.metrics[reference.metric];
  if (typeof value !== 'number')
    throw new Error(`${reference.dataset}: no hgb ${reference.metric}`);
  return value;
}

/** The bound "within one standard error of HGB": HGB's figure minus (RMSE: plus) one error. */
export function hgbThreshold(reference: DatasetReference): number {
  const hgb = hgbValue(reference);
  const bound = higherIsBetter(reference.metric)
    ? hgb - reference.standardError
    : hgb + reference.standardError;
  return Math.round(bound * 10_000) / 10_000;
}

export function meets(reference: DatasetReference, value: number): boolean {
  const threshold = hgbThreshold(reference);
  return higherIsBetter(reference.metric) ? value >= threshold : value <= threshold;
}
