import { CodedError } from '@tandem/errors';

/** Failures of the runtime, with their meaning; the server maps these codes to HTTP statuses. */
export const RUNTIME_ERRORS = {
  TANDEM_MODEL_LOAD_FAILED:
    'a stored version cannot be turned into a predictor (files, shapes, warm-up)',
  TANDEM_BACKEND_INVALID: 'TANDEM_BACKEND names no TensorFlow.js backend Tandem knows',
  TANDEM_FEATURES_FILE_INVALID: "a version's features.json cannot be read",
  TANDEM_MODEL_FILES_INVALID: "a version's model files (model.json, weights, trees) cannot be read",
  TANDEM_ENGINE_UNSUPPORTED: 'the engine asked for cannot run this model',
  TANDEM_EXPLAIN_UNSUPPORTED:
    'the model has no explanation method (it, or an ensemble member, runs on tfjs only)',
  TANDEM_EXPLAIN_CLASS_UNKNOWN: 'an explanation asked for a class the model does not have',
} as const;

export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;

export class RuntimeError extends CodedError<RuntimeErrorCode> {}

/** The message of any thrown value, for "reason" parts of messages and log lines. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
