import type {
  AutoModelConfig,
  EarlyStoppingConfig,
  GbdtModelConfig,
  LinearModelConfig,
  MlpModelConfig,
  RandomSplitConfig,
  TrainingConfig,
} from './types.ts';

/** Every default in one place: the resolved config stored in a manifest shows what was used. */
export const DEFAULT_SEED = 42;

export const DEFAULT_SPLIT: RandomSplitConfig = {
  test: 0.2,
  validation: 0.1,
  seed: DEFAULT_SEED,
  stratify: true,
};

export const DEFAULT_EARLY_STOPPING: EarlyStoppingConfig = {
  patience: 10,
  restoreBest: true,
  minDelta: 0,
};

export const DEFAULT_TRAINING: TrainingConfig = {
  epochs: 200,
  batchSize: 32,
  learningRate: 0.001,
  optimizer: 'adam',
  earlyStopping: DEFAULT_EARLY_STOPPING,
  classWeight: 'none',
  seed: DEFAULT_SEED,
};

export const DEFAULT_LINEAR: LinearModelConfig = { type: 'linear', l2: 0 };

export const DEFAULT_MLP: MlpModelConfig = {
  type: 'mlp',
  hidden: [64, 32],
  dropout: 0,
  l2: 1e-4,
  activation: 'relu',
};

/** scikit-learn HistGradientBoosting's defaults (early stopping 'auto': on above 10,000 rows). */
export const DEFAULT_GBDT: GbdtModelConfig = {
  type: 'gbdt',
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2: 0,
  maxBins: 255,
  earlyStopping: 'auto',
  nIterNoChange: 10,
  tol: 1e-7,
  refit: true,
};

export const DEFAULT_AUTO: AutoModelConfig = {
  type: 'auto',
  candidates: ['gbdt', 'linear', 'mlp'],
  budgetSeconds: 600,
  folds: 5,
  // scikit-learn's line between small and large data (early_stopping='auto'), gbdt's too.
  foldsMaxRows: 10_000,
  choice: 'lowest-loss',
  ensemble: true,
};
