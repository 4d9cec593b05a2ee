export { sha256Hex } from './digest.ts';
export { isStoreError, StoreError, type StoreErrorCode, type StoreErrorContext } from './errors.ts';
export { FileModelStore, MODEL_NAME } from './file-store.ts';
export { writeFileAtomic } from './fs-atomic.ts';
export { LABEL_NAME } from './labels.ts';
export {
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestData,
  type ManifestDraft,
  type ManifestOutputs,
  type ManifestSplit,
  type Metrics,
  REQUIRED_FILES,
  TASKS,
  type Task,
} from './manifest.ts';
export { parseManifest } from './manifest-parse.ts';
export type { ModelStore, StoredVersion, VersionSelector } from './store.ts';
