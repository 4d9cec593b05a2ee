export { DEFAULT_SEED } from './config/defaults.ts';
export { loadConfig } from './config/load.ts';
export type {
  Activation,
  EarlyStoppingConfig,
  FeatureOverride,
  FileSplitConfig,
  FinalConfig,
  LinearModelConfig,
  MlpModelConfig,
  ModelConfig,
  OptimizerName,
  RandomSplitConfig,
  ResolvedConfig,
  SplitConfig,
  TrainConfig,
  TrainingConfig,
} from './config/types.ts';
export { validateConfig } from './config/validate.ts';
export { type Dataset, type DatasetConfig, loadDataset } from './data/load.ts';
export type { DataProfile } from './data/profile.ts';
export { type RawTable, readTable } from './data/read.ts';
export { TRAINER_ERRORS, TrainerError, type TrainerErrorCode } from './errors.ts';
export { baselineOutputs } from './evaluate/baseline.ts';
export {
  type ClassificationDetail,
  type Evaluation,
  evaluate,
  type ModelOutputs,
} from './evaluate/evaluate.ts';
export { type GateOptions, type GateResult, runGate } from './gate/run-gate.ts';
export {
  type Agreement,
  readSklearnFixture,
  type SklearnFixture,
  sklearnAgreement,
} from './quality/agreement.ts';
export { metricsTable, TASK_METRICS } from './report/table.ts';
export { deriveSeed, mulberry32 } from './split/prng.ts';
export { type DatasetSplit, splitDataset } from './split/split.ts';
export type { EpochReport, TrainingHistory } from './train/loop.ts';
export { type TrainOptions, type TrainResult, train } from './train/run.ts';
