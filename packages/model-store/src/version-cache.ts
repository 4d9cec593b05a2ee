import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFileSynced } from './fs-atomic.ts';
import { readVerifiedVersion } from './verify.ts';

/**
 * Versions downloaded from a remote store, kept in a local folder
 * (`<root>/<name>/<version>/…`) so a restart or a second reader does not download them again.
 * A cached copy is used only when its manifest.json is byte for byte the store's and every file
 * still has the manifest's sha256; anything else is removed and downloaded again.
 */
export class VersionCache {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  dir(name: string, version: number): string {
    return join(this.root, name, String(version));
  }

  /** The cached files of a version, verified against `manifestBytes`; undefined on a miss. */
  async read(
    name: string,
    version: number,
    manifestBytes: Uint8Array,
  ): Promise<Record<string, Uint8Array> | undefined> {
    const dir = this.dir(name, version);
    const cachedManifest = await readFile(join(dir, 'manifest.json')).catch(() => undefined);
    if (cachedManifest === undefined) return undefined;
    if (!Buffer.from(cachedManifest).equals(Buffer.from(manifestBytes))) {
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    try {
      const { files } = await readVerifiedVersion(name, version, (file) =>
        readFile(join(dir, file)).catch(() => undefined),
      );
      return files;
    } catch {
      // A damaged cached copy (disk error, an edit): forget it; the store has the original.
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
  }

  /**
   * Keeps a verified version: written in a temporary folder, then renamed into place, so a
   * concurrent reader sees no copy or a complete one. When another process cached the version
   * first, its copy stays.
   */
  async write(
    name: string,
    version: number,
    manifestBytes: Uint8Array,
    files: Readonly<Record<string, Uint8Array>>,
  ): Promise<void> {
    const modelDir = join(this.root, name);
    await mkdir(modelDir, { recursive: true });
    const temp = join(modelDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(temp);
    try {
      for (const [file, bytes] of Object.entries(files)) {
        await writeFileSynced(join(temp, file), bytes);
      }
      // The manifest last: a folder renamed without one is never taken for a cached copy.
      await writeFileSynced(join(temp, 'manifest.json'), manifestBytes);
      await syncDirectory(temp);
      await rename(temp, this.dir(name, version)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST' && error.code !== 'ENOTEMPTY') throw error;
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
}
