import { UsageError } from '@tandem/cli';
import type { RawRow } from '@tandem/features';
import { type Manifest, openModelStore } from '@tandem/model-store';
import { type Predictor, predictorFromStoredVersion } from '@tandem/runtime';
import { TrainerError } from '../errors.ts';
import { type Evaluation, evaluate } from '../evaluate/evaluate.ts';
import {
  type Comparison,
  compareMetric,
  type Direction,
  GATE_METRICS,
  type GateMetric,
  metricFor,
} from './compare.ts';
import { type LogWindow, loggedTestRows } from './log-rows.ts';
import { rebuildTestSplit, type TestSplit } from './test-split.ts';

export const DEFAULT_BASELINE = 'production';
export const DEFAULT_TOLERANCE = 0.01;

export interface GateOptions {
  /** Model-store root. */
  artifacts: string;
  model: string;
  /** The new version under test. */
  candidate: number;
  /** A label (default `production`) or a version number. */
  baseline?: string;
  /** Largest acceptable shortfall, in the metric's units. Default 0.01. */
  tolerance?: number;
  /** Default: accuracy for classifiers, rmse for regressors. */
  metric?: string;
  /**
   * Compare on the prediction log's recent labelled rows instead of the candidate's test split:
   * both versions scored on exactly those rows.
   */
  onLog?: LogWindow;
}

export interface GateSide {
  version: number;
  value: number;
  /** Test rows the version's predictor refused (left out of its metric). */
  rejected: number;
}

export interface GateResult {
  passed: boolean;
  /** One line saying what was compared and the outcome. */
  message: string;
  model: string;
  metric: GateMetric;
  direction: Direction;
  tolerance: number;
  testRows: number;
  /** The data file, or `log <folder>` with `--on-log`. */
  dataPath: string;
  /** With `--on-log`: the window the rows were served in (ISO times). */
  window?: { since: string; until: string };
  candidate: GateSide;
  /** Null when the baseline label points at no version yet. */
  baseline: (GateSide & { label?: string }) | null;
  /** How much worse the candidate is (negative: better); null without a baseline. */
  shortfall: number | null;
}

/**
 * The quality gate: evaluates the candidate and the baseline version on the candidate's own test
 * split (rebuilt from its manifest with the trainer's loadDataset and splitDataset), through the
 * runtime's Predictor and the trainer's evaluate, and fails when the candidate's metric is worse
 * than the baseline's by more than the tolerance. With no baseline version yet, it passes.
 */
export async function runGate(options: GateOptions): Promise<GateResult> {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new UsageError(`--tolerance must be a number ≥ 0, got ${tolerance}`);
  }
  const store = openModelStore(options.artifacts);
  const { model } = options;
  const candidateStored = await store.readVersion(model, options.candidate);
  const manifest = candidateStored.manifest;
  const metric = metricFor(manifest.task, options.metric);
  const split: TestSplit & { window?: { since: string; until: string } } = options.onLog
    ? await loggedTestRows(manifest, options.onLog)
    : await rebuildTestSplit(manifest);
  const rowsName = options.onLog ? 'labelled log rows' : 'test rows';
  const candidateEval = await evaluateStored(
    await predictorFromStoredVersion(candidateStored),
    manifest,
    split.rows,
    split.target,
  );
  const candidate = side(options.candidate, candidateEval, metric);
  const common = {
    model,
    metric,
    direction: GATE_METRICS[metric],
    tolerance,
    testRows: split.rows.length,
    dataPath: split.dataPath,
    ...(split.window ? { window: split.window } : {}),
    candidate,
  };

  const selector = options.baseline ?? DEFAULT_BASELINE;
  const byVersion = /^\d+$/.test(selector);
  // An unset label is no baseline yet (the gate passes); an unknown version is an error below.
  const baselineVersion = byVersion ? Number(selector) : (await store.readLabels(model))[selector];
  const name = byVersion ? `version ${selector}` : selector;
  if (baselineVersion === undefined) {
    return {
      ...common,
      passed: true,
      baseline: null,
      shortfall: null,
      message:
        `gate passed: ${model} has no ${name} version yet; candidate v${options.candidate} ` +
        `(${metric} ${format(candidate.value)} on ${split.rows.length} ${rowsName}) passes by default`,
    };
  }

  const baselineStored = await store.readVersion(model, baselineVersion);
  checkComparable(manifest, baselineStored.manifest);
  const baselineEval = await evaluateStored(
    await predictorFromStoredVersion(baselineStored),
    baselineStored.manifest,
    split.rows,
    split.target,
  );
  const comparison = compareMetric(metric, candidateEval.metrics, baselineEval.metrics, tolerance);
  const label = byVersion ? {} : { label: selector };
  return {
    ...common,
    passed: comparison.passed,
    baseline: { ...side(baselineVersion, baselineEval, metric), ...label },
    shortfall: comparison.shortfall,
    message: describe(
      model,
      options.candidate,
      name,
      baselineVersion,
      comparison,
      `${split.rows.length} ${rowsName}`,
    ),
  };
}

async function evaluateStored(
  predictor: Predictor,
  manifest: Manifest,
  rows: readonly RawRow[],
  target: string,
): Promise<Evaluation> {
  try {
    return evaluate(manifest.task, predictor, rows, target);
  } finally {
    predictor.dispose();
  }
}

function side(version: number, evaluation: Evaluation, metric: GateMetric): GateSide {
  const value = (evaluation.metrics as Record<string, unknown>)[metric];
  return {
    version,
    value: typeof value === 'number' ? value : Number.NaN,
    rejected: evaluation.rejected,
  };
}

function checkComparable(candidate: Manifest, baseline: Manifest): void {
  if (candidate.task !== baseline.task || candidate.target !== baseline.target) {
    throw new TrainerError(
      'TANDEM_GATE_INCOMPATIBLE',
      `${candidate.name}: candidate v${candidate.version} is a ${candidate.task} model of "${candidate.target}", ` +
        `baseline v${baseline.version} a ${baseline.task} model of "${baseline.target}"`,
    );
  }
}

function describe(
  model: string,
  candidate: number,
  baselineName: string,
  baselineVersion: number,
  comparison: Comparison,
  rows: string,
): string {
  const { metric, tolerance } = comparison;
  const c = format(comparison.candidate);
  const b = format(comparison.baseline);
  const against = `${baselineName} (v${baselineVersion})`;
  if (!comparison.passed) {
    return (
      `gate failed: ${model} v${candidate} ${metric} ${c} is worse than ${against} ${b} ` +
      `by ${format(comparison.shortfall)}, more than the tolerance ${tolerance} (${rows})`
    );
  }
  const how =
    comparison.shortfall > 0 ? `within the tolerance ${tolerance} of` : 'at least as good as';
  return `gate passed: ${model} v${candidate} ${metric} ${c} is ${how} ${against} ${b} (${rows})`;
}

function format(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}
