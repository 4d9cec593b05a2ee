import type { ResolvedConfig } from '../config/types.ts';
import { isFileSplit } from '../config/types.ts';
import type { Dataset } from '../data/load.ts';
import { TrainerError } from '../errors.ts';
import { readSplitFile } from './file.ts';
import { holdOut } from './holdout.ts';
import { deriveSeed } from './prng.ts';
import { strataOf } from './strata.ts';

/** Row numbers (into the dataset's rows) of each part, ascending. */
export interface DatasetSplit {
  train: number[];
  validation: number[];
  test: number[];
  seed: number;
  source: 'random' | 'file';
}

/**
 * Splits rows reproducibly: the same rows, config and seed always give the same parts. The test
 * part is drawn at random (stratified) or read from the split file; validation is then carved
 * from the training part, stratified the same way.
 */
export async function splitDataset(
  dataset: Pick<Dataset, 'rows' | 'rowNumbers' | 'rowsWithoutTarget'>,
  config: Pick<ResolvedConfig, 'split' | 'task' | 'target'>,
): Promise<DatasetSplit> {
  const { split, task, target } = config;
  const { rows } = dataset;
  const strata = (indices: readonly number[]): string[] =>
    split.stratify ? strataOf(task, target, rows, indices) : indices.map(() => '');
  let trainAll: number[];
  let test: number[];
  if (isFileSplit(split)) {
    const fileRows = rows.length + dataset.rowsWithoutTarget;
    ({ train: trainAll, test } = await readSplitFile(split.file, dataset.rowNumbers, fileRows));
  } else {
    const all = rows.map((_, index) => index);
    const parts = holdOut(all, strata(all), split.test, deriveSeed(split.seed, 'test'));
    trainAll = parts.kept;
    test = parts.heldOut;
  }
  if (trainAll.length < 2 || test.length < 1) {
    throw new TrainerError(
      'TANDEM_SPLIT_INVALID',
      `too few rows to split: ${trainAll.length} for training, ${test.length} for testing`,
    );
  }
  const { kept: train, heldOut: validation } = holdOut(
    trainAll,
    strata(trainAll),
    split.validation,
    deriveSeed(split.seed, 'validation'),
  );
  return {
    train,
    validation,
    test,
    seed: split.seed,
    source: isFileSplit(split) ? 'file' : 'random',
  };
}
