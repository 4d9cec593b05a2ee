import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './digest.ts';
import { StoreError, writeFailure } from './errors.ts';
import { processAlive, syncDirectory, writeFileAtomic, writeFileSynced } from './fs-atomic.ts';
import { checkLabelName, encodeLabels, readLabelsFile } from './labels.ts';
import { withDirectoryLock } from './lock.ts';
import { MANIFEST_FORMAT, type Manifest, type ManifestDraft, REQUIRED_FILES } from './manifest.ts';
import { FILE_NAME, parseManifest } from './manifest-parse.ts';

/** A model name is one folder name: letters, digits, '_', '.', '-', not starting with a dot. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Version folders are canonical decimal integers ("3", never "03"). */
const VERSION_DIR = /^(0|[1-9][0-9]*)$/;
const TEMP_DIR = /^\.tmp-(\d+)-/;
/** Enough for any realistic number of trainers racing for the next version. */
const MAX_CLAIM_ATTEMPTS = 1000;

/** One verified version: its manifest and the bytes of every file the manifest lists. */
export interface StoredVersion {
  name: string;
  version: number;
  path: string;
  manifest: Manifest;
  files: Record<string, Uint8Array>;
}

/** Which version to use: an explicit number, a label, or (neither) the default. */
export interface VersionSelector {
  version?: number;
  label?: string;
}

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
export class FileModelStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
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
    await this.editLabels(name, (labels) => {
      labels[label] = version;
    });
  }

  /** Removes a label; TANDEM_LABEL_NOT_FOUND when it is not set. */
  async removeLabel(name: string, label: string): Promise<void> {
    checkLabelName(label, name);
    await this.listVersions(name);
    await this.editLabels(name, (labels) => {
      if (!(label in labels)) throw labelNotFound(name, label);
      delete labels[label];
    });
  }

  /**
   * The version a selector names. `{ version }` must exist; `{ label }` must be set and point at
   * an existing version; `{}` is the `production` label when set, else the highest version.
   */
  async resolve(name: string, selector: VersionSelector = {}): Promise<number> {
    const versions = await this.listVersions(name);
    const { version, label } = selector;
    if (version !== undefined && label !== undefined) {
      throw new StoreError(
        'TANDEM_SELECTOR_INVALID',
        `model ${name}: give a version or a label, not both (version ${version}, label ${label})`,
        { model: name, version, label },
      );
    }
    if (version !== undefined) {
      if (!versions.includes(version)) throw versionNotFound(name, version);
      return version;
    }
    const labels = await readLabelsFile(this.labelsPath(name), name);
    if (label !== undefined) {
      checkLabelName(label, name);
      const target = labels[label];
      if (target === undefined) throw labelNotFound(name, label);
      if (!versions.includes(target)) throw versionNotFound(name, target, label);
      return target;
    }
    const production = labels['production'];
    if (production !== undefined) {
      // A production label pointing nowhere is an error, not a reason to serve something else.
      if (!versions.includes(production)) throw versionNotFound(name, production, 'production');
      return production;
    }
    const highest = versions.at(-1);
    if (highest === undefined) {
      throw new StoreError('TANDEM_VERSION_NOT_FOUND', `model ${name} has no versions`, {
        model: name,
      });
    }
    return highest;
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
    const where = `${name}/${version}`;
    const corrupt = (file: string, why: string) =>
      new StoreError('TANDEM_VERSION_CORRUPT', `${where}: ${file} ${why}`, {
        model: name,
        version,
        file,
      });
    const readListed = async (file: string): Promise<Uint8Array> => {
      try {
        return await readFile(join(path, file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw corrupt(file, 'is missing');
        throw error;
      }
    };
    let manifest: Manifest;
    try {
      manifest = parseManifest(await readListed('manifest.json'), where);
    } catch (error) {
      if (error instanceof StoreError) {
        Object.assign(error, { model: name, version });
      }
      throw error;
    }
    if (manifest.name !== name || manifest.version !== version) {
      throw corrupt(
        'manifest.json',
        `names ${manifest.name}/${manifest.version}, not the folder it is in`,
      );
    }
    for (const required of REQUIRED_FILES) {
      if (!(required in manifest.files))
        throw corrupt('manifest.json', `does not list ${required}`);
    }
    const files: Record<string, Uint8Array> = {};
    for (const [file, expected] of Object.entries(manifest.files)) {
      const bytes = await readListed(file);
      const actual = sha256Hex(bytes);
      if (actual !== expected) {
        throw corrupt(file, `has sha256 ${actual}, manifest.json records ${expected}`);
      }
      files[file] = bytes;
    }
    return { name, version, path, manifest, files };
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
        const version = ((await this.versionsIn(name))?.at(-1) ?? 0) + 1;
        const manifest = completeManifest(name, version, makeManifest(version), digests);
        await writeFileSynced(
          join(temp, 'manifest.json'),
          new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
        );
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
      .filter((entry) => entry.isDirectory() && VERSION_DIR.test(entry.name))
      .map((entry) => Number(entry.name))
      .filter(Number.isSafeInteger)
      .sort((a, b) => a - b);
  }

  private async requireVersion(name: string, version: number): Promise<void> {
    const versions = await this.listVersions(name);
    if (!versions.includes(version)) throw versionNotFound(name, version);
  }

  private async editLabels(
    name: string,
    edit: (labels: Record<string, number>) => void,
  ): Promise<void> {
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

function checkModelName(name: string): void {
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    throw new StoreError(
      'TANDEM_MODEL_NAME_INVALID',
      `model name ${JSON.stringify(name)} must match ${MODEL_NAME}`,
      { model: String(name) },
    );
  }
}

function checkArtifactFiles(name: string, files: Readonly<Record<string, Uint8Array>>): void {
  const invalid = (why: string, file: string) =>
    new StoreError('TANDEM_ARTIFACT_INVALID', `model ${name}: ${why}`, { model: name, file });
  for (const [file, bytes] of Object.entries(files)) {
    if (!FILE_NAME.test(file) || file === 'manifest.json') {
      throw invalid(`cannot write a file named ${JSON.stringify(file)}`, file);
    }
    if (!(bytes instanceof Uint8Array)) throw invalid(`${file} must be a Uint8Array`, file);
  }
  for (const required of REQUIRED_FILES) {
    if (!(required in files)) throw invalid(`a version needs ${required}`, required);
  }
}

function completeManifest(
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

/** Removes temporary build folders whose writer has died; a live writer's folder is left alone. */
async function removeDeadTemps(modelDir: string): Promise<void> {
  const entries = await readdir(modelDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = TEMP_DIR.exec(entry);
    if (match && !processAlive(Number(match[1]))) {
      await rm(join(modelDir, entry), { recursive: true, force: true });
    }
  }
}

function versionNotFound(name: string, version: number, label?: string): StoreError {
  const message =
    label === undefined
      ? `model ${name} has no version ${version}`
      : `label ${label} of model ${name} points to version ${version}, which does not exist`;
  return new StoreError('TANDEM_VERSION_NOT_FOUND', message, {
    model: name,
    version,
    ...(label === undefined ? {} : { label }),
  });
}

function labelNotFound(name: string, label: string): StoreError {
  return new StoreError('TANDEM_LABEL_NOT_FOUND', `model ${name} has no label ${label}`, {
    model: name,
    label,
  });
}
