import { displayPath } from '@tandem/cli';
import type { RawRow } from '@tandem/features';
import type { ManifestLineage } from '@tandem/model-store';
import { describeSource, redactedConnection } from '@tandem/sources';
import { didYouMean } from '../config/suggest.ts';
import { type DataSource, isLogData, type ResolvedConfig } from '../config/types.ts';
import { TrainerError } from '../errors.ts';
import { isMissing } from './cells.ts';
import { readLoggedTable } from './log-source.ts';
import { type DataProfile, profileRows } from './profile.ts';
import { type RawTable, readDataTable } from './read.ts';
import { checkTarget } from './target.ts';

/** The data a run trains and evaluates on. */
export interface Dataset {
  /**
   * As displayed and stored: a path relative to the working directory when under it, an s3://
   * URL, `postgres $NAME` (never a password) or `log <folder>`.
   */
  path: string;
  /** The config's data as the manifest stores it: a log window pinned, no password. */
  source: DataSource;
  /** A version trained from the prediction log: which rows of which segments. */
  lineage?: ManifestLineage;
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

export type DatasetConfig = Pick<ResolvedConfig, 'data' | 'target' | 'task' | 'drop' | 'features'> &
  Partial<Pick<ResolvedConfig, 'name'>>;

/**
 * Reads the data of a config (a file, an s3:// object, a PostgreSQL query or the prediction
 * log), checks the columns the config names, drops rows without a target and profiles the rest
 * with danfo.js.
 */
export async function loadDataset(
  config: DatasetConfig,
  options: { profile?: boolean } = {},
): Promise<Dataset> {
  const { table, shown, source, lineage } = await readConfigData(config);
  if (table.rows.length === 0) {
    const kind = typeof config.data === 'string' && !config.data.startsWith('s3://') ? 'file ' : '';
    throw new TrainerError('TANDEM_DATA_INVALID', `data ${kind}${shown} has no data rows`);
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
    source,
    ...(lineage === undefined ? {} : { lineage }),
    sha256: table.sha256,
    columns: table.columns,
    rows,
    rowNumbers,
    rowsWithoutTarget: table.rows.length - rows.length,
    profile: options.profile === false ? null : await profileRows(table.columns, rows),
  };
}

async function readConfigData(config: DatasetConfig): Promise<{
  table: RawTable;
  shown: string;
  source: DataSource;
  lineage?: ManifestLineage;
}> {
  const { data } = config;
  if (isLogData(data)) {
    const model = data.model ?? config.name;
    if (model === undefined) {
      throw new TrainerError('TANDEM_CONFIG_INVALID', 'config key "data.model": missing (no name)');
    }
    const logged = await readLoggedTable(data, model, config.target);
    return {
      table: logged,
      shown: `log ${displayPath(data.log)}`,
      source: logged.pinned,
      lineage: logged.lineage,
    };
  }
  const table = await readDataTable(data);
  if (typeof data === 'string') {
    return { table, shown: data.startsWith('s3://') ? data : displayPath(data), source: data };
  }
  const source = {
    postgres: redactedConnection(data.postgres).replace(/^\$/, ''),
    query: data.query,
  };
  return { table, shown: describeSource(data), source };
}
