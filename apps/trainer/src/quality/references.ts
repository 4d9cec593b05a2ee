import type { Metrics } from '@tandem/model-store';

/**
 * What each shipped config must reach on its fixed test split. The reference is the better of
 * scikit-learn's logistic / ridge regression and mlp_es (hidden 64, 32 with early stopping) in
 * the shared datasets' README; the threshold sits one standard error of the test metric below
 * (above, for RMSE) that reference.
 */
export interface QualityTarget {
  dataset: string;
  /** Relative to the repository root. */
  config: string;
  metric: keyof Metrics & ('accuracy' | 'rmse');
  higherIsBetter: boolean;
  threshold: number;
  reference: { value: number; model: 'logistic' | 'ridge' | 'mlp_es' };
  /** The README's other figures for the same dataset, for the detailed table. */
  notes: string;
}

export const QUALITY_TARGETS: readonly QualityTarget[] = [
  {
    dataset: 'credit',
    config: 'data/models/credit.json',
    metric: 'accuracy',
    higherIsBetter: true,
    threshold: 0.813,
    reference: { value: 0.826, model: 'mlp_es' },
    notes: 'logistic acc 0.8227, AUC 0.8557, macro-F1 0.7571; mlp_es acc 0.8260, AUC 0.8636',
  },
  {
    dataset: 'titanic',
    config: 'data/models/titanic.json',
    metric: 'accuracy',
    higherIsBetter: true,
    threshold: 0.8,
    reference: { value: 0.8206, model: 'logistic' },
    notes: 'logistic acc 0.8206, AUC 0.8668; mlp_es acc 0.8015, AUC 0.8213',
  },
  {
    dataset: 'penguins',
    config: 'data/models/penguins.json',
    metric: 'accuracy',
    higherIsBetter: true,
    threshold: 0.97,
    reference: { value: 1, model: 'logistic' },
    notes: 'logistic acc 1.000, macro-F1 1.000; mlp_es acc 0.8841',
  },
  {
    dataset: 'cars',
    config: 'data/models/cars.json',
    metric: 'rmse',
    higherIsBetter: false,
    threshold: 2.8,
    reference: { value: 2.538, model: 'mlp_es' },
    notes: 'ridge RMSE 2.790, MAE 2.293, R² 0.860; mlp_es RMSE 2.538, R² 0.884',
  },
];

export function passes(target: QualityTarget, value: number | undefined): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  return target.higherIsBetter ? value >= target.threshold : value <= target.threshold;
}
