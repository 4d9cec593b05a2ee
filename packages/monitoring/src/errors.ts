import { CodedError } from '@tandem/errors';

/**
 * The one table of coded errors @tandem/monitoring throws. Plain coded errors with no HTTP in
 * them: the server and the command line map them onto statuses and exit codes.
 */
export const MONITORING_ERRORS = {
  TANDEM_PROFILE_INVALID: 'a reference profile file is malformed or of another format',
  TANDEM_PROFILE_MISSING:
    'the model version has no profile.json (trained before profiles were written)',
  TANDEM_PROFILE_ROWS_INVALID: 'a reference profile cannot be built from these rows',
  TANDEM_FEEDBACK_INVALID:
    'a feedback item names no prediction, or its ground truth has the wrong type',
  TANDEM_LOG_SINK_INVALID: 'a prediction log sink option is out of range or unusable',
  TANDEM_LOG_READ_FAILED: 'a prediction log segment cannot be read',
} as const;

export type MonitoringErrorCode = keyof typeof MONITORING_ERRORS;

export class MonitoringError extends CodedError<MonitoringErrorCode> {}
