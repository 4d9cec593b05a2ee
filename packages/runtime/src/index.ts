export {
  BACKENDS,
  type BackendInfo,
  type BackendName,
  currentBackend,
  type InitBackendOptions,
  initBackend,
} from './backend.ts';
export { ACTIVATIONS, type ActivationName } from './dense/activations.ts';
export { ENGINE_KINDS, type EngineKind } from './engine.ts';
export { DENSE_GUARD_TOLERANCE, ENGINES, type EngineChoice } from './engine-choice.ts';
export { blendBatches } from './ensemble/blend.ts';
export {
  decodeEnsembleFile,
  ENSEMBLE_FORMAT,
  type EnsembleFile,
  type EnsembleMember,
  encodeEnsembleFile,
  type MemberModel,
  memberFileName,
  memberFiles,
} from './ensemble/ensemble-file.ts';
export { RUNTIME_ERRORS, RuntimeError, type RuntimeErrorCode } from './errors.ts';
export {
  type ClassSelection,
  EXPLANATION_METHODS,
  Explainer,
  type ExplainOptions,
  type Explanation,
  type ExplanationBatch,
  type ExplanationMethod,
  type ExplanationSpace,
  topContributions,
} from './explain/explainer.ts';
export {
  type GlobalImportance,
  globalImportance,
  IMPORTANCE_MAX_ROWS,
} from './explain/importance.ts';
export { InterventionalShap } from './explain/interventional-shap.ts';
/** Seeded random numbers: the one PRNG of training splits, explanation samples and tests. */
export { mulberry32 } from './explain/mulberry32.ts';
export { referenceRow } from './explain/reference-row.ts';
export { TreeShap, type TreeShapOptions } from './explain/tree-shap.ts';
export {
  decodeFeaturesFile,
  encodeFeaturesFile,
  FEATURES_FORMAT,
  type FeaturesFile,
} from './features-file.ts';
export { type RuntimeInfo, runtimeInfo } from './info.ts';
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
  predictedClass,
  predictionColumns,
  toPredictions,
  type ValuePrediction,
} from './predictions.ts';
export {
  type BlendComponents,
  type BlendMember,
  type MarginBatch,
  type PredictionBatch,
  type PredictOptions,
  Predictor,
  type PredictorMeta,
  type PredictorReplica,
  predictorFromTrees,
  type TreePredictorParts,
} from './predictor.ts';
export { tf } from './tf.ts';
export {
  BITSET_WORDS,
  CATEGORICAL,
  MISSING_LEFT,
  TREE_LINKS,
  type TreeEnsemble,
  type TreeLink,
} from './trees/ensemble.ts';
export { TreeEngine } from './trees/tree-engine.ts';
export {
  checkEnsemble,
  decodeTreeFile,
  encodeTreeFile,
  TREE_FILE_FORMAT,
} from './trees/tree-file.ts';
