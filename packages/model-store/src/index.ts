export { sha256Hex } from './digest.ts';
export {
  isStoreError,
  STORE_ERRORS,
  StoreError,
  type StoreErrorCode,
  type StoreErrorContext,
} from './errors.ts';
export { FileModelStore, MODEL_NAME } from './file-store.ts';
export { writeFileAtomic } from './fs-atomic.ts';
export { type LabelAction, runLabelAction } from './label-command.ts';
export { LABEL_NAME } from './labels.ts';
export {
  MANIFEST_FORMAT,
  type Manifest,
  type ManifestData,
  type ManifestDraft,
  type ManifestLineage,
  type ManifestOutputs,
  type ManifestSplit,
  type Metrics,
  REQUIRED_FILES,
  TASKS,
  type Task,
} from './manifest.ts';
export { parseManifest } from './manifest-parse.ts';
export { openModelStore } from './open-store.ts';
export { s3ClientFromEnv } from './s3-client.ts';
export { isS3Uri, parseS3Uri, type S3Location } from './s3-location.ts';
export { S3ModelStore, type S3ModelStoreOptions } from './s3-store.ts';
export type { ModelStore, StoredVersion, VersionSelector } from './store.ts';
