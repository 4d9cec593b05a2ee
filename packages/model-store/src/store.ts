import type { Manifest, ManifestDraft } from './manifest.ts';

/** One verified version: its manifest and the bytes of every file the manifest lists. */
export interface StoredVersion {
  name: string;
  version: number;
  /** Where the version lives, for messages: a folder, or an s3:// URI. */
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
 * Versioned models with labels, wherever they are kept. Every implementation gives the same
 * guarantees: a version is visible only once complete, is verified (every file's sha256) when
 * read, never changes after it is written, and gets a number no other writer gets; labels move
 * without losing a concurrent update.
 */
export interface ModelStore {
  /** The store as the user named it: a folder or `s3://bucket/prefix`. */
  readonly location: string;
  /** Model names, sorted; [] when the store is empty or does not exist yet. */
  listModels(): Promise<string[]>;
  /** Complete version numbers, ascending. TANDEM_MODEL_NOT_FOUND when the model is absent. */
  listVersions(name: string): Promise<number[]>;
  /** label → version; {} when the model has none. */
  readLabels(name: string): Promise<Record<string, number>>;
  /** Points a label at an existing version, creating or moving it. */
  setLabel(name: string, label: string, version: number): Promise<void>;
  /** Removes a label; TANDEM_LABEL_NOT_FOUND when it is not set. */
  removeLabel(name: string, label: string): Promise<void>;
  /** The version a selector names; `{}` is the production label when set, else the highest. */
  resolve(name: string, selector?: VersionSelector): Promise<number>;
  /** Reads and verifies a version; TANDEM_VERSION_CORRUPT names the first bad file. */
  readVersion(name: string, version: number): Promise<StoredVersion>;
  /**
   * Writes a new version under the next free number. `makeManifest` receives the number being
   * claimed and may be called more than once.
   */
  writeVersion(
    name: string,
    files: Readonly<Record<string, Uint8Array>>,
    makeManifest: (version: number) => ManifestDraft,
  ): Promise<{ version: number; path: string }>;
  /** Where a version lives, for messages (see StoredVersion.path). */
  versionPath(name: string, version: number): string;
  /**
   * A cheap identity of a version's stored objects (names, sizes and modification stamps or
   * ETags). It changes only when someone edits a version in place, so a poller verifies again
   * instead of trusting what it loaded before. Throws when the version is gone.
   */
  versionFingerprint(name: string, version: number): Promise<string>;
}
