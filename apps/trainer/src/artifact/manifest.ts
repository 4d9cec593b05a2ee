import type { FittedPipeline, LabelEncoder, RawRow } from '@tandem/features';
import type { ManifestDraft, Metrics } from '@tandem/model-store';
import type { FinalConfig } from '../config/types.ts';
import type { Dataset } from '../data/load.ts';
import type { DatasetSplit } from '../split/split.ts';
import type { GitProvenance } from './provenance.ts';

export interface ManifestInputs {
  config: FinalConfig;
  dataset: Dataset;
  split: DatasetSplit;
  pipeline: FittedPipeline;
  labels: LabelEncoder | null;
  metrics: Metrics;
  baseline: Metrics;
  /** Figures beyond the standard metrics: training history, per-class scores. */
  extra: Record<string, unknown>;
  runtime: { tfjs: string; backend: string };
  git: GitProvenance | undefined;
  sample: RawRow;
  createdAt: Date;
}

/** The manifest of a new version, less what the store fills in (format, name, version, files). */
export function buildManifest(inputs: ManifestInputs): ManifestDraft {
  const { config, dataset, split } = inputs;
  const draft: ManifestDraft = {
    createdAt: inputs.createdAt.toISOString(),
    task: config.task,
    target: config.target,
    inputs: [...inputs.pipeline.inputSchema],
    outputs: inputs.labels ? { classes: [...inputs.labels.classes] } : { target: config.target },
    metrics: { test: inputs.metrics, baseline: inputs.baseline, extra: inputs.extra },
    // The data as read: a log window pinned, a connection without its password.
    config: { ...config, data: dataset.source },
    data: {
      path: dataset.path,
      sha256: dataset.sha256,
      rows: dataset.rows.length,
      rowsWithoutTarget: dataset.rowsWithoutTarget,
      profile: dataset.profile,
    },
    split: {
      train: split.train.length,
      validation: split.validation.length,
      test: split.test.length,
      seed: split.seed,
    },
    runtime: inputs.runtime,
    sample: inputs.sample,
  };
  if (inputs.git) draft.git = inputs.git;
  if (dataset.lineage) draft.lineage = dataset.lineage;
  return draft;
}

/** A raw training row without the target and the dropped columns: the server's warm-up input. */
export function sampleRow(row: RawRow, config: Pick<FinalConfig, 'target' | 'drop'>): RawRow {
  const sample: Record<string, unknown> = { ...row };
  delete sample[config.target];
  for (const column of config.drop) delete sample[column];
  return sample;
}
