import type { InputColumnSchema, RawRow } from '@tandem/features';

/** The manifest format this build writes and reads. A newer format is refused, never guessed. */
export const MANIFEST_FORMAT = 1;

export type Task = 'binary' | 'multiclass' | 'regression';

export const TASKS: readonly Task[] = ['binary', 'multiclass', 'regression'];

/** Files every version must hold besides manifest.json (and one model, MODEL_FILE_SETS). */
export const REQUIRED_FILES: readonly string[] = ['features.json'];

/**
 * The model a version holds: a tfjs layers model, a tree ensemble (trees.bin), or an ensemble of
 * such models (ensemble.json, which names its members' files). The first set whose first file is
 * present must be complete; with none, the tfjs files are named missing.
 */
export const MODEL_FILE_SETS: ReadonlyArray<readonly string[]> = [
  ['ensemble.json'],
  ['trees.bin'],
  ['model.json', 'weights.bin'],
];

/** The first required file `has` lacks, or undefined when the version is complete. */
export function missingRequiredFile(has: (file: string) => boolean): string | undefined {
  const missing = REQUIRED_FILES.find((file) => !has(file));
  if (missing !== undefined) return missing;
  const set = MODEL_FILE_SETS.find((files) => has(files[0]!)) ?? MODEL_FILE_SETS[2]!;
  return set.find((file) => !has(file));
}

/**
 * Evaluation figures. Which keys are present depends on the task: binary → accuracy, auc, logLoss,
 * precision, recall, f1; multiclass → accuracy, macroF1, logLoss; regression → rmse, mae, r2.
 */
export interface Metrics {
  accuracy?: number;
  auc?: number;
  logLoss?: number;
  macroF1?: number;
  precision?: number;
  recall?: number;
  f1?: number;
  rmse?: number;
  mae?: number;
  r2?: number;
  /** counts[actual][predicted], both indexed in the order of `outputs.classes`. */
  confusionMatrix?: number[][];
}

export type ManifestOutputs = { classes: string[] } | { target: string };

export interface ManifestData {
  /** The training data file as given in the config (relative paths stay relative). */
  path: string;
  sha256: string;
  rows: number;
  rowsWithoutTarget: number;
  /** The dataframe profile of the data (column types, missing counts, describe()). */
  profile: unknown;
}

export interface ManifestSplit {
  train: number;
  validation: number;
  test: number;
  seed: number;
}

/** Where a version trained from the prediction log took its rows. */
export interface ManifestLineage {
  /** The version that served most of the rows (the newest on a tie); null without rows. */
  parent: number | null;
  /** Labelled rows per version that served them. */
  versions: Record<string, number>;
  /** ISO times: events at or after `since`, before `until`. */
  since: string;
  until: string;
  /** The log folder as configured. */
  log: string;
  /** Every sealed segment that contributed events, with the sha256 of its bytes. */
  segments: { file: string; sha256: string; events: number }[];
}

/**
 * manifest.json of one model version: format 1. The store fills in `format`, `name`, `version`
 * and `files`; everything else comes from the trainer.
 */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  name: string;
  version: number;
  /** ISO 8601 timestamp. */
  createdAt: string;
  task: Task;
  target: string;
  inputs: InputColumnSchema[];
  outputs: ManifestOutputs;
  metrics: { test: Metrics; baseline: Metrics; extra?: Record<string, unknown> };
  /** The fully resolved training config, every default filled in. */
  config: unknown;
  data: ManifestData;
  split: ManifestSplit;
  runtime: { tfjs: string; backend: string };
  /** The commit that trained it; dirty when tracked files differed from that commit. */
  git?: { commit: string; dirty?: boolean };
  /** One raw training row: the server's warm-up prediction. */
  sample: RawRow;
  /** Set when the version was trained from served predictions (docs/data.md, "Lineage"). */
  lineage?: ManifestLineage;
  /** sha256 (hex) of every other file in the version directory, by file name. */
  files: Record<string, string>;
}

/** What the trainer hands to writeVersion; the store owns format, name, version and files. */
export type ManifestDraft = Omit<Manifest, 'format' | 'name' | 'version' | 'files'> &
  Partial<Pick<Manifest, 'format' | 'name' | 'version'>>;
