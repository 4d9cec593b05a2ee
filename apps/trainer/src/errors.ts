import { CodedError } from '@tandem/errors';

/**
 * Every error the trainer app raises on purpose, in one table: the train, label, gate and
 * quality commands and the functions behind them (usage mistakes are @tandem/cli's UsageError). A coded error is a user mistake or an expected
 * failure: the CLIs print its message as one line and exit non-zero, never a stack trace.
 */

export const TRAINER_ERRORS = {
  // Training: config, data, split, the run itself.
  TANDEM_CONFIG_NOT_FOUND: 'the config file does not exist or cannot be read',
  TANDEM_CONFIG_INVALID: 'the config is not valid JSON or breaks the config schema',
  TANDEM_DATA_NOT_FOUND: 'the data file does not exist or cannot be read',
  TANDEM_DATA_INVALID: 'the data cannot be parsed or does not suit the task',
  TANDEM_DATA_UNAVAILABLE:
    'the database, the object store or the prediction log cannot be reached or read',
  TANDEM_SPLIT_INVALID: 'the split file or split fractions are not usable',
  TANDEM_TRAINING_FAILED: 'training diverged or produced non-finite values',
  TANDEM_ARTIFACTS_UNUSABLE: 'the model store root is not a folder the trainer can write to',

  // The quality gate.
  TANDEM_GATE_MANIFEST_INVALID:
    "the candidate's manifest lacks what is needed to rebuild its test split",
  TANDEM_GATE_DATA_CHANGED: 'the data file differs from the one the candidate was trained on',
  TANDEM_GATE_INCOMPATIBLE: 'candidate and baseline cannot be compared (task or target differ)',
  TANDEM_GATE_NO_ROWS: 'the prediction log holds no labelled rows of the model in the window',
} as const;

export type TrainerErrorCode = keyof typeof TRAINER_ERRORS;

export class TrainerError extends CodedError<TrainerErrorCode> {}
