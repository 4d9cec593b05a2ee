import { FileModelStore } from '@tandem/model-store';
import { predictorFromStoredVersion, tf } from '@tandem/runtime';
import type { FastifyBaseLogger } from 'fastify';
import { ServerError } from '../errors.ts';
import type { ServerMetrics } from '../metrics/metrics.ts';
import { fingerprintDirectory } from './fingerprint.ts';
import { type ModelState, modelState } from './model-state.ts';
import { type FailedVersion, ServedVersion } from './served-version.ts';

export type { ModelState } from './model-state.ts';

export interface VersionSelector {
  version?: number;
  label?: string;
}

/** What one reload changed; logged, and returned so tests can wait on precise events. */
export interface ReloadSummary {
  added: string[];
  removed: string[];
  failed: string[];
  labelMoves: string[];
}

export interface RegistryOptions {
  artifacts: string;
  reloadIntervalMs: number;
  /** Predictor engine; undefined lets the runtime decide. */
  engine?: 'auto' | 'tfjs' | 'dense' | undefined;
  log: FastifyBaseLogger;
  metrics: ServerMetrics;
}

/**
 * Which model version answers a request. The state is one immutable snapshot replaced in a single
 * assignment, so a request that selected a version keeps it even while a reload publishes the next
 * snapshot; versions that drop out are retired, and disposed once their last request finishes.
 */
export class ModelRegistry {
  readonly store: FileModelStore;
  private snapshot: ReadonlyMap<string, ModelState> = new Map();
  private loaded = false;
  private running: Promise<ReloadSummary> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly options: RegistryOptions;

  constructor(options: RegistryOptions) {
    this.options = options;
    this.store = new FileModelStore(options.artifacts);
  }

  /** First load, then polling. Failures of single versions are logged, never thrown. */
  async start(): Promise<ReloadSummary> {
    const summary = await this.reload();
    this.schedule();
    return summary;
  }

  /** One pass over the store now; concurrent calls share the pass in progress. */
  reload(): Promise<ReloadSummary> {
    if (this.running === undefined) {
      this.running = this.scan().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    const old = this.snapshot;
    this.snapshot = new Map();
    for (const model of old.values()) for (const v of model.served.values()) v.retire();
  }

  /** True once the first load finished (before that, unknown models answer 503, not 404). */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Ready: loaded, at least one model, and every model's default version served. */
  get isReady(): boolean {
    if (!this.loaded || this.snapshot.size === 0) return false;
    for (const model of this.snapshot.values()) {
      if (model.defaultVersion === undefined) return false;
    }
    return true;
  }

  /** Models not ready, with the reason; empty when ready. */
  notReady(): { model: string; reason: string }[] {
    if (!this.loaded) return [{ model: '*', reason: 'models are still loading' }];
    if (this.snapshot.size === 0) {
      return [{ model: '*', reason: `no model found in ${this.options.artifacts}` }];
    }
    return [...this.snapshot.values()]
      .filter((m) => m.defaultVersion === undefined)
      .map((m) => ({ model: m.name, reason: m.unavailable ?? 'no version served' }));
  }

  models(): ModelState[] {
    return [...this.snapshot.values()];
  }

  model(name: string): ModelState {
    const model = this.snapshot.get(name);
    if (model !== undefined) return model;
    if (!this.loaded) throw new ServerError('TANDEM_SERVER_NOT_READY');
    throw new ServerError('TANDEM_MODEL_NOT_FOUND', `model ${name} not found`);
  }

  /**
   * The served version a request names: an explicit version, a label, or the default.
   * Synchronous on purpose: selection happens once, at the start of a request.
   */
  select(name: string, selector: VersionSelector = {}): ServedVersion {
    const model = this.model(name);
    let version: number;
    if (selector.version !== undefined) {
      version = selector.version;
    } else if (selector.label !== undefined) {
      const target = model.labels[selector.label];
      if (target === undefined) {
        throw new ServerError(
          'TANDEM_LABEL_NOT_FOUND',
          `model ${name} has no label ${selector.label}`,
        );
      }
      version = target;
    } else {
      if (model.defaultVersion === undefined) {
        throw new ServerError(
          'TANDEM_VERSION_UNAVAILABLE',
          `model ${name} has no version to serve: ${model.unavailable ?? 'none loaded'}`,
        );
      }
      version = model.defaultVersion;
    }
    const served = model.served.get(version);
    if (served !== undefined) return served;
    const failed = model.failed.get(version);
    if (failed !== undefined) {
      throw new ServerError(
        'TANDEM_VERSION_UNAVAILABLE',
        `version ${version} of model ${name} is not served: ${failed.reason}`,
      );
    }
    throw new ServerError('TANDEM_VERSION_NOT_FOUND', `model ${name} has no version ${version}`);
  }

  private schedule(): void {
    if (this.closed || this.options.reloadIntervalMs === 0) return;
    this.timer = setTimeout(() => {
      this.reload()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'model reload failed'))
        .finally(() => this.schedule());
    }, this.options.reloadIntervalMs);
    // Polling must never keep a process alive that is otherwise shutting down.
    this.timer.unref();
  }

  private async scan(): Promise<ReloadSummary> {
    const { log } = this.options;
    const summary: ReloadSummary = { added: [], removed: [], failed: [], labelMoves: [] };
    const previous = this.snapshot;
    let names: string[];
    try {
      names = await this.store.listModels();
    } catch (error) {
      log.error({ err: error, artifacts: this.store.root }, 'cannot list models; keeping state');
      return summary;
    }
    // Models load side by side so file reads overlap; the snapshot keeps the sorted order.
    const states = await Promise.all(
      names.map((name) => this.scanModel(name, previous.get(name), summary)),
    );
    const next = new Map<string, ModelState>();
    for (const state of states) if (state !== undefined) next.set(state.name, state);
    if (this.closed) {
      // close() ran meanwhile: release what this pass loaded and publish nothing.
      for (const m of next.values())
        for (const v of m.served.values()) if (!isIn(previous, v)) v.retire();
      return summary;
    }
    this.snapshot = next;
    this.loaded = true;
    for (const model of previous.values()) {
      for (const v of model.served.values()) {
        if (!isIn(next, v)) {
          summary.removed.push(`${v.name}/${v.version}`);
          v.retire();
        }
      }
      if (!next.has(model.name)) this.options.metrics.versionsServed(model.name, 0);
    }
    for (const model of next.values()) {
      this.options.metrics.versionsServed(model.name, model.served.size);
    }
    this.logSummary(previous, next, summary);
    return summary;
  }

  private async scanModel(
    name: string,
    prev: ModelState | undefined,
    summary: ReloadSummary,
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
      if (this.closed) break;
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

  private logSummary(
    previous: ReadonlyMap<string, ModelState>,
    next: ReadonlyMap<string, ModelState>,
    summary: ReloadSummary,
  ): void {
    const { log } = this.options;
    for (const model of next.values()) {
      const before = previous.get(model.name);
      if (before?.defaultVersion !== model.defaultVersion) {
        if (model.defaultVersion === undefined) {
          log.error({ model: model.name, reason: model.unavailable }, `${model.name} unavailable`);
        } else {
          log.info(
            { model: model.name, version: model.defaultVersion, labels: model.labels },
            `${model.name} answers with version ${model.defaultVersion} by default`,
          );
        }
      }
    }
    for (const name of previous.keys()) {
      if (!next.has(name)) log.info({ model: name }, `model ${name} removed`);
    }
    if (summary.removed.length > 0) log.info({ versions: summary.removed }, 'versions retired');
    if (summary.labelMoves.length > 0) log.info({ moves: summary.labelMoves }, 'labels moved');
  }
}

function isIn(snapshot: ReadonlyMap<string, ModelState>, v: ServedVersion): boolean {
  return snapshot.get(v.name)?.served.get(v.version) === v;
}
