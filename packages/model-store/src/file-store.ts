import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './digest.ts';
import { StoreError, writeFailure } from './errors.ts';
import { processAlive, syncDirectory, writeFileAtomic, writeFileSynced } from './fs-atomic.ts';
import { dropLabel, type LabelsEdit, pointLabel } from './label-edits.ts';
import { checkLabelName, encodeLabels, readLabelsFile } from './labels.ts';
import { withDirectoryLock } from './lock.ts';
import type { ManifestDraft } from './manifest.ts';
import { checkSelector, resolveSelector, versionNotFound } from './resolve.ts';
import type { ModelStore, StoredVersion, VersionSelector } from './store.ts';
import { readVerifiedVersion } from './verify.ts';
import {
  checkArtifactFiles,
  checkModelName,
  completeManifest,
  encodeManifest,
  MODEL_NAME,
  VERSION_NAME,
} from './version-files.ts';

export type { StoredVersion, VersionSelector } from './store.ts';
export { MODEL_NAME } from './version-files.ts';

const TEMP_DIR = /^\.tmp-(\d+)-/;
/** Enough for any realistic number of trainers racing for the next version. */
const MAX_CLAIM_ATTEMPTS = 1000;

/**
 * Model versions on a filesystem:
 * `<root>/<name>/<version>/{manifest.json, model.json, weights.bin, features.json, …}` and
 * `<root>/<name>/labels.json`. Versions are immutable once written; a version directory appears
 * in one rename, complete, so readers never see a partial one.
 *
 * @example
 *   const store = new FileModelStore('artifacts');
 *   const { version } = await store.writeVersion('credit', files, (v) => draftManifest(v));
 *   await store.setLabel('credit', 'production', version);
 *   const stored = await store.readVersion('credit', await store.resolve('credit'));
 */
export class FileModelStore implements ModelStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  get location(): string {
    return this.root;
  }

  /** Model folders under the root, sorted; [] when the root does not exist. */
  async listModels(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      },
    );
    return entries
      .filter((entry) => entry.isDirectory() && MODEL_NAME.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  /** Version numbers of a model, ascending. Throws TANDEM_MODEL_NOT_FOUND if the model is absent. */
  async listVersions(name: string): Promise<number[]> {
    const versions = await this.versionsIn(name);
    if (versions === null) {
      throw new StoreError('TANDEM_MODEL_NOT_FOUND', `model ${name} not found in ${this.root}`, {
        model: name,
      });
    }
    return versions;
  }

  /** labels.json of a model: label → version; {} when the model has none. */
  async readLabels(name: string): Promise<Record<string, number>> {
    await this.listVersions(name);
    return readLabelsFile(this.labelsPath(name), name);
  }

  /** Points a label at an existing version, creating or moving it; the file is replaced atomically. */
  async setLabel(name: string, label: string, version: number): Promise<void> {
    checkLabelName(label, name);
    await this.requireVersion(name, version);
    await this.editLabels(name, pointLabel(label, version));
  }

  /** Removes a label; TANDEM_LABEL_NOT_FOUND when it is not set. */
  async removeLabel(name: string, label: string): Promise<void> {
    checkLabelName(label, name);
    await this.listVersions(name);
    await this.editLabels(name, dropLabel(name, label));
  }

  /**
   * The version a selector names. `{ version }` must exist; `{ label }` must be set and point at
   * an existing version; `{}` is the `production` label when set, else the highest version.
   */
  async resolve(name: string, selector: VersionSelector = {}): Promise<number> {
    const versions = await this.listVersions(name);
    checkSelector(name, selector);
    if (selector.version !== undefined) return resolveSelector(name, selector, versions, {});
    const labels = await readLabelsFile(this.labelsPath(name), name);
    return resolveSelector(name, selector, versions, labels);
  }

  versionPath(name: string, version: number): string {
    checkModelName(name);
    return join(this.root, name, String(version));
  }

  /**
   * Reads a version and verifies it: manifest format supported, name and version consistent,
   * required files listed, every listed file present with the recorded sha256.
   */
  async readVersion(name: string, version: number): Promise<StoredVersion> {
    await this.requireVersion(name, version);
    const path = this.versionPath(name, version);
    const { manifest, files } = await readVerifiedVersion(name, version, async (file) => {
      try {
        return await readFile(join(path, file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    });
    return { name, version, path, manifest, files };
  }

  /** Every file's name, size and mtime: versions are immutable, so this changes only on an edit. */
  async versionFingerprint(name: string, version: number): Promise<string> {
    const path = this.versionPath(name, version);
    const names = (await readdir(path)).sort();
    const parts: string[] = [];
    for (const file of names) {
      try {
        const info = await stat(join(path, file));
        parts.push(`${file}:${info.size}:${info.mtimeMs}`);
      } catch {
        parts.push(`${file}:gone`);
      }
    }
    return parts.join('|');
  }

  /**
   * Writes a new version: files and manifest are built in `<name>/.tmp-<pid>-<random>/`, synced,
   * then renamed to `<name>/<highest + 1>`. When another writer claimed that number first, the
   * manifest is rewritten for the next number and the rename retried, so concurrent writers
   * (threads or processes) always get distinct versions. `makeManifest` receives the version
   * being claimed and may be called more than once.
   */
  async writeVersion(
    name: string,
    files: Readonly<Record<string, Uint8Array>>,
    makeManifest: (version: number) => ManifestDraft,
  ): Promise<{ version: number; path: string }> {
    checkModelName(name);
    checkArtifactFiles(name, files);
    try {
      return await this.claimVersion(name, files, makeManifest);
    } catch (error) {
      throw writeFailure(error, `a version of model ${name} to ${this.root}`, name);
    }
  }

  private async claimVersion(
    name: string,
    files: Readonly<Record<string, Uint8Array>>,
    makeManifest: (version: number) => ManifestDraft,
  ): Promise<{ version: number; path: string }> {
    const modelDir = join(this.root, name);
    await mkdir(modelDir, { recursive: true });
    await removeDeadTemps(modelDir);
    const temp = join(modelDir, `.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
    await mkdir(temp);
    try {
      const digests: Record<string, string> = {};
      for (const file of Object.keys(files).sort()) {
        const bytes = files[file] as Uint8Array;
        await writeFileSynced(join(temp, file), bytes);
        digests[file] = sha256Hex(bytes);
      }
      for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
        const version =
          Math.max((await this.versionsIn(name))?.at(-1) ?? 0, await highWater(modelDir)) + 1;
        // The claim outlives the version: a deleted version's number is never given again.
        if (!(await claim(modelDir, version))) continue;
        const manifest = completeManifest(name, version, makeManifest(version), digests);
        await writeFileSynced(join(temp, 'manifest.json'), encodeManifest(manifest));
        await syncDirectory(temp);
        const path = join(modelDir, String(version));
        try {
          await rename(temp, path);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EEXIST' || code === 'ENOTEMPTY') continue;
          throw error;
        }
        await syncDirectory(modelDir);
        return { version, path };
      }
      throw new StoreError(
        'TANDEM_STORE_BUSY',
        `model ${name}: could not claim a version after ${MAX_CLAIM_ATTEMPTS} attempts`,
        { model: name },
      );
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
  }

  private labelsPath(name: string): string {
    checkModelName(name);
    return join(this.root, name, 'labels.json');
  }

  /** Ascending version numbers, or null when the model folder does not exist. */
  private async versionsIn(name: string): Promise<number[] | null> {
    checkModelName(name);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(this.root, name), { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
    return entries
      .filter((entry) => entry.isDirectory() && VERSION_NAME.test(entry.name))
      .map((entry) => Number(entry.name))
      .filter(Number.isSafeInteger)
      .sort((a, b) => a - b);
  }

  private async requireVersion(name: string, version: number): Promise<void> {
    const versions = await this.listVersions(name);
    if (!versions.includes(version)) throw versionNotFound(name, version);
  }

  private async editLabels(name: string, edit: LabelsEdit): Promise<void> {
    const path = this.labelsPath(name);
    try {
      await withDirectoryLock(join(this.root, name, '.labels.lock'), name, async () => {
        const labels = await readLabelsFile(path, name);
        edit(labels);
        await writeFileAtomic(path, encodeLabels(labels));
      });
    } catch (error) {
      throw writeFailure(error, path, name);
    }
  }
}

/** Removes temporary build folders whose writer has died; a live writer's folder is left alone. */
/**
 * Version numbers ever claimed, as empty files `<name>/.claims/<version>` (as the S3 store keeps
 * them): the highest is the high-water mark below which no number is given again, even after its
 * version folder is deleted.
 */
async function highWater(modelDir: string): Promise<number> {
  const names = await readdir(join(modelDir, CLAIMS)).catch(() => [] as string[]);
  let highest = 0;
  for (const entry of names)
    if (VERSION_NAME.test(entry)) highest = Math.max(highest, Number(entry));
  return highest;
}

/** Claims `version` exclusively; false when another writer claimed it first. */
async function claim(modelDir: string, version: number): Promise<boolean> {
  await mkdir(join(modelDir, CLAIMS), { recursive: true });
  try {
    await writeFile(join(modelDir, CLAIMS, String(version)), '', { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

const CLAIMS = '.claims';

async function removeDeadTemps(modelDir: string): Promise<void> {
  const entries = await readdir(modelDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = TEMP_DIR.exec(entry);
    if (match && !processAlive(Number(match[1]))) {
      await rm(join(modelDir, entry), { recursive: true, force: true });
    }
  }
}
