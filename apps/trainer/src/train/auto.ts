import type { RawRow } from '@tandem/features';
import type { Metrics } from '@tandem/model-store';
import { DEFAULT_GBDT, DEFAULT_LINEAR, DEFAULT_MLP, DEFAULT_SPLIT } from '../config/defaults.ts';
import type { AutoModelConfig, CandidateType, ModelConfig } from '../config/types.ts';
import { evaluate } from '../evaluate/evaluate.ts';
import { trainGbdt } from '../gbdt/train-gbdt.ts';
import { describeModel } from '../model/choose.ts';
import { deriveSeed } from '../split/prng.ts';
import { comparisonTable } from './auto-table.ts';
import type { CandidateInputs, TrainedCandidate } from './candidate.ts';
import { crossValidate, type FoldFigures, type TrainFn } from './cross-validate.ts';
import { ensembleCandidate } from './ensemble-candidate.ts';
import { foldLossesOf, type HeldOut, selectEnsemble } from './ensemble-selection.ts';
import { carveStopping, stratifiedFolds } from './folds.ts';
import { trainNetwork } from './network.ts';
import { formatSeconds } from './progress.ts';
import { type Choice, chooseCandidate, comparedLoss } from './ranking.ts';
import { planRefit } from './refit.ts';

/** One line of the comparison that `auto` records in the manifest (metrics.extra.auto). */
export type CandidateRecord =
  | TrainedRecord
  | EnsembleRecord
  | { model: CandidateType | 'ensemble'; skipped: string };

type SkippedRecord = Extract<CandidateRecord, { skipped: string }>;

/** What auto ranks: each candidate family, and the ensemble of the trained ones. */
export type RankedModel = CandidateType | 'ensemble';

/** The weighted average of trained candidates that ensemble selection made (model.ensemble). */
export interface EnsembleRecord {
  model: 'ensemble';
  /** The candidates it averages (those picked at least once) and their weights. */
  members: Array<{ model: CandidateType; weight: number }>;
  /** Picks (with repeats) in the kept blend, of `rounds` made. */
  picks: number;
  rounds: number;
  /** Seconds of the selection (the members' training is in their own records). */
  trainSeconds: number;
  /** The blend's loss on the same held-out predictions the candidates are ranked by. */
  validationLoss: number;
  validation: Metrics;
  /** The test metrics of the blend of the members as they ended (refits under cross-validation). */
  test: Metrics;
  chosen: boolean;
  stoppedByBudget: 0;
  /** Under cross-validation: the blend's loss on each fold's out-of-fold rows. */
  foldLosses?: number[];
}

export interface TrainedRecord {
  model: CandidateType;
  /** The settings of the model it ended with (after cross-validation: the refit's). */
  config: ModelConfig;
  /** Seconds in training loops: every fold and the refit under cross-validation. */
  trainSeconds: number;
  /**
   * What is compared, log loss (classification) or RMSE (regression): of the pooled out-of-fold
   * predictions under cross-validation, else on the validation part.
   */
  validationLoss: number;
  /** Every metric of those same predictions. */
  validation: Metrics;
  /** The test metrics of the model it ended with (the refit under cross-validation). */
  test: Metrics;
  chosen: boolean;
  /**
   * Its trainings that the time budget stopped before their end (folds under cross-validation,
   * the one training otherwise): such a candidate trained less than it would have.
   */
  stoppedByBudget: number;
  crossValidation?: {
    folds: FoldFigures[];
    meanFoldLoss: number;
    rejected: number;
    seconds: number;
  };
  refit?: {
    rows: number;
    unit: 'iteration' | 'epoch';
    /** Iterations or epochs it trained, fixed (apps/trainer/README.md gives the rule). */
    length: number;
    foldBest: number[];
    seconds: number;
  };
}

/** How auto ranked, for metrics.extra.auto next to the candidates. */
export interface AutoSummary {
  ranking: 'cross-validation' | 'holdout';
  /** Training + validation rows. */
  rows: number;
  folds: number;
  foldsMaxRows: number;
  /** Seconds in all candidates' training loops. */
  trainSeconds: number;
  choice: ChoiceRecord;
}

/** Why the kept candidate was kept (model.choice, chooseCandidate). */
export interface ChoiceRecord {
  rule: Choice['rule'];
  /** The candidate of the lowest loss. */
  lowest: RankedModel;
  /** One-standard-error rule: mean fold loss over the lowest's, and its standard error. */
  difference?: number;
  standardError?: number;
}

export interface AutoOutcome {
  chosen: TrainedCandidate;
  records: CandidateRecord[];
  summary: AutoSummary;
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
 * as the networks do: candidates are ranked by a held-out loss, and 100 iterations on a few
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

/**
 * Whether `auto` ranks by k-fold cross-validation: on small data (training + validation rows up
 * to `foldsMaxRows`), where a validation part of a few hundred rows makes the ranking noise and
 * every candidate trains on fewer rows than there are. Needs two rows per fold at least.
 */
export function crossValidates(auto: AutoModelConfig, rows: number): boolean {
  return rows <= auto.foldsMaxRows && rows >= 2 * auto.folds;
}

/**
 * `model: { type: "auto" }`: trains each candidate in order (gbdt, linear, mlp by default) with
 * its defaults while the time budget lasts, and keeps the lowest loss (the earlier candidate on
 * a tie), or with `choice: "one-standard-error"` under cross-validation the first candidate
 * within one standard error of it (chooseCandidate). A candidate not started when the budget
 * is spent is skipped (so the MLP, last and slowest, goes first); in one started, each training
 * loop stops at the budget's end after its current epoch or iteration, keeping what early
 * stopping would keep so far (every fold still trains at least once, and the refit runs the
 * length its folds found): a large set cannot run past the budget by a whole candidate.
 *
 * Small data (`crossValidates`): each candidate is ranked by the loss of its pooled out-of-fold
 * predictions over training + validation rows, then refitted on all of them for the length its
 * folds' early stopping found; the refits are evaluated on the test rows for the record.
 * Large data: each candidate early-stops on rows carved from the training part (see
 * `stoppingInputs`) and is ranked on the validation part, which none of them saw.
 */
export async function trainAuto(
  auto: AutoModelConfig,
  inputs: CandidateInputs,
  testRows: readonly RawRow[],
  name: string,
  // Replaceable so that tests can watch which rows each training gets.
  trainFn: TrainFn = trainCandidate,
): Promise<AutoOutcome> {
  const pool = [...inputs.trainRows, ...inputs.validationRows];
  const byFolds = crossValidates(auto, pool.length);
  const started = performance.now();
  const budgeted = { ...inputs, deadline: started + auto.budgetSeconds * 1000 };
  const { task, target } = inputs;
  const folds = byFolds
    ? stratifiedFolds(
        task,
        target,
        pool,
        auto.folds,
        deriveSeed(inputs.training.seed, 'auto-folds'),
      )
    : [];
  const run = byFolds
    ? foldRanking(budgeted, pool, folds, trainFn)
    : holdoutRanking(budgeted, trainFn);
  // The rows every candidate's held-out predictions are of: what ensemble selection scores.
  const heldOutRows = byFolds ? pool : inputs.validationRows;
  const trained: Ranked[] = [];
  const records: CandidateRecord[] = [];
  let blend: Ranked<EnsembleRecord> | undefined;
  try {
    for (const type of auto.candidates) {
      const spent = (performance.now() - started) / 1000;
      if (trained.length > 0 && spent >= auto.budgetSeconds) {
        const reason = `time budget of ${auto.budgetSeconds}s spent (${formatSeconds(spent)})`;
        inputs.log(`auto: ${type} skipped: ${reason}`);
        records.push({ model: type, skipped: reason });
        continue;
      }
      const entry = await run(type);
      trained.push(entry);
      records.push(entry.record);
      const { stoppedByBudget } = entry.record;
      if (stoppedByBudget > 0) {
        const folds = entry.record.crossValidation?.folds.length;
        inputs.log(
          `auto: the time budget of ${auto.budgetSeconds}s stopped ${type}'s training early` +
            (folds === undefined ? '' : ` in ${stoppedByBudget} of its ${folds} folds`),
        );
      }
      const predictor = entry.candidate.predictor({
        name,
        version: 0,
        task: inputs.task,
        target: inputs.target,
      });
      try {
        entry.record.test = withoutMatrix(
          evaluate(inputs.task, predictor, [...testRows], inputs.target).metrics,
        );
      } finally {
        predictor.dispose();
      }
    }
    if (auto.ensemble) {
      const outcome = rankEnsemble(auto, trained, heldOutRows, folds, inputs, name);
      if (outcome && 'skipped' in outcome) records.push(outcome);
      else if (outcome) {
        blend = outcome;
        records.push(outcome.record);
        const predictor = outcome.candidate.predictor({ name, version: 0, task, target });
        try {
          outcome.record.test = withoutMatrix(
            evaluate(task, predictor, [...testRows], target).metrics,
          );
        } finally {
          predictor.dispose();
        }
      }
    }
    const ranked: Array<Ranked<TrainedRecord | EnsembleRecord>> = blend
      ? [...trained, blend]
      : trained;
    const choice = chooseCandidate(
      ranked.map(({ record }) => ({
        loss: record.validationLoss,
        ...('foldLosses' in record && record.foldLosses ? { foldLosses: record.foldLosses } : {}),
        ...('crossValidation' in record && record.crossValidation
          ? { foldLosses: record.crossValidation.folds.map((fold) => fold.loss) }
          : {}),
      })),
      auto.choice,
    );
    const best = ranked[choice.index]!;
    best.record.chosen = true;
    const summary: AutoSummary = {
      ranking: byFolds ? 'cross-validation' : 'holdout',
      rows: pool.length,
      folds: auto.folds,
      foldsMaxRows: auto.foldsMaxRows,
      trainSeconds: round(
        trained.reduce((sum, entry) => sum + entry.record.trainSeconds, 0),
        3,
      ),
      choice: choiceRecord(choice, ranked),
    };
    for (const line of comparisonTable(inputs.task, summary, records)) inputs.log(line);
    inputs.log(`auto: chose ${best.record.model}${choiceReason(summary.choice)}`);
    // An ensemble holds its members' candidates: those stay while it does.
    const kept = best === blend ? (blend.members ?? []) : [best.candidate];
    for (const entry of trained) if (!kept.includes(entry.candidate)) entry.candidate.dispose();
    return {
      chosen: { ...best.candidate, trainSeconds: summary.trainSeconds },
      records,
      summary,
    };
  } catch (error) {
    for (const entry of trained) entry.candidate.dispose();
    throw error;
  }
}

type Ranked<R = TrainedRecord> = {
  candidate: TrainedCandidate;
  record: R;
  /** Its predictions on rows it never trained on, in the order auto scores them. */
  heldOut?: HeldOut;
  /** The class order of those predictions; undefined for regression. */
  classes?: readonly string[] | undefined;
  /** An ensemble's member candidates. */
  members?: readonly TrainedCandidate[];
};

/**
 * Ensemble selection over the trained candidates' held-out predictions (selectEnsemble): the
 * weighted average of the candidates it picks, as a candidate ranked like the others. Undefined
 * when fewer than two candidates have held-out predictions; a skipped record when selection picks
 * only one.
 */
function rankEnsemble(
  auto: AutoModelConfig,
  trained: readonly Ranked[],
  rows: readonly RawRow[],
  folds: readonly (readonly number[])[],
  inputs: CandidateInputs,
  name: string,
): (Ranked<EnsembleRecord> & { members: TrainedCandidate[] }) | SkippedRecord | undefined {
  const { task, target, log } = inputs;
  const eligible = trained.filter(
    (entry) => entry.heldOut !== undefined && Number.isFinite(entry.record.validationLoss),
  );
  if (eligible.length < 2) return undefined;
  const started = performance.now();
  const targets = rows.map((row) => row[target]);
  const classes = eligible[0]!.classes;
  const selection = selectEnsemble(
    task,
    eligible.map((entry) => entry.heldOut as HeldOut),
    targets,
    classes,
  );
  const members = eligible
    .map((entry, c) => ({ entry, weight: selection.weights[c] as number }))
    .filter(({ weight }) => weight > 0);
  if (members.length < 2) {
    const alone = members[0]?.entry.record.model ?? 'none';
    log(`auto: ensemble selection kept ${alone} alone: no blend to rank`);
    return { model: 'ensemble', skipped: `ensemble selection kept ${alone} alone` };
  }
  const candidate = ensembleCandidate(
    members.map(({ entry, weight }) => ({
      model: entry.record.model,
      weight,
      candidate: entry.candidate,
    })),
    auto,
    selection.loss,
  );
  const record: EnsembleRecord = {
    model: 'ensemble',
    members: members.map(({ entry, weight }) => ({ model: entry.record.model, weight })),
    picks: selection.picks,
    rounds: selection.rounds,
    trainSeconds: round((performance.now() - started) / 1000, 3),
    validationLoss: selection.loss,
    validation: selection.metrics,
    test: {},
    chosen: false,
    stoppedByBudget: 0,
    ...(folds.length > 0
      ? {
          foldLosses: foldLossesOf(task, selection.heldOut, targets, classes, folds).map((loss) =>
            round(loss, 6),
          ),
        }
      : {}),
  };
  log(
    `auto: ensemble selection (${selection.picks} picks) weighs ` +
      record.members.map((m) => `${m.model} ${m.weight.toFixed(2)}`).join(', ') +
      ` (${name})`,
  );
  return {
    candidate,
    record,
    members: members.map(({ entry }) => entry.candidate),
  };
}

/** Cross-validation then a refit on every non-test row, for one candidate at a time. */
function foldRanking(
  inputs: CandidateInputs,
  pool: readonly RawRow[],
  folds: readonly (readonly number[])[],
  trainFn: TrainFn,
): (type: CandidateType) => Promise<Ranked> {
  const { training, log } = inputs;
  const k = folds.length;
  // Each fold's model early-stops on the split's validation share of its training folds.
  const share =
    inputs.validationRows.length > 0
      ? inputs.validationRows.length / pool.length
      : DEFAULT_SPLIT.validation;
  log(
    `auto: ${k}-fold cross-validation over the ${pool.length} training + validation rows ranks ` +
      'the candidates; the chosen one is refitted on all of them',
  );
  return async (type) => {
    const defaults = defaultModel(type);
    // In a fold the early-stopped model is judged, as for the networks: gbdt's own refit would
    // train it on the stopping rows too. auto refits once, on every non-test row.
    const model = defaults.type === 'gbdt' ? { ...defaults, refit: false } : defaults;
    log(`auto: cross-validating ${type} (${describeModel(model)})`);
    const cv = await crossValidate(model, inputs, pool, folds, share, trainFn);
    const plan = planRefit(model, training, cv.folds, pool.length);
    log(
      `auto: refitting ${type} on ${pool.length} rows for ${plan.length} ${plan.unit}s ` +
        `(folds' best: ${plan.foldBest.join(', ')})`,
    );
    // The refit's length is fixed by the folds, which the deadline already bounded.
    const { deadline: _deadline, ...unbounded } = inputs;
    const refitted = await trainFn(plan.model, {
      ...unbounded,
      trainRows: pool,
      validationRows: [],
      training: plan.training,
    });
    const record: TrainedRecord = {
      model: type,
      config: plan.model,
      trainSeconds: round(cv.seconds + refitted.trainSeconds, 3),
      validationLoss: cv.loss,
      validation: cv.metrics,
      test: {},
      chosen: false,
      stoppedByBudget: cv.folds.filter((fold) => fold.stoppedByBudget).length,
      crossValidation: {
        folds: cv.folds.map((fold) => ({
          ...fold,
          loss: round(fold.loss, 6),
          seconds: round(fold.seconds, 3),
        })),
        meanFoldLoss: cv.meanFoldLoss,
        rejected: cv.rejected,
        seconds: round(cv.seconds, 3),
      },
      refit: {
        rows: plan.rows,
        unit: plan.unit,
        length: plan.length,
        foldBest: plan.foldBest,
        seconds: round(refitted.trainSeconds, 3),
      },
    };
    return { candidate: refitted, record, heldOut: cv.heldOut, classes: cv.classes };
  };
}

/** The large-data ranking: early stopping on carved training rows, judged on validation rows. */
function holdoutRanking(
  inputs: CandidateInputs,
  trainFn: TrainFn,
): (type: CandidateType) => Promise<Ranked> {
  const { task, target, log } = inputs;
  const candidateInputs = stoppingInputs(inputs);
  if (candidateInputs !== inputs) {
    log(
      `auto: candidates early-stop on ${candidateInputs.validationRows.length} rows carved from ` +
        `the training part; the ${inputs.validationRows.length} validation rows rank them`,
    );
  }
  return async (type) => {
    log(`auto: training ${type} (${describeModel(defaultModel(type))})`);
    const candidate = await trainFn(defaultModel(type), candidateInputs);
    let validation: Metrics = {};
    let heldOut: HeldOut | undefined;
    let classes: readonly string[] | undefined;
    if (inputs.validationRows.length > 0) {
      const predictor = candidate.predictor({ name: 'holdout', version: 0, task, target });
      try {
        validation = evaluate(task, predictor, [...inputs.validationRows], target).metrics;
        const batch = predictor.predictBatch(inputs.validationRows, { errors: 'collect' });
        const predicted = new Uint8Array(batch.rows).fill(1);
        for (const row of batch.rejected) predicted[row] = 0;
        heldOut = { outputs: batch.outputs, predicted };
        classes = predictor.classes;
      } finally {
        predictor.dispose();
      }
    }
    const record: TrainedRecord = {
      model: type,
      config: candidate.model as ModelConfig,
      trainSeconds: round(candidate.trainSeconds, 3),
      validationLoss: comparedLoss(task, validation),
      validation: withoutMatrix(validation),
      test: {},
      chosen: false,
      stoppedByBudget: candidate.history.stoppedByDeadline ? 1 : 0,
    };
    return { candidate, record, ...(heldOut ? { heldOut, classes } : {}) };
  };
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
  const seed = deriveSeed(training.seed, 'auto-stopping');
  const { fit, stopping } = carveStopping(task, target, trainRows, share, seed);
  return { ...inputs, trainRows: fit, validationRows: stopping };
}

function choiceRecord(
  choice: Choice,
  trained: ReadonlyArray<Ranked<TrainedRecord | EnsembleRecord>>,
): ChoiceRecord {
  return {
    rule: choice.rule,
    lowest: trained[choice.lowest]!.record.model,
    ...(choice.difference === undefined ? {} : { difference: round(choice.difference, 6) }),
    ...(choice.standardError === undefined
      ? {}
      : { standardError: round(choice.standardError, 6) }),
  };
}

function choiceReason(choice: ChoiceRecord): string {
  if (choice.rule === 'lowest-loss') return ' (the lowest loss)';
  const by = `${choice.difference?.toFixed(4)} ± ${choice.standardError?.toFixed(4)}`;
  return (
    ` (first listed within one standard error of ${choice.lowest}'s loss: ` +
    `${by} above it, fold by fold)`
  );
}

function withoutMatrix(metrics: Metrics): Metrics {
  const { confusionMatrix: _matrix, ...rest } = metrics;
  return rest;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
