import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from './digest.ts';
import { StoreError } from './errors.ts';
import { dropLabel, type LabelsEdit, pointLabel } from './label-edits.ts';
import { checkLabelName, encodeLabels, parseLabels } from './labels.ts';
import type { ManifestDraft } from './manifest.ts';
import { checkSelector, resolveSelector, versionNotFound } from './resolve.ts';
import { parseS3Uri, type S3Location, s3Uri } from './s3-location.ts';
import type { S3Objects } from './s3-objects.ts';
import type { ModelStore, StoredVersion, VersionSelector } from './store.ts';
import { parseVersionManifest, readVerifiedVersion } from './verify.ts';
import { VersionCache } from './version-cache.ts';
import {
  checkArtifactFiles,
  checkModelName,
  completeManifest,
  encodeManifest,
  MODEL_NAME,
  VERSION_NAME,
} from './version-files.ts';

/** Enough for any realistic number of trainers racing for the next version. */
const MAX_CLAIM_ATTEMPTS = 1000;
/** Label writers retry after losing a compare-and-swap; this many losses in a row is contention. */
const MAX_LABEL_ATTEMPTS = 100;
const CLAIMS = '.claims/';

export interface S3ModelStoreOptions {
  /** Where downloaded versions are kept; default $TANDEM_MODEL_CACHE, else <tmp>/tandem-model-cache. */
  cacheDir?: string;
  /** Region, credentials and endpoint come from here (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** What one listing of a model's prefix says. */
interface ModelListing {
  versions: number[];
  /** Highest number ever claimed or committed: never handed out again, even once deleted. */
  highest: number;
  fingerprints: Map<number, string>;
}

/**
 * Model versions in S3-compatible object storage, with the guarantees of the folder store:
 *
 * - `<prefix><name>/<version>/<file>` for each file, then `<version>/manifest.json`, written last
 *   and only if absent: the manifest is the commit marker, and a version without one (a writer
 *   that died, an upload in progress) does not exist for readers.
 * - `<prefix><name>/.claims/<version>` is created with `If-None-Match: *` before anything else,
 *   so of several writers exactly one gets each number; claims are never deleted, so a deleted
 *   version's number is never handed out again.
 * - `<prefix><name>/labels.json` moves by compare-and-swap: read it with its ETag, write it back
 *   with `If-Match` (or `If-None-Match: *` when there was none), read again on a conflict.
 * - Every file's sha256 is checked on each read; verified versions are kept in a local cache
 *   folder and used again only while they still match the manifest.
 *
 * The AWS SDK is loaded on the first request, so folder-store users never load it.
 *
 * @example
 *   const store = new S3ModelStore('s3://models/tandem'); // AWS_* variables say where and who
 *   const stored = await store.readVersion('credit', await store.resolve('credit'));
 */
export class S3ModelStore implements ModelStore {
  readonly location: string;
  readonly bucket: S3Location;
  readonly cache: VersionCache;
  /** Compare-and-swap losses of label writes (each one was retried). */
  labelConflicts = 0;
  private readonly env: NodeJS.ProcessEnv;
  private objectsPromise: Promise<S3Objects> | undefined;
  private readonly listings = new Map<string, ModelListing>();

  constructor(uri: string, options: S3ModelStoreOptions = {}) {
    this.bucket = parseS3Uri(uri);
    this.location = s3Uri(this.bucket).replace(/\/$/, '');
    this.env = options.env ?? process.env;
    const cacheRoot =
      options.cacheDir ??
      nonEmpty(this.env['TANDEM_MODEL_CACHE']) ??
      join(tmpdir(), 'tandem-model-cache');
    // One cache folder per bucket and prefix, so two stores never mix their versions.
    const key = createHash('sha256').update(this.location).digest('hex').slice(0, 16);
    this.cache = new VersionCache(join(cacheRoot, `${this.bucket.bucket}-${key}`));
  }

  /** S3 requests made so far, by command (GetObjectCommand, ListObjectsV2Command, …). */
  async requestCounts(): Promise<Record<string, number>> {
    return { ...(await this.objects()).requests };
  }

  async listModels(): Promise<string[]> {
    const { prefixes } = await (await this.objects()).list('', '/');
    return prefixes
      .map((p) => p.replace(/\/$/, ''))
      .filter((name) => MODEL_NAME.test(name))
      .sort();
  }

  async listVersions(name: string): Promise<number[]> {
    return (await this.listModel(name)).versions;
  }

  /** One GET when the model has labels; a listing too when it has none (is it there at all?). */
  async readLabels(name: string): Promise<Record<string, number>> {
    checkModelName(name);
    const { labels, etag } = await this.getLabels(name);
    if (etag === undefined) await this.listModel(name);
    return labels;
  }

  async setLabel(name: string, label: string, version: number): Promise<void> {
    checkLabelName(label, name);
    const { versions } = await this.listModel(name);
    if (!versions.includes(version)) throw versionNotFound(name, version);
    await this.editLabels(name, pointLabel(label, version));
  }

  async removeLabel(name: string, label: string): Promise<void> {
    checkLabelName(label, name);
    await this.listModel(name);
    await this.editLabels(name, dropLabel(name, label));
  }

  async resolve(name: string, selector: VersionSelector = {}): Promise<number> {
    const { versions } = await this.listModel(name);
    checkSelector(name, selector);
    if (selector.version !== undefined) return resolveSelector(name, selector, versions, {});
    return resolveSelector(name, selector, versions, (await this.getLabels(name)).labels);
  }

  versionPath(name: string, version: number): string {
    checkModelName(name);
    return s3Uri(this.bucket, `${name}/${version}`);
  }

  /**
   * Reads the manifest (one GET), then the files from the local cache when it holds this exact
   * version intact, else from S3 (downloads in parallel), verifying every sha256 either way.
   */
  async readVersion(name: string, version: number): Promise<StoredVersion> {
    const path = this.versionPath(name, version);
    const objects = await this.objects();
    const manifestObject = await objects.get(`${name}/${version}/manifest.json`);
    if (manifestObject === undefined) {
      await this.listModel(name); // TANDEM_MODEL_NOT_FOUND when the whole model is absent
      throw versionNotFound(name, version);
    }
    const manifestBytes = manifestObject.bytes;
    const manifest = parseVersionManifest(name, version, manifestBytes);
    const cached = await this.cache.read(name, version, manifestBytes).catch(() => undefined);
    if (cached !== undefined) return { name, version, path, manifest, files: cached };

    const downloads = new Map<string, Promise<Uint8Array | undefined>>();
    for (const file of Object.keys(manifest.files)) {
      const download = objects.get(`${name}/${version}/${file}`).then((o) => o?.bytes);
      // Awaited in order below; a failure seen first elsewhere must not go unhandled.
      download.catch(() => undefined);
      downloads.set(file, download);
    }
    const verified = await readVerifiedVersion(name, version, async (file) =>
      file === 'manifest.json' ? manifestBytes : downloads.get(file),
    );
    // The cache only saves a later download: failing to keep a copy fails nothing.
    await this.cache.write(name, version, manifestBytes, verified.files).catch(() => undefined);
    return { name, version, path, ...verified };
  }

  /**
   * The names, sizes and ETags of the version's objects, from the latest listing of the model
   * when it saw the version (a poller lists first, so this costs no request), else listed now.
   */
  async versionFingerprint(name: string, version: number): Promise<string> {
    const known = this.listings.get(name)?.fingerprints.get(version);
    if (known !== undefined) return known;
    const { objects } = await (await this.objects()).list(`${name}/${version}/`);
    if (!objects.some((o) => o.key === 'manifest.json')) throw versionNotFound(name, version);
    return fingerprintOf(objects);
  }

  async writeVersion(
    name: string,
    files: Readonly<Record<string, Uint8Array>>,
    makeManifest: (version: number) => ManifestDraft,
  ): Promise<{ version: number; path: string }> {
    checkModelName(name);
    checkArtifactFiles(name, files);
    const objects = await this.objects();
    const digests: Record<string, string> = {};
    for (const file of Object.keys(files).sort())
      digests[file] = sha256Hex(files[file] as Uint8Array);
    const claim = new TextEncoder().encode(
      `${JSON.stringify({ claimedAt: new Date().toISOString(), pid: process.pid })}\n`,
    );
    let version = (await this.listModel(name, true)).highest + 1;
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++, version++) {
      if (
        (await objects.put(`${name}/${CLAIMS}${version}`, claim, { ifAbsent: true })) !== 'written'
      ) {
        continue; // another writer holds this number
      }
      const manifest = completeManifest(name, version, makeManifest(version), digests);
      await Promise.all(
        Object.entries(files).map(([file, bytes]) =>
          objects.put(`${name}/${version}/${file}`, bytes),
        ),
      );
      const committed = await objects.put(
        `${name}/${version}/manifest.json`,
        encodeManifest(manifest),
        { ifAbsent: true },
      );
      // Only a writer that ignores claims (a copy made by hand) can have committed this number.
      if (committed !== 'written') continue;
      return { version, path: this.versionPath(name, version) };
    }
    throw new StoreError(
      'TANDEM_STORE_BUSY',
      `model ${name}: could not claim a version after ${MAX_CLAIM_ATTEMPTS} attempts`,
      { model: name },
    );
  }

  private objects(): Promise<S3Objects> {
    if (this.objectsPromise === undefined) {
      this.objectsPromise = (async () => {
        const [{ S3Objects }, { s3ClientFromEnv }] = await Promise.all([
          import('./s3-objects.ts'),
          import('./s3-client.ts'),
        ]);
        return new S3Objects(s3ClientFromEnv(this.env), this.bucket);
      })();
    }
    return this.objectsPromise;
  }

  /** One listing of everything under the model (one request per 1000 objects). */
  private async listModel(name: string, allowEmpty = false): Promise<ModelListing> {
    checkModelName(name);
    const { objects } = await (await this.objects()).list(`${name}/`);
    if (objects.length === 0 && !allowEmpty) {
      throw new StoreError(
        'TANDEM_MODEL_NOT_FOUND',
        `model ${name} not found in ${this.location}`,
        {
          model: name,
        },
      );
    }
    const byVersion = new Map<number, { key: string; size: number; etag: string }[]>();
    const committed = new Set<number>();
    let highest = 0;
    for (const object of objects) {
      const [head, rest] = splitFirst(object.key);
      if (head === '.claims' && VERSION_NAME.test(rest)) {
        highest = Math.max(highest, Number(rest));
        continue;
      }
      if (!VERSION_NAME.test(head) || rest === '' || rest.includes('/')) continue;
      const version = Number(head);
      if (!Number.isSafeInteger(version)) continue;
      highest = Math.max(highest, version);
      if (rest === 'manifest.json') committed.add(version);
      const list = byVersion.get(version) ?? [];
      list.push({ ...object, key: rest });
      byVersion.set(version, list);
    }
    const versions = [...committed].sort((a, b) => a - b);
    const fingerprints = new Map<number, string>();
    for (const version of versions)
      fingerprints.set(version, fingerprintOf(byVersion.get(version) ?? []));
    const listing = { versions, highest, fingerprints };
    this.listings.set(name, listing);
    return listing;
  }

  private labelsUri(name: string): string {
    return s3Uri(this.bucket, `${name}/labels.json`);
  }

  private async getLabels(
    name: string,
  ): Promise<{ labels: Record<string, number>; etag: string | undefined }> {
    const object = await (await this.objects()).get(`${name}/labels.json`);
    if (object === undefined) return { labels: {}, etag: undefined };
    const text = new TextDecoder().decode(object.bytes);
    return { labels: parseLabels(text, this.labelsUri(name), name), etag: object.etag };
  }

  private async editLabels(name: string, edit: LabelsEdit): Promise<void> {
    const objects = await this.objects();
    for (let attempt = 0; attempt < MAX_LABEL_ATTEMPTS; attempt++) {
      const { labels, etag } = await this.getLabels(name);
      edit(labels);
      const outcome = await objects.put(
        `${name}/labels.json`,
        encodeLabels(labels),
        etag === undefined ? { ifAbsent: true } : { ifMatch: etag },
      );
      if (outcome === 'written') return;
      this.labelConflicts++;
      // Another writer moved a label between our read and our write: back off a little (random,
      // so two losers do not collide again in step), read again, redo the edit.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)),
      );
    }
    throw new StoreError(
      'TANDEM_STORE_BUSY',
      `${this.labelsUri(name)}: still changing after ${MAX_LABEL_ATTEMPTS} attempts`,
      { model: name, file: 'labels.json' },
    );
  }
}

function fingerprintOf(objects: readonly { key: string; size: number; etag: string }[]): string {
  return [...objects]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((o) => `${o.key}:${o.size}:${o.etag}`)
    .join('|');
}

function splitFirst(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash === -1 ? [key, ''] : [key.slice(0, slash), key.slice(slash + 1)];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
