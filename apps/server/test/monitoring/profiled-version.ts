import type { RawRow } from '@tandem/features';
import { readCsv } from '@tandem/fixtures';
import { FileModelStore, type ManifestDraft } from '@tandem/model-store';
import { buildReferenceProfile, encodeProfile } from '@tandem/monitoring';
import { initBackend, predictorFromStoredVersion } from '@tandem/runtime';

/**
 * credit.csv in two interleaved halves: the profile's rows (even) and 2,000 rows to send (odd,
 * spread over the whole file: it is ordered, its first rows differ from the rest).
 */
export function creditHalves(): { reference: RawRow[]; sent: RawRow[] } {
  const rows = readCsv('credit.csv').map((row) => {
    const { Status: _target, ...inputs } = row;
    return inputs;
  });
  return {
    reference: rows.filter((_, i) => i % 2 === 0),
    sent: rows.filter((_, i) => i % 2 === 1),
  };
}

/**
 * Writes a new version of `name` that is an existing version plus a profile.json built from
 * `rows` and that version's own predictions for them, as the trainer writes it. Returns it.
 */
export async function writeProfiledVersion(
  root: string,
  name: string,
  from: number,
  rows: readonly RawRow[],
): Promise<number> {
  await initBackend({ log: () => undefined });
  const store = new FileModelStore(root);
  const stored = await store.readVersion(name, from);
  const predictor = await predictorFromStoredVersion(stored, { log: () => undefined });
  const batch = predictor.predictBatch(rows, { errors: 'throw' });
  const profile = buildReferenceProfile(rows, stored.manifest.inputs, {
    task: stored.manifest.task,
    classes: predictor.classes,
    values: batch.outputs,
  });
  predictor.dispose();
  const { format: _f, name: _n, version: _v, files: _files, ...draft } = stored.manifest;
  const { version } = await store.writeVersion(
    name,
    { ...stored.files, 'profile.json': encodeProfile(profile) },
    () => draft as ManifestDraft,
  );
  return version;
}
