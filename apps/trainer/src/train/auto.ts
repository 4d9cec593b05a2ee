import type { RawRow } from '@tandem/features';
import type { Metrics, Task } from '@tandem/model-store';
import { DEFAULT_GBDT, DEFAULT_LINEAR, DEFAULT_MLP } from '../config/defaults.ts';
import type { AutoModelConfig, CandidateType, ModelConfig } from '../config/types.ts';
import { evaluate } from '../evaluate/evaluate.ts';
import { trainGbdt } from '../gbdt/train-gbdt.ts';
import { describeModel } from '../model/choose.ts';
import { alignColumns, formatNumber, TASK_METRICS } from '../report/table.ts';
import { holdOut } from '../split/holdout.ts';
import { deriveSeed } from '../split/prng.ts';
import { strataOf } from '../split/strata.ts';
import type { CandidateInputs, TrainedCandidate } from './candidate.ts';
import { trainNetwork } from './network.ts';
import { formatSeconds } from './progress.ts';

/** One line of the comparison that `auto` records in the manifest (metrics.extra.auto). */
export type CandidateRecord = TrainedRecord | { model: CandidateType; skipped: string };

export interface TrainedRecord {
  model: CandidateType;
  config: ModelConfig;
  trainSeconds: number;
  /** Log loss (classification) or RMSE (regression) on the validation part: what is compared. */
  validationLoss: number;
  validation: Metrics;
  test: Metrics;
  chosen: boolean;
}

/** Trains one model of a concrete config. */
export function trainCandidate(
  model: ModelConfig,
  inputs: CandidateInputs,
): Promise<TrainedCandidate> {
  return model.type === 'gbdt' ? trainGbdt(model, inputs) : trainNetwork(model, inputs);
}

/**
 * A candidate's settings: its family's defaults, except that gbdt stops early whatever the size,
 * as the networks do: candidates are ranked by validation loss, and 100 iterations on a few
 * thousand rows are over-confident where accuracy does not show it.
 */
export function defaultModel(type: CandidateType): ModelConfig {
  switch (type) {
    case 'gbdt':
      return { ...DEFAULT_GBDT, earlyStopping: true };
    case 'linear':
      return { ...DEFAULT_LINEAR };
    case 'mlp':
      return { ...DEFAULT_MLP, hidden: [...DEFAULT_MLP.hidden] };
  }
}

/** The figure auto compares: log loss for classifiers, RMSE for regressors (lower is better). */
export function comparedLoss(task: Task, metrics: Metrics): number {
  return (task === 'regression' ? metrics.rmse : metrics.logLoss) ?? Number.NaN;
}

/**
 * `model: { type: "auto" }`: trains each candidate in order (gbdt, linear, mlp by default) with
 * its defaults while the time budget lasts (a candidate not started when it is spent is
 * skipped, so the MLP, last and slowest, goes first), evaluates each through its Predictor on the
 * validation and test parts, and keeps the lowest validation loss (the earlier candidate on a
 * tie; the first one trained when the validation part is empty). The others are disposed.
 *
 * No candidate sees the validation part that ranks them: each early-stops on rows carved from
 * the training part (see `stoppingInputs`), so no loss is lowered by having chosen its epoch or
 * iteration on the rows it is judged by.
 */
export async function trainAuto(
  auto: AutoModelConfig,
  inputs: CandidateInputs,
  testRows: readonly RawRow[],
  name: string,
): Promise<{ chosen: TrainedCandidate; records: CandidateRecord[] }> {
  const { task, target, log } = inputs;
  const candidateInputs = stoppingInputs(inputs);
  if (candidateInputs !== inputs) {
    log(
      `auto: candidates early-stop on ${candidateInputs.validationRows.length} rows carved from ` +
        `the training part; the ${inputs.validationRows.length} validation rows rank them`,
    );
  }
  const started = performance.now();
  const trained: Array<{ candidate: TrainedCandidate; record: TrainedRecord }> = [];
  const records: CandidateRecord[] = [];
  try {
    for (const type of auto.candidates) {
      const spent = (performance.now() - started) / 1000;
      if (spent >= auto.budgetSeconds) {
        const reason = `time budget of ${auto.budgetSeconds}s spent (${formatSeconds(spent)})`;
        log(`auto: ${type} skipped: ${reason}`);
        records.push({ model: type, skipped: reason });
        continue;
      }
      log(`auto: training ${type} (${describeModel(defaultModel(type))})`);
      const candidate = await trainCandidate(defaultModel(type), candidateInputs);
      const predictor = candidate.predictor({ name, version: 0, task, target });
      let validation: Metrics;
      let test: Metrics;
      try {
        validation =
          inputs.validationRows.length > 0
            ? evaluate(task, predictor, [...inputs.validationRows], target).metrics
            : {};
        test = evaluate(task, predictor, [...testRows], target).metrics;
      } finally {
        predictor.dispose();
      }
      const record: TrainedRecord = {
        model: type,
        config: candidate.model,
        trainSeconds: round(candidate.trainSeconds, 3),
        validationLoss: comparedLoss(task, validation),
        validation: withoutMatrix(validation),
        test: withoutMatrix(test),
        chosen: false,
      };
      trained.push({ candidate, record });
      records.push(record);
    }
    let best = trained[0]!;
    for (const entry of trained) {
      if (entry.record.validationLoss < best.record.validationLoss) best = entry;
    }
    best.record.chosen = true;
    for (const line of comparisonTable(task, records)) log(line);
    log(
      `auto: chose ${best.record.model} (lowest validation ${task === 'regression' ? 'RMSE' : 'log loss'})`,
    );
    for (const entry of trained) if (entry !== best) entry.candidate.dispose();
    return { chosen: best.candidate, records };
  } catch (error) {
    for (const entry of trained) entry.candidate.dispose();
    throw error;
  }
}

/**
 * The candidates' own split: the same share of the training part as the validation part is of
 * training + validation, held out stratified (class, or target decile) and seeded, becomes every
 * candidate's validation part (early stopping, gbdt's refit). Unchanged without validation rows.
 */
export function stoppingInputs(inputs: CandidateInputs): CandidateInputs {
  const { trainRows, validationRows, task, target, training } = inputs;
  if (validationRows.length === 0 || trainRows.length < 2) return inputs;
  const share = validationRows.length / (trainRows.length + validationRows.length);
  const positions = trainRows.map((_, position) => position);
  const { kept, heldOut } = holdOut(
    positions,
    strataOf(task, target, trainRows, positions),
    share,
    deriveSeed(training.seed, 'auto-stopping'),
  );
  const pick = (list: number[]) => list.map((position) => trainRows[position] as RawRow);
  return { ...inputs, trainRows: pick(kept), validationRows: pick(heldOut) };
}

/** The printed comparison: one row per candidate, validation loss then test metrics. */
export function comparisonTable(task: Task, records: readonly CandidateRecord[]): string[] {
  const keys = TASK_METRICS[task].filter((key) => key !== 'precision' && key !== 'recall');
  const header = [
    'candidate',
    'train s',
    task === 'regression' ? 'val RMSE' : 'val log loss',
    ...keys.map((k) => `test ${k}`),
  ];
  const rows: string[][] = [header];
  for (const record of records) {
    if ('skipped' in record) {
      rows.push([record.model, '-', 'skipped', ...keys.map(() => '')]);
      continue;
    }
    rows.push([
      `${record.model}${record.chosen ? ' *' : ''}`,
      record.trainSeconds.toFixed(1),
      formatNumber(record.validationLoss),
      ...keys.map((key) => formatNumber(record.test[key] as number | undefined)),
    ]);
  }
  return ['auto: candidates (* = chosen)', ...alignColumns(rows)];
}

function withoutMatrix(metrics: Metrics): Metrics {
  const { confusionMatrix: _matrix, ...rest } = metrics;
  return rest;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
