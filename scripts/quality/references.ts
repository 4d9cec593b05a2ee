import { readFileSync } from 'node:fs';
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

/**
 * The four shipped datasets with the README's figures and standard errors
 * (readme-figures.json: data, kept out of the code).
 */
export const DATASETS: readonly DatasetReference[] = JSON.parse(
  readFileSync(new URL('./readme-figures.json', import.meta.url), 'utf8'),
) as DatasetReference[];

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
