import { StoreError } from './errors.ts';
import { FileModelStore } from './file-store.ts';
import { isS3Uri } from './s3-location.ts';
import { S3ModelStore, type S3ModelStoreOptions } from './s3-store.ts';
import type { ModelStore } from './store.ts';

/**
 * The store a location names: `s3://bucket/prefix` is S3 (or any S3-compatible server, see
 * S3ModelStore), anything else a folder. Other URI schemes are refused rather than taken for a
 * folder called `gs:`.
 *
 * @example
 *   const store = openModelStore(process.env.TANDEM_ARTIFACTS ?? 'artifacts');
 */
export function openModelStore(location: string, options: S3ModelStoreOptions = {}): ModelStore {
  if (isS3Uri(location)) return new S3ModelStore(location, options);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(location);
  if (scheme !== null) {
    throw new StoreError(
      'TANDEM_STORE_URI_INVALID',
      `model store ${JSON.stringify(location)}: ${scheme[1]}:// is not supported; give a folder or s3://bucket/prefix`,
    );
  }
  return new FileModelStore(location);
}
