import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { displayPath, isSystemError } from '@tandem/cli';
import { isStoreError, openModelStore } from '@tandem/model-store';
import { TrainerError } from '../errors.ts';

/**
 * Fails before any training when the model-store root cannot hold versions: it exists but is not
 * a directory or cannot be written (read-only, no permission), or a parent of it is a file. A root that does not exist yet is created on write.
 */
export async function checkStoreRoot(root: string): Promise<void> {
  // s3://bucket/prefix (or another scheme): openModelStore refuses what it cannot open.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(root)) {
    openModelStore(root);
    return;
  }
  try {
    const info = await stat(root);
    if (info.isDirectory()) return await checkWritable(root);
  } catch (error) {
    if (error instanceof TrainerError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw storeWriteError(root, error);
  }
  throw new TrainerError(
    'TANDEM_ARTIFACTS_UNUSABLE',
    `model store root ${displayPath(root)} is not a directory`,
  );
}

/** A probe file written and removed: a read-only or full store fails here, before training. */
async function checkWritable(root: string): Promise<void> {
  const probe = join(root, `.write-check-${process.pid}`);
  try {
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    throw storeWriteError(root, error);
  }
}

/**
 * The coded error for an operating-system failure while writing a version (permissions, a full
 * disk), as the store reports it or raw; any other error is returned as it is.
 */
export function storeWriteError(root: string, error: unknown): unknown {
  const cause =
    isStoreError(error) && error.code === 'TANDEM_STORE_WRITE_FAILED' ? error.cause : error;
  if (!isSystemError(cause)) return error;
  return new TrainerError(
    'TANDEM_ARTIFACTS_UNUSABLE',
    `cannot write to the model store ${displayPath(root)}: ${cause.message}`,
    { cause: error },
  );
}
