import { Counter, Histogram, type Registry } from 'prom-client';

/** A counter in one registry: every series of the server is declared this way. */
export function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** A histogram in one registry, with its buckets in seconds. */
export function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

interface ExportedMetric {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: ExportedValue[];
  aggregator: 'sum';
}

/**
 * A labelled series for the request path, read by the registry like prom-client's own. A child
 * of prom-client's Counter or Histogram hashes and validates its label set again on every
 * inc() or observe(), which showed as several microseconds of a 1-row prediction; here a child
 * is looked up once and then counted as plain numbers, and the export happens at scrape time.
 */
abstract class PlainFamily<L extends string, C> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum' as const;
  protected readonly labelNames: readonly L[];
  protected readonly children = new Map<string, { labels: Record<string, string>; child: C }>();

  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    // The registry reads name, help, type, aggregator, get() and reset(): a metric's interface.
    registry.registerMetric(this as never);
  }

  /** The child for these label values, in labelNames order; keep it and count on it. */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length) {
      throw new TypeError(
        `${this.name} takes ${this.labelNames.length} label values, got ${values.length}`,
      );
    }
    const key = values.join('\u0000');
    let entry = this.children.get(key);
    if (entry === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i] as string;
      });
      entry = { labels, child: this.create() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Every child back to zero. Children stay the same objects: callers keep them. */
  reset(): void {
    for (const entry of this.children.values()) this.zero(entry.child);
  }

  /** As the registry formats the text. */
  getForPromString(): Promise<ExportedMetric> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values: [...this.children.values()].flatMap((e) => this.export(e.labels, e.child)),
      aggregator: this.aggregator,
    });
  }

  /** As the cluster's aggregation reads it: shared labels merged into each value's own. */
  async get(): Promise<ExportedMetric> {
    const metric = await this.getForPromString();
    metric.values = metric.values.map(({ sharedLabels, labels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return metric;
  }

  abstract readonly type: 'counter' | 'histogram';
  protected abstract create(): C;
  protected abstract zero(child: C): void;
  protected abstract export(labels: Record<string, string>, child: C): ExportedValue[];
}

export interface CounterChild {
  value: number;
}

/** A counter whose children are `{ value }`: add to value (never subtract). */
export class CounterFamily<L extends string> extends PlainFamily<L, CounterChild> {
  readonly type = 'counter' as const;

  protected create(): CounterChild {
    return { value: 0 };
  }

  protected zero(child: CounterChild): void {
    child.value = 0;
  }

  protected export(labels: Record<string, string>, child: CounterChild): ExportedValue[] {
    return [{ labels, value: child.value }];
  }
}

/** One label set's observations: a count per bucket (not cumulative), their sum and count. */
export class HistogramChild {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  private readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

/** A histogram with fixed upper bounds (ascending), exported cumulatively with +Inf, sum, count. */
export class HistogramFamily<L extends string> extends PlainFamily<L, HistogramChild> {
  readonly type = 'histogram' as const;
  private readonly bounds: readonly number[];

  constructor(
    registry: Registry,
    name: string,
    help: string,
    labelNames: readonly L[],
    bounds: readonly number[],
  ) {
    super(registry, name, help, labelNames);
    this.bounds = [...bounds].sort((a, b) => a - b);
  }

  protected create(): HistogramChild {
    return new HistogramChild(this.bounds);
  }

  protected zero(child: HistogramChild): void {
    child.counts.fill(0);
    child.sum = 0;
    child.count = 0;
  }

  protected export(labels: Record<string, string>, child: HistogramChild): ExportedValue[] {
    const bucket = `${this.name}_bucket`;
    const values: ExportedValue[] = [];
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += child.counts[i] as number;
      values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: bucket });
    });
    values.push(
      { labels: { le: '+Inf' }, sharedLabels: labels, value: child.count, metricName: bucket },
      { labels: {}, sharedLabels: labels, value: child.sum, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: labels, value: child.count, metricName: `${this.name}_count` },
    );
    return values;
  }
}
