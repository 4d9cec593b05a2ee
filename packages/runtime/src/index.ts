export {
  BACKENDS,
  type BackendInfo,
  type BackendName,
  currentBackend,
  type InitBackendOptions,
  initBackend,
} from './backend.ts';
export { ACTIVATIONS, type ActivationName } from './dense/activations.ts';
export type { EngineKind } from './engine.ts';
export { DENSE_GUARD_TOLERANCE, type EngineChoice } from './engine-choice.ts';
export { RuntimeError, type RuntimeErrorCode } from './errors.ts';
export {
  decodeFeaturesFile,
  encodeFeaturesFile,
  FEATURES_FORMAT,
  type FeaturesFile,
} from './features-file.ts';
export {
  type PredictorOptions,
  type PredictorParts,
  predictorFromParts,
  predictorFromStoredVersion,
} from './load-predictor.ts';
export { loadModel, type ModelFiles, serializeModel } from './model-files.ts';
export {
  type ClassPrediction,
  type Prediction,
  predictionColumns,
  toPredictions,
  type ValuePrediction,
} from './predictions.ts';
export {
  type PredictionBatch,
  type PredictOptions,
  Predictor,
  type PredictorMeta,
  type PredictorReplica,
} from './predictor.ts';
export { tf } from './tf.ts';
