/**
 * Drift thresholds and window sizes, chosen after Evidently's defaults for reference sets above
 * 1,000 rows (Wasserstein distance over the training std for numbers, Jensen-Shannon distance for
 * categories, both at 0.1; a dataset drifts when half its columns do) and the common reading of
 * PSI (> 0.2 is a large shift). Every figure is reported; only `numericMetric` /
 * `categoricalMetric` and the missing-rate change decide a column's verdict.
 */
export interface DriftThresholds {
  psi: number;
  jensenShannon: number;
  wassersteinStd: number;
  /** Absolute change of the missing rate (0.1 = ten percentage points). */
  missingRateChange: number;
  /** Share of input columns drifting for the dataset verdict. */
  datasetShare: number;
}

export type DriftMetricName = 'psi' | 'jensen_shannon' | 'wasserstein_std';

export interface DriftSettings {
  thresholds: DriftThresholds;
  /** Which metric decides a numeric column's verdict. */
  numericMetric: DriftMetricName;
  /** Which metric decides a categorical column's verdict (not wasserstein_std). */
  categoricalMetric: Exclude<DriftMetricName, 'wasserstein_std'>;
  /** Fewer rows than this in a window: every verdict is 'insufficient_rows'. */
  minRows: number;
  /** How many moved bins or levels a column lists. */
  topMoved: number;
}

export const DEFAULT_DRIFT_SETTINGS: Readonly<DriftSettings> = Object.freeze({
  thresholds: Object.freeze({
    psi: 0.2,
    jensenShannon: 0.1,
    wassersteinStd: 0.1,
    missingRateChange: 0.1,
    datasetShare: 0.5,
  }),
  numericMetric: 'wasserstein_std',
  categoricalMetric: 'jensen_shannon',
  // Below a few hundred rows, decile proportions move by several points from sampling alone.
  minRows: 500,
  topMoved: 3,
});

/** The defaults with a caller's settings over them (thresholds one by one). */
export function driftSettings(settings: Partial<DriftSettings> = {}): DriftSettings {
  return {
    ...DEFAULT_DRIFT_SETTINGS,
    ...settings,
    thresholds: { ...DEFAULT_DRIFT_SETTINGS.thresholds, ...settings.thresholds },
  };
}

/** Window sizes of the server's live monitor. */
export const DEFAULT_ROW_WINDOW = 5000;
export const DEFAULT_TIME_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_TIME_SLICES = 60;

export function thresholdOf(settings: DriftSettings, metric: DriftMetricName): number {
  const t = settings.thresholds;
  return metric === 'psi'
    ? t.psi
    : metric === 'jensen_shannon'
      ? t.jensenShannon
      : t.wassersteinStd;
}
