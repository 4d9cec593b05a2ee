import { FileModelStore } from '@tandem/model-store';
import { type EngineChoice, predictorFromStoredVersion, tf } from '@tandem/runtime';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerMetrics } from '../metrics/metrics.ts';
import { fingerprintDirectory } from './fingerprint.ts';
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
}

/**
 * Finds the versions on disk and loads the new or changed ones. It only reads: which version
 * answers, publishing and retiring are the registry's.
 */
export class VersionDiscovery {
  readonly store: FileModelStore;
  private readonly options: DiscoveryOptions;

  constructor(options: DiscoveryOptions) {
    this.options = options;
    this.store = new FileModelStore(options.artifacts);
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
        { err: error, artifacts: this.store.root },
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
    for (const version of versions) {
      if (stopped()) break;
      const path = this.store.versionPath(name, version);
      let fingerprint: string;
      try {
        fingerprint = await fingerprintDirectory(path);
      } catch {
        continue; // removed between listing and reading: the next pass settles it
      }
      const old = prev?.served.get(version);
      if (old !== undefined && old.fingerprint === fingerprint) {
        served.set(version, old);
        continue;
      }
      const oldFailure = prev?.failed.get(version);
      if (oldFailure !== undefined && oldFailure.fingerprint === fingerprint) {
        failed.set(version, oldFailure);
        continue;
      }
      const result = await this.load(name, version, path, fingerprint);
      if (result instanceof ServedVersion) {
        served.set(version, result);
        summary.added.push(`${name}/${version}`);
      } else {
        failed.set(version, result);
        summary.failed.push(`${name}/${version}`);
      }
    }
    for (const [label, version] of Object.entries(labels)) {
      if (prev !== undefined && prev.labels[label] !== version) {
        summary.labelMoves.push(`${name}:${label}→${version}`);
      }
    }
    return modelState(name, versions, served, failed, labels);
  }

  private async load(
    name: string,
    version: number,
    path: string,
    fingerprint: string,
  ): Promise<ServedVersion | FailedVersion> {
    const { log, metrics } = this.options;
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
      metrics.loadFailed(name, version);
      log.error(
        { model: name, version, path, code, reason },
        `refused ${name} version ${version}: ${reason}`,
      );
      return {
        name,
        version,
        code,
        reason,
        fingerprint,
        failedAt: new Date().toISOString(),
      };
    }
  }
}
