import { displayPath } from '@tandem/cli';
import type { Manifest } from '@tandem/model-store';
import { readLoggedTable } from '../data/log-source.ts';
import { TrainerError } from '../errors.ts';
import type { TestSplit } from './test-split.ts';

/** Which recent, labelled rows the gate compares on. */
export interface LogWindow {
  /** The prediction log's folder. */
  folder: string;
  /** A look-back window ("7d") or an ISO-8601 start time. */
  since: string;
  /** ISO-8601 end (exclusive); default now. */
  until?: string;
}

/**
 * The gate's rows from what was served: the prediction log's labelled rows of the model in the
 * window (the trainer's log source, so exactly the rows retraining would read), the fed-back
 * truth as the target. Both versions are scored on these same rows.
 */
export async function loggedTestRows(
  manifest: Manifest,
  window: LogWindow,
): Promise<TestSplit & { window: { since: string; until: string } }> {
  const table = await readLoggedTable(
    { log: window.folder, since: window.since, ...(window.until ? { until: window.until } : {}) },
    manifest.name,
    manifest.target,
  );
  if (table.rows.length === 0) {
    throw new TrainerError(
      'TANDEM_GATE_NO_ROWS',
      `the prediction log ${displayPath(window.folder)} holds no labelled rows of ${manifest.name} ` +
        `from ${table.lineage.since} to ${table.lineage.until}`,
    );
  }
  return {
    rows: table.rows,
    target: manifest.target,
    dataPath: `log ${displayPath(window.folder)}`,
    window: { since: table.lineage.since, until: table.lineage.until },
  };
}
