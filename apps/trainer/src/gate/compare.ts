import { UsageError } from '@tandem/cli';
import type { Metrics, Task } from '@tandem/model-store';
import { TrainerError } from '../errors.ts';

/** Metrics the gate can compare, and which way is better. */
export const GATE_METRICS = {
  accuracy: 'higher',
  auc: 'higher',
  macroF1: 'higher',
  f1: 'higher',
  r2: 'higher',
  logLoss: 'lower',
  rmse: 'lower',
  mae: 'lower',
} as const;

export type GateMetric = keyof typeof GATE_METRICS;
export type Direction = (typeof GATE_METRICS)[GateMetric];

const CLASSIFICATION: readonly GateMetric[] = ['accuracy', 'auc', 'macroF1', 'f1', 'logLoss'];
const REGRESSION: readonly GateMetric[] = ['rmse', 'mae', 'r2'];

/** Accuracy for classifiers, RMSE for regressors. */
function primaryMetric(task: Task): GateMetric {
  return task === 'regression' ? 'rmse' : 'accuracy';
}

/** Checks a --metric value against the task; AUC and F1 exist for binary models only. */
export function metricFor(task: Task, requested: string | undefined): GateMetric {
  if (requested === undefined) return primaryMetric(task);
  const allowed = (task === 'regression' ? REGRESSION : CLASSIFICATION).filter(
    (metric) => task === 'binary' || (metric !== 'auc' && metric !== 'f1'),
  );
  if (!(allowed as readonly string[]).includes(requested)) {
    throw new UsageError(
      `--metric ${requested} does not apply to a ${task} model; use one of ${allowed.join(', ')}`,
    );
  }
  return requested as GateMetric;
}

export interface Comparison {
  metric: GateMetric;
  direction: Direction;
  candidate: number;
  baseline: number;
  /** How much worse the candidate is (positive) or better (negative), in the metric's units. */
  shortfall: number;
  tolerance: number;
  passed: boolean;
}

/**
 * Compares the candidate's metric with the baseline's: it fails when it is worse by more than
 * `tolerance` (an absolute difference in the metric's units), whichever way is better.
 *
 * @example compareMetric('accuracy', { accuracy: 0.78 }, { accuracy: 0.80 }, 0.01) // passed: false
 * @example compareMetric('rmse', { rmse: 2.9 }, { rmse: 2.95 }, 0.01)             // passed: true
 */
export function compareMetric(
  metric: GateMetric,
  candidate: Metrics,
  baseline: Metrics,
  tolerance: number,
): Comparison {
  const direction = GATE_METRICS[metric];
  const candidateValue = metricValue(candidate, metric, 'candidate');
  const baselineValue = metricValue(baseline, metric, 'baseline');
  const shortfall =
    direction === 'higher' ? baselineValue - candidateValue : candidateValue - baselineValue;
  return {
    metric,
    direction,
    candidate: candidateValue,
    baseline: baselineValue,
    shortfall,
    tolerance,
    // A tiny epsilon: "worse by exactly the tolerance" must not fail on float rounding.
    passed: shortfall <= tolerance + 1e-12,
  };
}

function metricValue(metrics: Metrics, metric: GateMetric, which: string): number {
  const value = (metrics as Record<string, unknown>)[metric];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TrainerError(
      'TANDEM_GATE_INCOMPATIBLE',
      `the ${which} has no ${metric} on the test split (metric undefined for these rows)`,
    );
  }
  return value;
}
