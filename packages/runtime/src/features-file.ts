import { FittedPipeline, LabelEncoder, TargetScaler } from '@tandem/features';
import { RuntimeError, reasonOf } from './errors.ts';

/** The features.json format this build writes and reads. */
export const FEATURES_FORMAT = 1;

/**
 * features.json of a model version:
 * `{ "format": 1, "pipeline": FittedPipeline.toJSON(), "labels": LabelEncoder.toJSON() | null,
 *    "target": TargetScaler.toJSON() | null }`.
 */
export interface FeaturesFile {
  pipeline: FittedPipeline;
  labels: LabelEncoder | null;
  targetScaler: TargetScaler | null;
}

/** The bytes of features.json; the same fitted state always gives the same bytes. */
export function encodeFeaturesFile(parts: {
  pipeline: FittedPipeline;
  labels?: LabelEncoder | null;
  targetScaler?: TargetScaler | null;
}): Uint8Array {
  const state = {
    format: FEATURES_FORMAT,
    pipeline: parts.pipeline.toJSON(),
    labels: parts.labels ? parts.labels.toJSON() : null,
    target: parts.targetScaler ? parts.targetScaler.toJSON() : null,
  };
  return new TextEncoder().encode(`${JSON.stringify(state, null, 2)}\n`);
}

/** Parses features.json; TANDEM_FEATURES_FILE_INVALID names the part that is wrong. */
export function decodeFeaturesFile(bytes: Uint8Array): FeaturesFile {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad(`is not valid JSON (${reasonOf(error)})`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('is not a JSON object');
  }
  const state = value as Record<string, unknown>;
  if (state.format !== FEATURES_FORMAT) {
    throw bad(
      `has format ${JSON.stringify(state.format)}; this build reads format ${FEATURES_FORMAT}`,
    );
  }
  const part = <T>(field: string, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      throw bad(`field "${field}": ${reasonOf(error)}`, error);
    }
  };
  return {
    pipeline: part('pipeline', () => FittedPipeline.fromJSON(state.pipeline)),
    labels: part('labels', () =>
      state.labels == null ? null : LabelEncoder.fromJSON(state.labels),
    ),
    targetScaler: part('target', () =>
      state.target == null ? null : TargetScaler.fromJSON(state.target),
    ),
  };
}

function bad(why: string, cause?: unknown): RuntimeError {
  return new RuntimeError(
    'TANDEM_FEATURES_FILE_INVALID',
    `features.json ${why}`,
    cause === undefined ? {} : { cause },
  );
}
