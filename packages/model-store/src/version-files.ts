import { StoreError } from './errors.ts';
import {
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestDraft,
  missingRequiredFile,
} from './manifest.ts';
import { FILE_NAME } from './manifest-parse.ts';

/** A model name is one folder name: letters, digits, '_', '.', '-', not starting with a dot. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Version numbers are canonical decimal integers ("3", never "03"). */
export const VERSION_NAME = /^(0|[1-9][0-9]*)$/;

export function checkModelName(name: string): void {
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw new StoreError(
      'TANDEM_MODEL_NAME_INVALID',
      `model name ${JSON.stringify(name)} must match ${MODEL_NAME}`,
      { model: String(name) },
    );
  }
}

/** The files a writer hands over: valid names, bytes, every required file, no manifest. */
export function checkArtifactFiles(
  name: string,
  files: Readonly<Record<string, Uint8Array>>,
): void {
  const invalid = (why: string, file: string) =>
    new StoreError('TANDEM_ARTIFACT_INVALID', `model ${name}: ${why}`, { model: name, file });
  for (const [file, bytes] of Object.entries(files)) {
    if (!FILE_NAME.test(file) || file === 'manifest.json') {
      throw invalid(`cannot write a file named ${JSON.stringify(file)}`, file);
    }
    if (!(bytes instanceof Uint8Array)) throw invalid(`${file} must be a Uint8Array`, file);
  }
  const missing = missingRequiredFile((file) => file in files);
  if (missing !== undefined) throw invalid(`a version needs ${missing}`, missing);
}

/** The manifest the store writes: the writer's draft plus format, name, version and digests. */
export function completeManifest(
  name: string,
  version: number,
  draft: ManifestDraft,
  files: Record<string, string>,
): Manifest {
  const { format, name: draftName, version: draftVersion, ...rest } = draft;
  if (
    (format !== undefined && format !== MANIFEST_FORMAT) ||
    (draftName !== undefined && draftName !== name) ||
    (draftVersion !== undefined && draftVersion !== version)
  ) {
    throw new StoreError(
      'TANDEM_ARTIFACT_INVALID',
      `model ${name}: manifest names format ${format} ${draftName}/${draftVersion}, ` +
        `expected format ${MANIFEST_FORMAT} ${name}/${version}`,
      { model: name, version, file: 'manifest.json' },
    );
  }
  return { format: MANIFEST_FORMAT, name, version, ...rest, files };
}

export function encodeManifest(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}
