import type { IssueKind } from '@tandem/features';
import { type Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import {
  type CounterChild,
  CounterFamily,
  counter,
  type HistogramChild,
  HistogramFamily,
} from './series.ts';

/**
 * The server's Prometheus metrics, in a registry of their own so several apps (tests, workers)
 * never share counters. The series every request touches are plain families (series.ts) whose
 * children are cached here by label values: prom-client hashes a label set on every call, which
 * showed on the 1-row hot path.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: CounterFamily<'route' | 'method' | 'status' | 'model' | 'version'>;
  private readonly latency: HistogramFamily<'route' | 'method'>;
  private readonly rows: CounterFamily<'model' | 'version'>;
  private readonly loadFailures: Counter<'model' | 'version'>;
  private readonly issues: Counter<'model' | 'column' | 'kind'>;
  private readonly rejectedRows: Counter<'model'>;
  private readonly served: Gauge<'model'>;
  private readonly stale: Gauge<'model'>;
  private readonly lastReload: Gauge;
  private readonly counted = new Map<string, CounterChild>();
  private readonly timers = new Map<string, HistogramChild>();
  private readonly children = new Map<string, { inc(n?: number): void }>();
  private readonly cluster: (() => Promise<string>) | undefined;

  constructor(options: {
    tensorCount: () => number;
    defaultMetrics?: boolean;
    /** Which cluster worker this is ('0' when serving from one process). */
    worker?: string;
    /** In a cluster worker: every worker's metrics, aggregated (see cluster-metrics.ts). */
    cluster?: (registry: Registry) => () => Promise<string>;
  }) {
    const registers = [this.registry];
    // With --workers N every process has its own metrics: this tells scrapes apart.
    new Gauge({
      name: 'tandem_process_info',
      help: 'The process answering: its pid and cluster worker id',
      labelNames: ['pid', 'worker'],
      registers,
    })
      .labels(String(process.pid), options.worker ?? '0')
      .set(1);
    this.requests = new CounterFamily(
      this.registry,
      'tandem_http_requests_total',
      'HTTP requests answered, by route, method, status, and the model version that answered',
      ['route', 'method', 'status', 'model', 'version'],
    );
    this.latency = new HistogramFamily(
      this.registry,
      'tandem_http_request_duration_seconds',
      'Time from request received to response sent',
      ['route', 'method'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    );
    this.rows = new CounterFamily(
      this.registry,
      'tandem_rows_predicted_total',
      'Rows predicted, by model version',
      ['model', 'version'],
    );
    this.loadFailures = counter(
      this.registry,
      'tandem_model_load_failures_total',
      'Model versions refused at load (verification, parsing, warm-up)',
      ['model', 'version'],
    );
    this.issues = counter(
      this.registry,
      'tandem_input_issues_total',
      'Values handled by a recorded rule (clipped, unseen category, imputed), by column',
      ['model', 'column', 'kind'],
    );
    this.rejectedRows = counter(
      this.registry,
      'tandem_input_rejected_rows_total',
      'Rows refused as invalid input',
      ['model'],
    );
    this.served = new Gauge({
      name: 'tandem_model_versions_served',
      help: 'Versions currently served, by model',
      labelNames: ['model'],
      registers,
      // Every cluster worker serves the same versions: the cluster serves as many, not N times.
      aggregator: 'max',
    });
    this.stale = new Gauge({
      name: 'tandem_model_versions_stale',
      help: 'Versions serving from memory whose files changed or vanished on disk, by model',
      labelNames: ['model'],
      registers,
      aggregator: 'max',
    });
    this.lastReload = new Gauge({
      name: 'tandem_reload_last_success_timestamp_seconds',
      help: 'When a pass over the model store last completed (Unix time); stale means a stuck reload',
      registers,
      aggregator: 'min',
    });
    new Gauge({
      name: 'tandem_tfjs_tensors',
      help: 'Tensors alive in the tfjs engine (should stay flat)',
      registers,
      collect() {
        this.set(options.tensorCount());
      },
    });
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry, prefix: 'tandem_' });
    }
    this.cluster = options.cluster?.(this.registry);
  }

  request(
    route: string,
    method: string,
    status: number,
    model: string,
    version: string,
    seconds: number,
  ): void {
    const key = `${route}\u0000${method}\u0000${status}\u0000${model}\u0000${version}`;
    let child = this.counted.get(key);
    if (child === undefined) {
      child = this.requests.labels(route, method, String(status), model, version);
      this.counted.set(key, child);
    }
    child.value += 1;
    const tkey = `${route}\u0000${method}`;
    let timer = this.timers.get(tkey);
    if (timer === undefined) {
      timer = this.latency.labels(route, method);
      this.timers.set(tkey, timer);
    }
    timer.observe(seconds);
  }

  rowsPredicted(model: string, version: number, rows: number): void {
    const key = `rows\u0000${model}\u0000${version}`;
    let child = this.counted.get(key);
    if (child === undefined) {
      child = this.rows.labels(model, String(version));
      this.counted.set(key, child);
    }
    child.value += rows;
  }

  inputIssue(model: string, column: string, kind: IssueKind): void {
    const key = `issue\u0000${model}\u0000${column}\u0000${kind}`;
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.issues.labels(model, column, kind);
      this.children.set(key, child);
    }
    child.inc();
  }

  rowsRejected(model: string, rows: number): void {
    this.rejectedRows.labels(model).inc(rows);
  }

  loadFailed(model: string, version: number): void {
    this.loadFailures.labels(model, String(version)).inc();
  }

  versionsStale(model: string, count: number): void {
    this.stale.labels(model).set(count);
  }

  reloadSucceeded(): void {
    this.lastReload.set(Date.now() / 1000);
  }

  versionsServed(model: string, count: number): void {
    this.served.labels(model).set(count);
  }

  /**
   * The Prometheus text: in a cluster worker, every worker's metrics aggregated ('cluster', the
   * default), or this process's alone ('process'); elsewhere always this process's.
   */
  text(scope: 'cluster' | 'process' = 'cluster'): Promise<string> {
    if (scope === 'cluster' && this.cluster !== undefined) return this.cluster();
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
