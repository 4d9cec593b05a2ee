import type { VersionSelector } from '@tandem/model-store';
import type { EngineChoice } from '@tandem/runtime';
import type { FastifyBaseLogger } from 'fastify';
import { ServerError } from '../errors.ts';
import type { ServerMetrics } from '../metrics/metrics.ts';
import { type ReloadSummary, VersionDiscovery } from './discovery.ts';
import type { ModelState } from './model-state.ts';
import type { ServedVersion } from './served-version.ts';

export type { VersionSelector } from '@tandem/model-store';
export type { ReloadSummary } from './discovery.ts';
export type { ModelState } from './model-state.ts';

export interface RegistryOptions {
  artifacts: string;
  reloadIntervalMs: number;
  /** Predictor engine; undefined lets the runtime decide. */
  engine?: EngineChoice | undefined;
  log: FastifyBaseLogger;
  metrics: ServerMetrics;
  /** Most time one version may take to load. */
  loadTimeoutMs: number;
  /** Versions loaded per model: the labelled ones plus the latest N; 0 loads every version. */
  keepLatest: number;
  /** Models that must be servable for readiness; empty: at least one model. */
  requireModels: readonly string[];
}

/**
 * Which model version answers a request. The state is one immutable snapshot replaced in a single
 * assignment, so a request that selected a version keeps it even while a reload publishes the next
 * snapshot; versions that drop out are retired, and disposed once their last request finishes.
 * Finding and loading versions on disk is discovery.ts's.
 */
export class ModelRegistry {
  private readonly discovery: VersionDiscovery;
  private snapshot: ReadonlyMap<string, ModelState> = new Map();
  private loaded = false;
  private running: Promise<ReloadSummary> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly options: RegistryOptions;

  constructor(options: RegistryOptions) {
    this.options = options;
    this.discovery = new VersionDiscovery(options);
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
    // A pass stuck on a hung read must not hold shutdown: wait for it at most a second.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running?.catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
    clearTimeout(timer);
    const old = this.snapshot;
    this.snapshot = new Map();
    for (const model of old.values()) for (const v of model.served.values()) v.retire();
  }

  /**
   * One file of a served version, read again from the store and verified against its manifest
   * (a folder or S3 alike); undefined when the version no longer verifies or is gone.
   */
  async versionFile(served: ServedVersion, file: string): Promise<Uint8Array | undefined> {
    const stored = await this.discovery.store
      .readVersion(served.name, served.version)
      .catch(() => undefined);
    return stored?.files[file];
  }

  /** True once the first load finished (before that, unknown models answer 503, not 404). */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /**
   * Ready when loaded and, with `requireModels`, every listed model has a default version to
   * serve; without it, at least one model has. One broken model (a stray folder, a refused
   * version) is then one unavailable model, not an unready server.
   */
  get isReady(): boolean {
    if (!this.loaded) return false;
    const required = this.options.requireModels;
    if (required.length > 0) {
      return required.every((name) => this.snapshot.get(name)?.defaultVersion !== undefined);
    }
    for (const model of this.snapshot.values()) {
      if (model.defaultVersion !== undefined) return true;
    }
    return false;
  }

  /** Models that cannot answer by default, with the reason (codes only, never paths). */
  notReady(): { model: string; reason: string }[] {
    if (!this.loaded) return [{ model: '*', reason: 'models are still loading' }];
    const missing = this.options.requireModels
      .filter((name) => !this.snapshot.has(name))
      .map((name) => ({ model: name, reason: 'required, and not in the store' }));
    if (this.snapshot.size === 0 && missing.length === 0) {
      return [{ model: '*', reason: 'no model in the store' }];
    }
    const unavailable = [...this.snapshot.values()]
      .filter((m) => m.defaultVersion === undefined)
      .map((m) => ({ model: m.name, reason: m.unavailable ?? 'no version served' }));
    return [...missing, ...unavailable];
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
      const target = Object.hasOwn(model.labels, selector.label)
        ? model.labels[selector.label]
        : undefined;
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
        `version ${version} of model ${name} is not served: ${failed.code}`,
      );
    }
    if (model.versions.includes(version)) {
      throw new ServerError(
        'TANDEM_VERSION_UNAVAILABLE',
        `version ${version} of model ${name} is not loaded (the server keeps its labelled versions and the latest ${this.options.keepLatest})`,
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

  /** Discovers the next state and publishes it in one assignment; retires what dropped out. */
  private async scan(): Promise<ReloadSummary> {
    const summary: ReloadSummary = { added: [], removed: [], failed: [], labelMoves: [] };
    const previous = this.snapshot;
    const next = await this.discovery.scan(previous, summary, () => this.closed);
    if (next === undefined) return summary;
    this.options.metrics.reloadSucceeded();
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
