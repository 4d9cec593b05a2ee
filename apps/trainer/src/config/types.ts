import type { ColumnSpec } from '@tandem/features';
import type { Task } from '@tandem/model-store';

/** Overrides of what inferSchema decided for one column (`name` comes from the key). */
export type FeatureOverride = Partial<Omit<ColumnSpec, 'name'>>;

export type Activation = 'relu' | 'tanh' | 'elu' | 'selu' | 'sigmoid';
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'adagrad';

/** A random split: fractions of the rows, stratified by class (or by target deciles). */
export interface RandomSplitConfig {
  /** Fraction of all rows held out for the test. */
  test: number;
  /** Fraction of the remaining (training) rows held out for early stopping. */
  validation: number;
  seed: number;
  stratify: boolean;
}

/** A fixed split read from a file `{"train": [...], "test": [...]}` of 0-based row numbers. */
export interface FileSplitConfig {
  file: string;
  /** Fraction of the training rows held out for early stopping. */
  validation: number;
  seed: number;
  stratify: boolean;
}

export type SplitConfig = RandomSplitConfig | FileSplitConfig;

export interface LinearModelConfig {
  type: 'linear';
  l2: number;
}

export interface MlpModelConfig {
  type: 'mlp';
  hidden: number[];
  dropout: number;
  l2: number;
  activation: Activation;
}

/**
 * Histogram gradient-boosted trees; every default is scikit-learn HistGradientBoosting's
 * (apps/trainer/src/gbdt/README.md).
 */
export interface GbdtModelConfig {
  type: 'gbdt';
  learningRate: number;
  maxIter: number;
  maxLeafNodes: number;
  /** null: no limit (leaf count and minSamplesLeaf bound the tree). */
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2: number;
  /** Value bins per numeric feature, at most 255 (plus one for missing values). */
  maxBins: number;
  /**
   * On: stop on the validation part (when it has rows) and keep the best iteration. 'auto'
   * (scikit-learn's default): on when the training and validation parts hold over 10,000 rows.
   */
  earlyStopping: boolean | 'auto';
  nIterNoChange: number;
  tol: number;
  /**
   * After early stopping, train again on training + validation rows for the best iteration
   * count scaled by their size ratio: the final model sees every non-test row.
   */
  refit: boolean;
}

export type ModelConfig = LinearModelConfig | MlpModelConfig | GbdtModelConfig;

export type CandidateType = 'gbdt' | 'linear' | 'mlp';

/**
 * How auto picks: the lowest loss, or the first candidate the folds cannot tell apart from it
 * (within one standard error; chooseCandidate in train/ranking.ts).
 */
export type ChoiceRule = 'one-standard-error' | 'lowest-loss';

/** Trains every candidate (in this order) within the budget, keeps the best (`choice`). */
export interface AutoModelConfig {
  type: 'auto';
  candidates: CandidateType[];
  /** Wall-clock seconds for all candidates; one not yet started once it is spent is skipped. */
  budgetSeconds: number;
  /** Folds of the cross-validation that ranks the candidates on small data (at least 2). */
  folds: number;
  /**
   * Training + validation rows up to which candidates are ranked by cross-validation and the
   * chosen one refitted on all of them; above, by the validation part. 0: always the latter.
   */
  foldsMaxRows: number;
  /** Cross-validation only: the holdout ranking keeps the lowest loss. */
  choice: ChoiceRule;
  /**
   * Also rank a weighted average of the trained candidates, its weights chosen greedily on their
   * held-out predictions (train/ensemble-selection.ts); kept like any candidate when its loss is
   * the lowest.
   */
  ensemble: boolean;
}

export interface EarlyStoppingConfig {
  /** Epochs without a better validation loss before training stops. */
  patience: number;
  restoreBest: boolean;
  /** Smallest decrease of the validation loss that counts as better. */
  minDelta: number;
}

export interface TrainingConfig {
  /** Upper bound: early stopping usually ends training sooner. */
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** false: train for all epochs and keep the last weights. */
  earlyStopping: EarlyStoppingConfig | false;
  classWeight: 'none' | 'balanced';
  seed: number;
}

/** A PostgreSQL query as training data (docs/data.md). */
export interface PostgresData {
  /** A postgres:// URL or the name of an environment variable holding one. */
  postgres: string;
  query: string;
}

/** The prediction log joined with its feedback as training data (docs/data.md). */
export interface LogData {
  /** The log's folder of sealed segments. */
  log: string;
  /** A look-back window ("7d", "12h") or an ISO-8601 start time. */
  since: string;
  /** ISO-8601 end of the window (exclusive); default: when the run reads the log. */
  until?: string;
  /** Whose predictions: default the config's name. */
  model?: string;
}

/**
 * Where a config's rows come from: a path or an s3:// URL (CSV, NDJSON or Parquet by its
 * extension), a PostgreSQL query, or the prediction log.
 */
export type DataSource = string | PostgresData | LogData;

export function isLogData(data: DataSource): data is LogData {
  return typeof data === 'object' && 'log' in data;
}

/**
 * A config with every default filled in. `model` is 'auto' until the candidates are compared;
 * the trainer replaces it with the chosen model before the config is stored in the manifest.
 */
export interface ResolvedConfig {
  name: string;
  /** A path relative to the working directory when under it (else absolute), or a source. */
  data: DataSource;
  target: string;
  task: Task;
  features: Record<string, FeatureOverride>;
  drop: string[];
  split: SplitConfig;
  model: ModelConfig | AutoModelConfig;
  training: TrainingConfig;
}

/** The config after the run chose a model: what the manifest stores. */
export interface FinalConfig extends Omit<ResolvedConfig, 'model'> {
  /** The trained model's settings; auto's own config when it kept an ensemble of candidates. */
  model: ModelConfig | AutoModelConfig;
}

/** What a config file may hold: everything but the four required keys is optional. */
export interface TrainConfig {
  name: string;
  data: DataSource;
  target: string;
  task: Task;
  features?: Record<string, FeatureOverride>;
  drop?: string[];
  split?: Partial<RandomSplitConfig> | ({ file: string } & Partial<Omit<FileSplitConfig, 'file'>>);
  model?:
    | ({ type: 'auto' } & Partial<Omit<AutoModelConfig, 'type'>>)
    | ({ type: 'gbdt' } & Partial<Omit<GbdtModelConfig, 'type'>>)
    | ({ type: 'linear' } & Partial<Omit<LinearModelConfig, 'type'>>)
    | ({ type: 'mlp' } & Partial<Omit<MlpModelConfig, 'type'>>);
  training?: Partial<Omit<TrainingConfig, 'earlyStopping'>> & {
    earlyStopping?: Partial<EarlyStoppingConfig> | false;
  };
}

export function isFileSplit(split: SplitConfig): split is FileSplitConfig {
  return 'file' in split;
}
