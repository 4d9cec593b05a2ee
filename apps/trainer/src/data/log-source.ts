import type { RawRow } from '@tandem/features';
import type { ManifestLineage } from '@tandem/model-store';
import { MonitoringError, readLoggedTrainingRows } from '@tandem/monitoring';
import { hashRows } from '@tandem/sources';
import type { LogData } from '../config/types.ts';
import { TrainerError } from '../errors.ts';
import type { RawTable } from './read.ts';

/** Rows served and labelled, with where they came from. */
export interface LoggedTable extends RawTable {
  lineage: ManifestLineage;
  /** The source with its window pinned to ISO times: reading it again gives the same rows. */
  pinned: LogData;
}

/**
 * Training rows from what was served: @tandem/monitoring's reader joins the log's prediction
 * events of the model in the window with their feedback (raw inputs, the fed-back truth as the
 * target). The hash is of the rows in order (docs/data.md), with the model and the window.
 */
export async function readLoggedTable(
  data: LogData,
  model: string,
  target: string,
): Promise<LoggedTable> {
  const until = data.until === undefined ? Date.now() : Date.parse(data.until);
  const since = /^\d+[mhdw]$/.test(data.since) ? data.since : Date.parse(data.since);
  let read: Awaited<ReturnType<typeof readLoggedTrainingRows>>;
  try {
    read = await readLoggedTrainingRows({ folder: data.log, model, target, since, now: until });
  } catch (error) {
    if (!(error instanceof MonitoringError)) throw error;
    throw new TrainerError('TANDEM_DATA_UNAVAILABLE', `data log ${data.log}: ${error.message}`, {
      cause: error,
    });
  }
  const { lineage } = read;
  const columns = columnsOf(read.rows, target);
  const origin = `log ${model} ${lineage.since} ${lineage.until}`;
  return {
    columns,
    rows: read.rows,
    sha256: hashRows(origin, columns, read.rows),
    pinned: { log: data.log, since: lineage.since, until: lineage.until, model },
    lineage: {
      parent: parentOf(lineage.versions),
      versions: lineage.versions,
      since: lineage.since,
      until: lineage.until,
      log: data.log,
      segments: lineage.segments,
    },
  };
}

/** The target first, then the inputs in order of first appearance. */
function columnsOf(rows: readonly RawRow[], target: string): string[] {
  const seen = new Set<string>([target]);
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** The version that served most rows; the newest on a tie. */
function parentOf(versions: Readonly<Record<string, number>>): number | null {
  let parent: number | null = null;
  let most = 0;
  for (const [version, rows] of Object.entries(versions)) {
    const number = Number(version);
    if (rows > most || (rows === most && parent !== null && number > parent)) {
      parent = number;
      most = rows;
    }
  }
  return parent;
}
