import { FileModelStore, type ModelStore, openModelStore } from '@tandem/model-store';
import { type EngineChoice, predictorFromStoredVersion, tf } from '@tandem/runtime';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerMetrics } from '../metrics/metrics.ts';
import { inspectVersionFolder } from './fingerprint.ts';
import { type ModelState, modelState } from './model-state.ts';
import { type FailedVersion, ServedVersion } from './served-version.ts';

/** What one reload changed; logged, and returned so tests can wait on precise events. */
export interface ReloadSummary {
  added: string[];
  removed: string[];
  failed: string[];
  labelMoves: string[];
}

export interface DiscoveryOptions {
  artifacts: string;
  /** Predictor engine; undefined lets the runtime decide. */
  engine?: EngineChoice | undefined;
  log: FastifyBaseLogger;
  metrics: ServerMetrics;
  /** Most time one version may take to read, verify and warm up. */
  loadTimeoutMs: number;
  /** Versions loaded per model: the labelled ones plus the latest N; 0 loads every version. */
  keepLatest: number;
}

/** Why a version on disk is not served; clients see the code, logs see the reason. */
export const LOAD_FAILURE_CODES = [
  'TANDEM_MODEL_LOAD_FAILED',
  'TANDEM_MODEL_LOAD_TIMEOUT',
  'TANDEM_VERSION_FILES_IRREGULAR',
] as const;

/**
 * Finds the versions on disk and loads the new or changed ones. It only reads: which version
 * answers, publishing and retiring are the registry's.
 */
export class VersionDiscovery {
  readonly store: ModelStore;
  private readonly options: DiscoveryOptions;

  constructor(options: DiscoveryOptions) {
    this.options = options;
    this.store = openModelStore(options.artifacts);
  }

  /**
   * Every model's next state, reusing what `previous` loaded when its files did not change;
   * undefined when the store cannot be listed (the caller keeps what it serves).
   * `stopped()` ends the pass early when the registry closes meanwhile.
   */
  async scan(
    previous: ReadonlyMap<string, ModelState>,
    summary: ReloadSummary,
    stopped: () => boolean,
  ): Promise<Map<string, ModelState> | undefined> {
    let names: string[];
    try {
      names = await this.store.listModels();
    } catch (error) {
      this.options.log.error(
        { err: error, artifacts: this.store.location },
        'cannot list models; keeping state',
      );
      return undefined;
    }
    // Models load side by side so file reads overlap; the snapshot keeps the sorted order.
    const states = await Promise.all(
      names.map((name) => this.scanModel(name, previous.get(name), summary, stopped)),
    );
    const next = new Map<string, ModelState>();
    for (const state of states) if (state !== undefined) next.set(state.name, state);
    return next;
  }

  private async scanModel(
    name: string,
    prev: ModelState | undefined,
    summary: ReloadSummary,
    stopped: () => boolean,
  ): Promise<ModelState | undefined> {
    const { log } = this.options;
    let versions: number[];
    try {
      versions = await this.store.listVersions(name);
    } catch (error) {
      log.warn({ err: error, model: name }, 'cannot list versions; keeping what is served');
      return prev;
    }
    // A folder without versions is a model being written for the first time (writeVersion
    // creates it before renaming the version in): not a model yet, so it cannot block readiness.
    if (versions.length === 0) return undefined;
    let labels: Record<string, number>;
    try {
      labels = await this.store.readLabels(name);
    } catch (error) {
      // A broken labels.json must not change what answers: keep the labels we had.
      log.error({ err: error, model: name }, 'cannot read labels.json; keeping previous labels');
      labels = { ...(prev?.labels ?? {}) };
    }
    const served = new Map<number, ServedVersion>();
    const failed = new Map<number, FailedVersion>();
    const kept = versionsToLoad(versions, labels, this.options.keepLatest);
    for (const version of kept) {
      if (stopped()) break;
      const path = this.store.versionPath(name, version);
      const old = prev?.served.get(version);
      let files: Awaited<ReturnType<typeof inspectVersionFolder>>;
      try {
        // Object stores hold no links or FIFOs; their fingerprint comes from the store's listing.
        files =
          this.store instanceof FileModelStore
            ? await inspectVersionFolder(path)
            : { fingerprint: await this.store.versionFingerprint(name, version), irregular: [] };
      } catch {
        // Removed between listing and reading: the next pass settles it; meanwhile what was
        // verified keeps serving.
        if (old !== undefined) served.set(version, old);
        continue;
      }
      const { fingerprint } = files;
      if (old !== undefined && old.fingerprint === fingerprint) {
        served.set(version, old);
        continue;
      }
      const oldFailure = prev?.failed.get(version);
      if (oldFailure !== undefined && oldFailure.fingerprint === fingerprint) {
        failed.set(version, oldFailure);
        if (old !== undefined) served.set(version, old);
        continue;
      }
      const result =
        files.irregular.length > 0
          ? this.refuse(name, version, path, fingerprint, {
              code: 'TANDEM_VERSION_FILES_IRREGULAR',
              reason: `not regular files (symlinks, FIFOs and folders are refused): ${files.irregular.join(', ')}`,
            })
          : await this.loadBounded(name, version, path, fingerprint);
      if (result instanceof ServedVersion) {
        served.set(version, result);
        summary.added.push(`${name}/${version}`);
        continue;
      }
      failed.set(version, result);
      summary.failed.push(`${name}/${version}`);
      if (old !== undefined) {
        // A verified version whose files changed keeps serving what it loaded: the files on disk
        // are what is wrong, and the version it answers with is still the one that verified.
        served.set(version, old);
        log.error(
          { model: name, version, code: result.code },
          `${name} version ${version} changed on disk and failed verification; serving it from memory`,
        );
      }
    }
    // A labelled version whose folder vanished keeps serving from memory until its label moves:
    // a deleted folder must not take a pinned version (and the model) down.
    const listed = new Set(versions);
    const pinned = new Set(Object.values(labels));
    const stale: number[] = [];
    for (const [version, old] of prev?.served ?? []) {
      if (listed.has(version) || !pinned.has(version)) continue;
      served.set(version, old);
      stale.push(version);
    }
    for (const version of failed.keys()) if (served.has(version)) stale.push(version);
    if (stale.length > 0) {
      log.error(
        { model: name, versions: stale },
        `${name}: versions ${stale.join(', ')} serve from memory; their files changed or vanished`,
      );
    }
    this.options.metrics.versionsStale(name, stale.length);
    const all = [...new Set([...versions, ...served.keys()])].sort((x, y) => x - y);
    for (const [label, version] of Object.entries(labels)) {
      if (prev !== undefined && prev.labels[label] !== version) {
        summary.labelMoves.push(`${name}:${label}→${version}`);
      }
    }
    return modelState(name, all, served, failed, labels, new Set(kept));
  }

  /** Loads one version, or refuses it when loading takes longer than the load timeout. */
  private async loadBounded(
    name: string,
    version: number,
    path: string,
    fingerprint: string,
  ): Promise<ServedVersion | FailedVersion> {
    const ms = this.options.loadTimeoutMs;
    const loading = this.load(name, version, path, fingerprint);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
      timer.unref();
    });
    const result = await Promise.race([loading, timeout]);
    clearTimeout(timer);
    if (result !== 'timeout') return result;
    // The read may still finish (a hung network filesystem); what it loads then is dropped.
    void loading.then((late) => {
      if (late instanceof ServedVersion) late.retire();
    });
    return this.refuse(name, version, path, fingerprint, {
      code: 'TANDEM_MODEL_LOAD_TIMEOUT',
      reason: `not read and verified within ${ms} ms`,
    });
  }

  private refuse(
    name: string,
    version: number,
    path: string,
    fingerprint: string,
    why: { code: string; reason: string },
  ): FailedVersion {
    this.options.metrics.loadFailed(name, version);
    this.options.log.error(
      { model: name, version, path, code: why.code, reason: why.reason },
      `refused ${name} version ${version}: ${why.reason}`,
    );
    return { name, version, ...why, fingerprint, failedAt: new Date().toISOString() };
  }

  private async load(
    name: string,
    version: number,
    path: string,
    fingerprint: string,
  ): Promise<ServedVersion | FailedVersion> {
    const { log } = this.options;
    const started = performance.now();
    try {
      const stored = await this.store.readVersion(name, version);
      const predictor = await predictorFromStoredVersion(stored, {
        ...(this.options.engine === undefined ? {} : { engine: this.options.engine }),
        log: (line) => log.warn({ model: name, version }, line),
      });
      const served = new ServedVersion({
        name,
        version,
        predictor,
        manifest: stored.manifest,
        path,
        fingerprint,
        backend: tf.getBackend(),
      });
      log.info(
        {
          model: name,
          version,
          path,
          task: stored.manifest.task,
          engine: predictor.engine,
          backend: tf.getBackend(),
          ms: Math.round(performance.now() - started),
        },
        `loaded ${name} version ${version} from ${path} (${predictor.engine} engine, ${tf.getBackend()} backend)`,
      );
      return served;
    } catch (error) {
      const code =
        typeof (error as { code?: unknown }).code === 'string'
          ? (error as { code: string }).code
          : 'TANDEM_MODEL_LOAD_FAILED';
      const reason = error instanceof Error ? error.message : String(error);
      return this.refuse(name, version, path, fingerprint, { code, reason });
    }
  }
}

/**
 * The versions a model loads: every labelled one plus the latest `keepLatest` (all when 0), as
 * TF Serving's version policy; the others stay on disk, listed but not in memory.
 */
export function versionsToLoad(
  versions: readonly number[],
  labels: Readonly<Record<string, number>>,
  keepLatest: number,
): number[] {
  if (keepLatest === 0) return [...versions];
  const latest = new Set(versions.slice(-keepLatest));
  const pinned = new Set(Object.values(labels));
  return versions.filter((v) => latest.has(v) || pinned.has(v));
}
