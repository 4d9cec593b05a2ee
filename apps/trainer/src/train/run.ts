import { displayPath } from '@tandem/cli';
import { inferSchema, type RawRow } from '@tandem/features';
import {
  isS3Uri,
  type ManifestDraft,
  type Metrics,
  openModelStore,
  type Task,
} from '@tandem/model-store';
import { encodeProfile, profileFromPredictor } from '@tandem/monitoring';
import {
  encodeFeaturesFile,
  type GlobalImportance,
  globalImportance,
  type Predictor,
  tf,
} from '@tandem/runtime';
import { buildManifest, sampleRow } from '../artifact/manifest.ts';
import { gitProvenance } from '../artifact/provenance.ts';
import { checkStoreRoot, storeWriteError } from '../artifact/store-root.ts';
import { loadConfig } from '../config/load.ts';
import type { FinalConfig, ResolvedConfig, TrainConfig } from '../config/types.ts';
import { loadDataset } from '../data/load.ts';
import { TrainerError } from '../errors.ts';
import { baselineOutputs } from '../evaluate/baseline.ts';
import { type Evaluation, evaluate } from '../evaluate/evaluate.ts';
import { reportScores, trainingReport } from '../report/html-report.ts';
import { metricsTable } from '../report/table.ts';
import { type DatasetSplit, splitDataset } from '../split/split.ts';
import { type AutoSummary, type CandidateRecord, trainAuto, trainCandidate } from './auto.ts';
import type { CandidateInputs, TrainedCandidate } from './candidate.ts';
import type { TrainingHistory } from './loop.ts';

export interface TrainOptions {
  /** A config file path (its relative paths are taken from its folder) or a config object. */
  config: string | TrainConfig;
  /** Root of the model store: versions go to `<artifacts>/<name>/<version>/`. */
  artifacts: string;
  /** Overrides the split seed and the training seed. */
  seed?: number;
  /** Receives every log line (data, split, schema, metrics table). Default: nothing. */
  log?: (line: string) => void;
  /** Reports epochs / iterations: a bar on stderr when it is a terminal, else periodic lines to `log`. */
  progress?: boolean;
}

export interface TrainResult {
  name: string;
  version: number;
  /** The version directory. */
  path: string;
  /** The tfjs backend the model trained on; 'none' for trees. */
  backend: string;
  /** Seconds spent in the training loop (excludes loading, evaluation and writing). */
  trainSeconds: number;
  metrics: Metrics;
  baseline: Metrics;
  /**
   * The trained model behind the same Predictor the server uses. Its model is not freed by
   * predictor.dispose() when it runs on the tfjs engine (predictorFromParts leaves the model to
   * its owner).
   */
  predictor: Predictor;
  /** Raw test rows, target column included, in data-file order. */
  testRows: RawRow[];
  target: string;
  task: Task;
  /** The resolved config, model chosen: what the manifest stores. */
  config: FinalConfig;
  evaluation: Evaluation;
  history: TrainingHistory;
  split: DatasetSplit;
  /** model type 'auto': every candidate's figures, the chosen one marked. */
  candidates?: CandidateRecord[];
}

/**
 * Trains one model from a config and writes it as a new version of the model store.
 *
 * @example
 *   const result = await train({ config: 'data/models/credit.json', artifacts: 'artifacts' });
 *   result.metrics.accuracy; // on the test part
 *   result.predictor.predictBatch(result.testRows);
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const log = options.log ?? (() => {});
  const config = withSeed(await loadConfig(options.config), options.seed);
  const { name, target, task } = config;
  await checkStoreRoot(options.artifacts);
  const dataset = await loadDataset(config);
  log(
    `data ${dataset.path}: ${dataset.rows.length} rows with a target` +
      (dataset.rowsWithoutTarget > 0 ? `, ${dataset.rowsWithoutTarget} without one (dropped)` : ''),
  );
  const split = await splitDataset(dataset, config);
  log(
    `split (${split.source === 'file' ? 'from file' : 'random'}, seed ${split.seed}): ` +
      `train ${split.train.length}, validation ${split.validation.length}, test ${split.test.length}`,
  );
  const pick = (indices: readonly number[]): RawRow[] =>
    indices.map((i) => dataset.rows[i] as RawRow);
  const trainRows = pick(split.train);
  const validationRows = pick(split.validation);
  const testRows = pick(split.test);

  // Features are fitted on the training part only: validation and test stay unseen.
  const { spec, report } = inferSchema(trainRows, {
    exclude: [target, ...config.drop],
    overrides: config.features,
  });
  log(report.text);
  const inputs: CandidateInputs = {
    task,
    target,
    spec,
    trainRows,
    validationRows,
    training: config.training,
    log,
    progress: options.progress ?? false,
  };
  let candidate: TrainedCandidate;
  let auto: ({ budgetSeconds: number; candidates: CandidateRecord[] } & AutoSummary) | undefined;
  if (config.model.type === 'auto') {
    const outcome = await trainAuto(config.model, inputs, testRows, name);
    candidate = outcome.chosen;
    auto = {
      budgetSeconds: config.model.budgetSeconds,
      ...outcome.summary,
      candidates: outcome.records,
    };
  } else {
    candidate = await trainCandidate(config.model, inputs);
  }
  const { pipeline, labels, targetScaler, history, trainSeconds } = candidate;
  const final: FinalConfig = { ...config, model: candidate.model };
  let predictor: Predictor | undefined;
  try {
    const sample = sampleRow(trainRows[0] as RawRow, final);
    const scoring = candidate.predictor({ name, version: 0, task, target, sample });
    let evaluation: Evaluation;
    let profile: Uint8Array;
    let importance: GlobalImportance | undefined;
    let scores: ReturnType<typeof reportScores>;
    try {
      evaluation = evaluate(task, scoring, testRows, target);
      importance = importanceOf(scoring, validationRows, log);
      scores = reportScores(scoring, testRows, target);
      // What live drift is measured against: the training rows and the model's answers to them.
      profile = encodeProfile(profileFromPredictor(scoring, trainRows));
    } finally {
      scoring.dispose();
    }
    const nonTestTargets = [...trainRows, ...validationRows].map((row) => row[target]);
    const baseline = evaluate(
      task,
      baselineOutputs(task, nonTestTargets, testRows.length, labels?.classes),
      testRows.map((row) => row[target]),
    );
    for (const line of metricsTable(evaluation, baseline)) log(line);

    const files = {
      ...(await candidate.files()),
      'features.json': encodeFeaturesFile({ pipeline, labels, targetScaler }),
      'profile.json': profile,
      'report.html': trainingReport({
        ...{ config: final, task, trainRows, split, history, scores, extra: candidate.extra },
        ...{
          inputSchema: pipeline.inputSchema,
          metrics: evaluation.metrics,
          baseline: baseline.metrics,
        },
        ...(auto ? { candidates: auto.candidates } : {}),
      }),
    };
    const store = openModelStore(options.artifacts);
    const git = await gitProvenance();
    const createdAt = new Date();
    // Called again with the next number when another trainer took this one.
    const makeManifest = (): ManifestDraft =>
      buildManifest({
        config: final,
        dataset,
        split,
        pipeline,
        labels,
        metrics: evaluation.metrics,
        baseline: baseline.metrics,
        extra: {
          trainSeconds: round(trainSeconds, 3),
          epochs: history.epochsRun,
          bestEpoch: history.bestEpoch,
          bestValidationLoss: history.bestValLoss,
          stoppedEarly: history.stoppedEarly,
          testRejected: evaluation.rejected,
          ...(evaluation.detail ? { perClass: evaluation.detail } : {}),
          ...candidate.extra,
          ...(auto ? { auto } : {}),
          ...(importance ? { importance } : {}),
        },
        runtime: { tfjs: tf.version.tfjs, backend: candidate.backend },
        git,
        sample,
        createdAt,
      });
    let written: { version: number; path: string };
    try {
      written = await store.writeVersion(name, files, makeManifest);
    } catch (error) {
      throw storeWriteError(options.artifacts, error);
    }
    const where = isS3Uri(written.path) ? written.path : displayPath(written.path);
    log(`wrote ${name} version ${written.version} to ${where}`);

    predictor = candidate.predictor({ name, version: written.version, task, target, sample });
    return {
      name,
      version: written.version,
      path: written.path,
      backend: candidate.backend,
      trainSeconds: round(trainSeconds, 3),
      metrics: evaluation.metrics,
      baseline: baseline.metrics,
      predictor,
      testRows,
      target,
      task,
      config: final,
      evaluation,
      history,
      split,
      ...(auto ? { candidates: auto.candidates } : {}),
    };
  } finally {
    // The dense and tree engines copy or hold what they need: a tfjs model is then not needed.
    if (!predictor?.runsOnTfjs) candidate.dispose();
  }
}

function withSeed(config: ResolvedConfig, seed: number | undefined): ResolvedConfig {
  if (seed === undefined) return config;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new TrainerError(
      'TANDEM_CONFIG_INVALID',
      `seed must be a non-negative integer, got ${seed}`,
    );
  }
  return { ...config, split: { ...config.split, seed }, training: { ...config.training, seed } };
}

/** Mean |contribution| per raw column over the validation rows (docs/explanations.md). */
function importanceOf(
  predictor: Predictor,
  rows: readonly RawRow[],
  log: (line: string) => void,
): GlobalImportance | undefined {
  if (rows.length === 0) return undefined;
  try {
    return globalImportance(predictor, rows);
  } catch (error) {
    // A model without an explanation method (tfjs only) is still a model: no importance, a note.
    log(`global importance not computed: ${(error as Error).message}`);
    return undefined;
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
