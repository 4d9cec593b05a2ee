import { CodedError } from '@tandem/errors';
import type { InputErrorDetail } from './types.ts';

/** Every code the features package raises, with its meaning. */
export const FEATURES_ERRORS = {
  TANDEM_INPUT_INVALID:
    'a raw row cannot be transformed (wrong type, not finite, out of the allowed range, …)',
  TANDEM_FEATURES_FIT_FAILED: 'a pipeline cannot be fitted on these training rows or this spec',
  TANDEM_FEATURES_STATE_INVALID:
    'a serialised pipeline, label encoder or target scaler is unreadable',
} as const;

export type FeaturesErrorCode = keyof typeof FEATURES_ERRORS;

/** Most details a FeatureInputError carries; the message still counts all of them. */
export const MAX_ERROR_DETAILS = 100;

/**
 * Raw input that cannot be transformed: one detail per problem, each naming row, column, what was
 * expected and what was received.
 */
export class FeatureInputError extends CodedError<'TANDEM_INPUT_INVALID'> {
  readonly details: InputErrorDetail[];
  /** Problems found in total; `details` holds at most MAX_ERROR_DETAILS of them. */
  readonly totalProblems: number;
  /** Rows that failed validation (1 for a single row). */
  readonly invalidRows: number;

  constructor(details: readonly InputErrorDetail[], counts?: { problems?: number; rows?: number }) {
    const totalProblems = counts?.problems ?? details.length;
    const invalidRows = counts?.rows ?? new Set(details.map((detail) => detail.row)).size;
    super('TANDEM_INPUT_INVALID', summarise(details, totalProblems, invalidRows));
    this.details = details.slice(0, MAX_ERROR_DETAILS);
    this.totalProblems = totalProblems;
    this.invalidRows = invalidRows;
  }
}

function summarise(
  details: readonly InputErrorDetail[],
  totalProblems: number,
  invalidRows: number,
): string {
  const first = details[0];
  if (first === undefined) return 'invalid input';
  if (totalProblems === 1) return first.message;
  const rows = invalidRows === 1 ? '1 row' : `${invalidRows} rows`;
  const more = totalProblems - 1 === 1 ? '1 more problem' : `${totalProblems - 1} more problems`;
  return `${first.message} (and ${more} in ${rows})`;
}

/** Training rows or a spec that a pipeline cannot be fitted on. */
export class FeatureFitError extends CodedError<'TANDEM_FEATURES_FIT_FAILED'> {
  readonly column?: string;

  constructor(message: string, column?: string) {
    super('TANDEM_FEATURES_FIT_FAILED', message);
    if (column !== undefined) this.column = column;
  }
}

/** A serialised pipeline, label encoder or target scaler that cannot be loaded. */
export class FeatureStateError extends CodedError<'TANDEM_FEATURES_STATE_INVALID'> {
  constructor(message: string) {
    super('TANDEM_FEATURES_STATE_INVALID', message);
  }
}
