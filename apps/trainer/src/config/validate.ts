import { MODEL_NAME, TASKS } from '@tandem/model-store';
import { readDataSource } from './data-source.ts';
import {
  DEFAULT_AUTO,
  DEFAULT_EARLY_STOPPING,
  DEFAULT_GBDT,
  DEFAULT_LINEAR,
  DEFAULT_MLP,
  DEFAULT_SPLIT,
  DEFAULT_TRAINING,
} from './defaults.ts';
import {
  checkKeys,
  expectObject,
  invalid,
  isObject,
  type JsonObject,
  join,
  optional,
  readBoolean,
  readChoice,
  readNumber,
  readString,
  readStringArray,
  requireKey,
} from './fields.ts';
import type {
  Activation,
  AutoModelConfig,
  CandidateType,
  ChoiceRule,
  EarlyStoppingConfig,
  FeatureOverride,
  GbdtModelConfig,
  ModelConfig,
  OptimizerName,
  ResolvedConfig,
  SplitConfig,
  TrainingConfig,
} from './types.ts';

const TOP_KEYS = [
  'name',
  'data',
  'target',
  'task',
  'features',
  'drop',
  'split',
  'model',
  'training',
];
const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'elu', 'selu', 'sigmoid'];
const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'rmsprop', 'adagrad'];

// The keys of a ColumnSpec a config may override; deeper checks belong to @tandem/features.
const FEATURE_KEYS = [
  'type',
  'nullable',
  'range',
  'values',
  'transform',
  'impute',
  'missingIndicator',
  'outOfRange',
];
const COLUMN_TYPES = ['numeric', 'categorical', 'boolean', 'datetime'] as const;
const TRANSFORM_KINDS = [
  'standardize',
  'minmax',
  'robust',
  'log1p',
  'bucketize',
  'onehot',
  'ordinal',
];
const IMPUTE_STRATEGIES = ['mean', 'median', 'most_frequent', 'constant'];

/**
 * Checks a parsed config and fills in every default. `resolvePath` turns a path written in the
 * config (relative to the config file's folder) into the path the trainer opens.
 * Throws TrainerError('TANDEM_CONFIG_INVALID') naming the first offending key.
 */
export function validateConfig(
  raw: unknown,
  resolvePath: (path: string) => string,
): ResolvedConfig {
  const root = expectObject(raw, '');
  checkKeys(root, TOP_KEYS, '');
  const name = readString(requireKey(root, 'name', ''), 'name');
  if (!MODEL_NAME.test(name)) {
    throw invalid('name', 'letters, digits, "_", "." and "-", not starting with a dot', name);
  }
  return {
    name,
    data: readDataSource(requireKey(root, 'data', ''), resolvePath),
    target: readString(requireKey(root, 'target', ''), 'target'),
    task: readChoice(requireKey(root, 'task', ''), TASKS, 'task'),
    features: optional(root, 'features', {}, readFeatures),
    drop: optional(root, 'drop', [], (value) => readStringArray(value, 'drop')),
    split: readSplit(root['split'], resolvePath),
    model: readModel(root['model']),
    training: readTraining(root['training']),
  };
}

function readFeatures(value: unknown): Record<string, FeatureOverride> {
  const object = expectObject(value, 'features');
  const result: Record<string, FeatureOverride> = {};
  for (const [column, override] of Object.entries(object)) {
    const path = join('features', column);
    const spec = expectObject(override, path);
    checkKeys(spec, FEATURE_KEYS, path);
    if (spec['type'] !== undefined) readChoice(spec['type'], COLUMN_TYPES, join(path, 'type'));
    if (spec['nullable'] !== undefined) readBoolean(spec['nullable'], join(path, 'nullable'));
    if (spec['missingIndicator'] !== undefined) {
      readBoolean(spec['missingIndicator'], join(path, 'missingIndicator'));
    }
    if (spec['values'] !== undefined) readStringArray(spec['values'], join(path, 'values'));
    if (spec['outOfRange'] !== undefined) {
      readChoice(spec['outOfRange'], ['clip', 'extrapolate'], join(path, 'outOfRange'));
    }
    checkKind(spec['transform'], 'kind', TRANSFORM_KINDS, join(path, 'transform'));
    checkKind(spec['impute'], 'strategy', IMPUTE_STRATEGIES, join(path, 'impute'));
    if (spec['range'] !== undefined) {
      const range = expectObject(spec['range'], join(path, 'range'));
      checkKeys(range, ['min', 'max'], join(path, 'range'));
      for (const bound of ['min', 'max']) {
        if (range[bound] !== undefined) readNumber(range[bound], join(join(path, 'range'), bound));
      }
    }
    // Shape checked above; the features package validates the remaining details when fitting.
    result[column] = spec as FeatureOverride;
  }
  return result;
}

function checkKind(value: unknown, key: string, kinds: readonly string[], path: string): void {
  if (value === undefined) return;
  const object = expectObject(value, path);
  readChoice(requireKey(object, key, path), kinds, join(path, key));
}

function readSplit(value: unknown, resolvePath: (path: string) => string): SplitConfig {
  if (value === undefined) return { ...DEFAULT_SPLIT };
  const split = expectObject(value, 'split');
  const validation = optional(split, 'validation', DEFAULT_SPLIT.validation, (v) =>
    readNumber(v, 'split.validation', { above: 0, below: 1 }),
  );
  const seed = optional(split, 'seed', DEFAULT_SPLIT.seed, (v) =>
    readNumber(v, 'split.seed', { integer: true, min: 0 }),
  );
  const stratify = optional(split, 'stratify', DEFAULT_SPLIT.stratify, (v) =>
    readBoolean(v, 'split.stratify'),
  );
  if (split['file'] !== undefined) {
    checkKeys(split, ['file', 'validation', 'seed', 'stratify'], 'split');
    const file = resolvePath(readString(split['file'], 'split.file'));
    return { file, validation, seed, stratify };
  }
  checkKeys(split, ['test', 'validation', 'seed', 'stratify', 'file'], 'split');
  const test = optional(split, 'test', DEFAULT_SPLIT.test, (v) =>
    readNumber(v, 'split.test', { above: 0, below: 1 }),
  );
  return { test, validation, seed, stratify };
}

function readModel(value: unknown): ModelConfig | AutoModelConfig {
  if (value === undefined) return { ...DEFAULT_AUTO, candidates: [...DEFAULT_AUTO.candidates] };
  const model = expectObject(value, 'model');
  const type = readChoice(
    requireKey(model, 'type', 'model'),
    ['auto', 'gbdt', 'linear', 'mlp'],
    'model.type',
  );
  if (type === 'auto') return readAuto(model);
  if (type === 'gbdt') return readGbdt(model);
  if (type === 'linear') {
    checkKeys(model, ['type', 'l2'], 'model');
    return { type, l2: optional(model, 'l2', DEFAULT_LINEAR.l2, (v) => readL2(v)) };
  }
  checkKeys(model, ['type', 'hidden', 'dropout', 'l2', 'activation'], 'model');
  return {
    type,
    hidden: optional(model, 'hidden', [...DEFAULT_MLP.hidden], readHidden),
    dropout: optional(model, 'dropout', DEFAULT_MLP.dropout, (v) =>
      readNumber(v, 'model.dropout', { min: 0, below: 1 }),
    ),
    l2: optional(model, 'l2', DEFAULT_MLP.l2, readL2),
    activation: optional(model, 'activation', DEFAULT_MLP.activation, (v) =>
      readChoice(v, ACTIVATIONS, 'model.activation'),
    ),
  };
}

const CANDIDATES: readonly CandidateType[] = ['gbdt', 'linear', 'mlp'];
const CHOICE_RULES: readonly ChoiceRule[] = ['one-standard-error', 'lowest-loss'];

function readAuto(model: JsonObject): AutoModelConfig {
  checkKeys(
    model,
    ['type', 'candidates', 'budgetSeconds', 'folds', 'foldsMaxRows', 'choice', 'ensemble'],
    'model',
  );
  const candidates = optional(model, 'candidates', [...DEFAULT_AUTO.candidates], (v) => {
    if (!Array.isArray(v) || v.length === 0) {
      throw invalid('model.candidates', `a non-empty list of ${CANDIDATES.join(', ')}`, v);
    }
    const list = v.map((c, i) => readChoice(c, CANDIDATES, `model.candidates[${i}]`));
    if (new Set(list).size !== list.length) {
      throw invalid('model.candidates', 'each candidate once', v);
    }
    return list;
  });
  return {
    type: 'auto',
    candidates,
    budgetSeconds: optional(model, 'budgetSeconds', DEFAULT_AUTO.budgetSeconds, (v) =>
      readNumber(v, 'model.budgetSeconds', { above: 0 }),
    ),
    folds: optional(model, 'folds', DEFAULT_AUTO.folds, (v) =>
      readNumber(v, 'model.folds', { integer: true, min: 2, max: 20 }),
    ),
    foldsMaxRows: optional(model, 'foldsMaxRows', DEFAULT_AUTO.foldsMaxRows, (v) =>
      readNumber(v, 'model.foldsMaxRows', { integer: true, min: 0 }),
    ),
    choice: optional(model, 'choice', DEFAULT_AUTO.choice, (v) =>
      readChoice(v, CHOICE_RULES, 'model.choice'),
    ),
    ensemble: optional(model, 'ensemble', DEFAULT_AUTO.ensemble, (v) =>
      readBoolean(v, 'model.ensemble'),
    ),
  };
}

function readGbdt(model: JsonObject): GbdtModelConfig {
  const d = DEFAULT_GBDT;
  checkKeys(model, Object.keys(d), 'model');
  const int = (key: string, min: number, max?: number) => (v: unknown) =>
    readNumber(v, `model.${key}`, { integer: true, min, ...(max !== undefined ? { max } : {}) });
  return {
    type: 'gbdt',
    learningRate: optional(model, 'learningRate', d.learningRate, (v) =>
      readNumber(v, 'model.learningRate', { above: 0, max: 10 }),
    ),
    maxIter: optional(model, 'maxIter', d.maxIter, int('maxIter', 1, 100_000)),
    maxLeafNodes: optional(model, 'maxLeafNodes', d.maxLeafNodes, int('maxLeafNodes', 2, 65_536)),
    maxDepth: optional(model, 'maxDepth', d.maxDepth, (v) =>
      v === null ? null : int('maxDepth', 1, 1000)(v),
    ),
    minSamplesLeaf: optional(model, 'minSamplesLeaf', d.minSamplesLeaf, int('minSamplesLeaf', 1)),
    l2: optional(model, 'l2', d.l2, readL2),
    maxBins: optional(model, 'maxBins', d.maxBins, int('maxBins', 2, 255)),
    earlyStopping: optional(model, 'earlyStopping', d.earlyStopping, (v) => {
      if (v === 'auto' || typeof v === 'boolean') return v;
      throw invalid('model.earlyStopping', 'true, false or "auto"', v);
    }),
    nIterNoChange: optional(model, 'nIterNoChange', d.nIterNoChange, int('nIterNoChange', 1)),
    tol: optional(model, 'tol', d.tol, (v) => readNumber(v, 'model.tol', { min: 0 })),
    refit: optional(model, 'refit', d.refit, (v) => readBoolean(v, 'model.refit')),
  };
}

function readL2(value: unknown): number {
  return readNumber(value, 'model.l2', { min: 0 });
}

function readHidden(value: unknown): number[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('model.hidden', 'a non-empty array of layer sizes', value);
  }
  return value.map((units, index) =>
    readNumber(units, `model.hidden[${index}]`, { integer: true, min: 1, max: 65536 }),
  );
}

function readTraining(value: unknown): TrainingConfig {
  if (value === undefined) return { ...DEFAULT_TRAINING };
  const training = expectObject(value, 'training');
  checkKeys(
    training,
    ['epochs', 'batchSize', 'learningRate', 'optimizer', 'earlyStopping', 'classWeight', 'seed'],
    'training',
  );
  const d = DEFAULT_TRAINING;
  return {
    epochs: optional(training, 'epochs', d.epochs, (v) =>
      readNumber(v, 'training.epochs', { integer: true, min: 1 }),
    ),
    batchSize: optional(training, 'batchSize', d.batchSize, (v) =>
      readNumber(v, 'training.batchSize', { integer: true, min: 1 }),
    ),
    learningRate: optional(training, 'learningRate', d.learningRate, (v) =>
      readNumber(v, 'training.learningRate', { above: 0, max: 10 }),
    ),
    optimizer: optional(training, 'optimizer', d.optimizer, (v) =>
      readChoice(v, OPTIMIZERS, 'training.optimizer'),
    ),
    earlyStopping: optional(training, 'earlyStopping', d.earlyStopping, readEarlyStopping),
    classWeight: optional(training, 'classWeight', d.classWeight, (v) =>
      readChoice(v, ['none', 'balanced'], 'training.classWeight'),
    ),
    seed: optional(training, 'seed', d.seed, (v) =>
      readNumber(v, 'training.seed', { integer: true, min: 0 }),
    ),
  };
}

function readEarlyStopping(value: unknown): EarlyStoppingConfig | false {
  if (value === false) return false;
  if (value === true) return { ...DEFAULT_EARLY_STOPPING };
  if (!isObject(value)) {
    throw invalid('training.earlyStopping', 'an object, true or false', value);
  }
  const object: JsonObject = value;
  const path = 'training.earlyStopping';
  checkKeys(object, ['patience', 'restoreBest', 'minDelta'], path);
  const d = DEFAULT_EARLY_STOPPING;
  return {
    patience: optional(object, 'patience', d.patience, (v) =>
      readNumber(v, `${path}.patience`, { integer: true, min: 1 }),
    ),
    restoreBest: optional(object, 'restoreBest', d.restoreBest, (v) =>
      readBoolean(v, `${path}.restoreBest`),
    ),
    minDelta: optional(object, 'minDelta', d.minDelta, (v) =>
      readNumber(v, `${path}.minDelta`, { min: 0 }),
    ),
  };
}
