import { displayPath } from '@tandem/cli';
import type { RawRow } from '@tandem/features';
import { didYouMean } from '../config/suggest.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { TrainerError } from '../errors.ts';
import { isMissing } from './cells.ts';
import { type DataProfile, profileRows } from './profile.ts';
import { readTable } from './read.ts';
import { checkTarget } from './target.ts';

/** The data a run trains and evaluates on. */
export interface Dataset {
  /** As displayed and stored: relative to the working directory when under it. */
  path: string;
  sha256: string;
  columns: string[];
  /** Rows holding a target, in file order: a split's indices point into this array. */
  rows: RawRow[];
  /** 0-based data-row number in the file (header excluded) of each row in `rows`. */
  rowNumbers: number[];
  rowsWithoutTarget: number;
  /** Profile of `rows`; null when loading was asked to skip it. */
  profile: DataProfile | null;
}

export type DatasetConfig = Pick<ResolvedConfig, 'data' | 'target' | 'task' | 'drop' | 'features'>;

/**
 * Reads the data file of a config, checks the columns the config names, drops rows without a
 * target and profiles the rest with danfo.js.
 */
export async function loadDataset(
  config: DatasetConfig,
  options: { profile?: boolean } = {},
): Promise<Dataset> {
  const table = await readTable(config.data);
  const shown = displayPath(config.data);
  if (table.rows.length === 0) {
    throw new TrainerError('TANDEM_DATA_INVALID', `data file ${shown} has no data rows`);
  }
  const known = (column: string, key: string): void => {
    if (!table.columns.includes(column)) {
      throw new TrainerError(
        key === 'target' ? 'TANDEM_DATA_INVALID' : 'TANDEM_CONFIG_INVALID',
        `${key === 'target' ? 'target column' : `config key "${key}": column`} "${column}" not found in ${shown}${didYouMean(column, table.columns)}`,
      );
    }
  };
  known(config.target, 'target');
  for (const column of config.drop) known(column, 'drop');
  for (const column of Object.keys(config.features)) known(column, `features.${column}`);
  if (config.drop.includes(config.target)) {
    throw new TrainerError(
      'TANDEM_CONFIG_INVALID',
      `config key "drop": lists the target column "${config.target}"`,
    );
  }
  const rows: RawRow[] = [];
  const rowNumbers: number[] = [];
  table.rows.forEach((row, number) => {
    if (isMissing(row[config.target])) return;
    rows.push(row);
    rowNumbers.push(number);
  });
  checkTarget(config.task, config.target, rows, rowNumbers);
  return {
    path: shown,
    sha256: table.sha256,
    columns: table.columns,
    rows,
    rowNumbers,
    rowsWithoutTarget: table.rows.length - rows.length,
    profile: options.profile === false ? null : await profileRows(table.columns, rows),
  };
}
