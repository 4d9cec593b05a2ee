import type { RawRow } from '@tandem/features';
import type { Manifest } from '@tandem/model-store';
import { loadConfig } from '../config/load.ts';
import type { ResolvedConfig, TrainConfig } from '../config/types.ts';
import { loadDataset } from '../data/load.ts';
import { TrainerError } from '../errors.ts';
import { splitDataset } from '../split/split.ts';

export interface TestSplit {
  rows: RawRow[];
  target: string;
  /** The data file as resolved (relative to the working directory when under it). */
  dataPath: string;
}

/**
 * Rebuilds a version's test rows from its manifest: its resolved config (data path, target,
 * split) goes through the trainer's own loadDataset and splitDataset, so the rows are exactly
 * those the version was tested on. The data file must still hash to the manifest's sha256.
 */
export async function rebuildTestSplit(manifest: Manifest): Promise<TestSplit> {
  const where = `${manifest.name}/${manifest.version}`;
  let config: ResolvedConfig;
  try {
    config = await loadConfig(manifest.config as TrainConfig);
  } catch (error) {
    throw new TrainerError(
      'TANDEM_GATE_MANIFEST_INVALID',
      `${where}: the stored config cannot be read back: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const dataset = await loadDataset(config, { profile: false });
  if (dataset.sha256 !== manifest.data.sha256) {
    throw new TrainerError(
      'TANDEM_GATE_DATA_CHANGED',
      `${where} was trained on ${manifest.data.path} with sha256 ${manifest.data.sha256.slice(0, 12)}…, ` +
        `but ${dataset.path} now has ${dataset.sha256.slice(0, 12)}…: its test split cannot be rebuilt`,
    );
  }
  const split = await splitDataset(dataset, config);
  if (split.test.length !== manifest.split.test) {
    throw new TrainerError(
      'TANDEM_GATE_MANIFEST_INVALID',
      `${where}: the rebuilt test split has ${split.test.length} rows, the manifest says ${manifest.split.test}`,
    );
  }
  return {
    rows: split.test.map((index) => dataset.rows[index] as RawRow),
    target: config.target,
    dataPath: dataset.path,
  };
}
