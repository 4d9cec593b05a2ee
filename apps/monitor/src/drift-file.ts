import type { ModelRef } from '@tandem/cli';
import type { RawRow } from '@tandem/features';
import { FileModelStore } from '@tandem/model-store';
import {
  compareRows,
  type DriftSettings,
  MonitoringError,
  parseProfile,
  type WindowDrift,
} from '@tandem/monitoring';
import { initBackend, predictorFromStoredVersion } from '@tandem/runtime';
import { type DataFormat, readTable } from '@tandem/tabular';

export interface DriftFileOptions {
  artifacts: string;
  model: ModelRef;
  input: string;
  format: DataFormat;
  settings?: Partial<DriftSettings>;
}

export interface DriftFileResult {
  model: { name: string; version: number };
  input: { path: string; sha256: string; rows: number; rejected: number };
  report: WindowDrift;
}

/**
 * The live monitor's computation over a file: the version's predictor answers the rows (its
 * outputs are the output drift), and every accepted row is compared with the version's
 * profile.json. Rows the model refuses are counted and left out, as the server refuses them.
 */
export async function driftOfFile(options: DriftFileOptions): Promise<DriftFileResult> {
  const store = new FileModelStore(options.artifacts);
  const selector =
    options.model.version !== undefined
      ? { version: options.model.version }
      : options.model.label !== undefined
        ? { label: options.model.label }
        : {};
  const version = await store.resolve(options.model.name, selector);
  const stored = await store.readVersion(options.model.name, version);
  const bytes = stored.files['profile.json'];
  if (bytes === undefined) {
    throw new MonitoringError(
      'TANDEM_PROFILE_MISSING',
      `${options.model.name} version ${version} has no profile.json (trained before profiles were written); retrain it`,
    );
  }
  const profile = parseProfile(bytes, `${options.model.name} version ${version} profile.json`);
  const table = await readTable(options.input, options.format);
  await initBackend({ log: () => undefined });
  const predictor = await predictorFromStoredVersion(stored, { log: () => undefined });
  try {
    const rows = table.rows as RawRow[];
    const batch = predictor.predictBatch(rows, { errors: 'collect' });
    const rejected = new Set(batch.rejected);
    const kept: RawRow[] = [];
    const outputs = new Float32Array((rows.length - rejected.size) * batch.width);
    rows.forEach((row, i) => {
      if (rejected.has(i)) return;
      outputs.set(
        batch.outputs.subarray(i * batch.width, (i + 1) * batch.width),
        kept.length * batch.width,
      );
      kept.push(row);
    });
    return {
      model: { name: options.model.name, version },
      input: {
        path: options.input,
        sha256: table.sha256,
        rows: rows.length,
        rejected: rejected.size,
      },
      report: compareRows(profile, kept, outputs, options.settings),
    };
  } finally {
    predictor.dispose();
  }
}
