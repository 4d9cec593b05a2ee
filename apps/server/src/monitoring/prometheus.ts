import type { DriftReading, MonitoringThread, WindowDrift } from '@tandem/monitoring';
import { Counter, Gauge, type Histogram, type Registry } from 'prom-client';
import { counter, histogram } from '../metrics/series.ts';
import type { DriftWatch, VersionState, VersionStates } from './version-state.ts';

/**
 * Monitoring's Prometheus series, in the server's registry. With --workers N each worker has its
 * own windows: the cluster's scrape averages the drift figures, takes the maximum of the
 * verdicts and sums the counters. Drift gauges are computed at scrape time from the windows of
 * every version that answered, read once per scrape from the monitoring thread; feedback series
 * are plain counters (sums and counts), so any window's accuracy, log loss, MAE or RMSE is a
 * ratio of increase()s.
 */
export class MonitoringMetrics {
  private readonly feedbackRows: Counter<'model' | 'version'>;
  private readonly feedbackCorrect: Counter<'model' | 'version'>;
  private readonly logLossSum: Counter<'model' | 'version'>;
  private readonly confusion: Counter<'model' | 'version' | 'actual' | 'predicted'>;
  private readonly absoluteErrorSum: Counter<'model' | 'version'>;
  private readonly squaredErrorSum: Counter<'model' | 'version'>;
  private readonly items: Counter<'model' | 'outcome'>;
  private readonly delay: Histogram<'model'>;

  constructor(registry: Registry, states: VersionStates, thread: MonitoringThread) {
    const registers = [registry];
    // The gauges of one scrape are collected together: they share one reading per version.
    let reading: Promise<{ s: VersionState; r: DriftReading }[]> | undefined;
    const readings = () => {
      reading ??= readAll(states, thread).finally(() => {
        reading = undefined;
      });
      return reading;
    };
    const windows = async () => (await readings()).map(({ s, r }) => ({ s, w: r.rowWindow }));
    // Inputs and the output are reported alike: figures by metric, and a 0/1 verdict.
    const sides = [
      {
        name: 'tandem_feature',
        what: 'an input column',
        columns: (w: WindowDrift) => w.columns,
      },
      {
        name: 'tandem_output',
        what: "the model's output (predicted label, a class score or the value)",
        columns: (w: WindowDrift) => w.output.columns,
      },
    ];
    for (const side of sides) {
      new Gauge({
        name: `${side.name}_drift`,
        aggregator: 'average',
        help: `Drift of ${side.what} in the last rows window against the version profile, by metric`,
        labelNames: ['model', 'version', 'feature', 'metric'],
        registers,
        async collect() {
          const read = await windows();
          this.reset();
          for (const { s, w } of read) setFigures(this, s.name, s.version, side.columns(w));
        },
      });
      new Gauge({
        name: `${side.name}_drift_detected`,
        aggregator: 'max',
        help: `1 when ${side.what} drifts (0 when not; absent below the minimum rows)`,
        labelNames: ['model', 'version', 'feature'],
        registers,
        async collect() {
          const read = await windows();
          this.reset();
          for (const { s, w } of read) {
            for (const c of side.columns(w)) {
              if (c.verdict === 'insufficient_rows') continue;
              this.labels(s.name, String(s.version), c.name).set(c.verdict === 'drift' ? 1 : 0);
            }
          }
        },
      });
    }
    new Gauge({
      name: 'tandem_dataset_drift_share',
      aggregator: 'average',
      help: 'Share of input columns drifting in the last rows window',
      labelNames: ['model', 'version'],
      registers,
      async collect() {
        const read = await windows();
        this.reset();
        for (const { s, w } of read) {
          if (w.verdict !== 'insufficient_rows')
            this.labels(s.name, String(s.version)).set(w.dataset.share);
        }
      },
    });
    new Gauge({
      name: 'tandem_monitoring_window_rows',
      help: 'Rows in the drift windows (window="rows": the last N rows; "time": the last T)',
      labelNames: ['model', 'version', 'window'],
      registers,
      async collect() {
        const read = await readings();
        this.reset();
        for (const { s, r } of read) {
          this.labels(s.name, String(s.version), 'rows').set(r.rowWindow.rows);
          this.labels(s.name, String(s.version), 'time').set(r.timeWindow.rows);
        }
      },
    });
    new Counter({
      name: 'tandem_drift_rows_dropped_total',
      help: "Answered rows the drift windows did not count (the monitoring thread's queue was full, or its worker died)",
      registers,
      collect() {
        this.reset();
        this.inc(thread.driftRowsDropped);
      },
    });
    new Counter({
      name: 'tandem_prediction_log_events_total',
      help: 'Prediction log events by outcome: written, dropped (queue full), failed (sink error)',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        const counts = thread.counts();
        this.labels('written').inc(counts.written);
        this.labels('dropped').inc(counts.dropped);
        this.labels('failed').inc(counts.failed);
      },
    });
    this.feedbackRows = counter(
      registry,
      'tandem_feedback_rows_total',
      'Predicted rows that received ground truth',
      MODEL_VERSION,
    );
    this.feedbackCorrect = counter(
      registry,
      'tandem_feedback_correct_total',
      'Labelled rows the classifier got right',
      MODEL_VERSION,
    );
    this.logLossSum = counter(
      registry,
      'tandem_feedback_log_loss_sum',
      'Sum of per-row log loss over labelled rows',
      MODEL_VERSION,
    );
    this.absoluteErrorSum = counter(
      registry,
      'tandem_feedback_absolute_error_sum',
      'Sum of |predicted − actual| (regressors)',
      MODEL_VERSION,
    );
    this.squaredErrorSum = counter(
      registry,
      'tandem_feedback_squared_error_sum',
      'Sum of (predicted − actual)² (regressors)',
      MODEL_VERSION,
    );
    this.confusion = counter(
      registry,
      'tandem_feedback_confusion_total',
      'Labelled rows by actual and predicted class',
      ['model', 'version', 'actual', 'predicted'],
    );
    this.items = counter(
      registry,
      'tandem_feedback_items_total',
      'Feedback items by outcome: matched, duplicate, unknown (id not remembered), row_out_of_range',
      ['model', 'outcome'],
    );
    this.delay = histogram(
      registry,
      'tandem_feedback_label_delay_seconds',
      'Time from the answer to its ground truth',
      ['model'],
      [1, 10, 60, 600, 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400],
    );
  }

  classified(
    model: string,
    version: number,
    actual: string,
    predicted: string,
    correct: boolean,
    logLoss: number,
  ): void {
    const v = String(version);
    this.feedbackRows.labels(model, v).inc();
    if (correct) this.feedbackCorrect.labels(model, v).inc();
    else this.feedbackCorrect.labels(model, v).inc(0);
    this.logLossSum.labels(model, v).inc(logLoss);
    this.confusion.labels(model, v, actual, predicted).inc();
  }

  regressed(model: string, version: number, error: number): void {
    const v = String(version);
    this.feedbackRows.labels(model, v).inc();
    this.absoluteErrorSum.labels(model, v).inc(Math.abs(error));
    this.squaredErrorSum.labels(model, v).inc(error * error);
  }

  item(model: string, outcome: string): void {
    this.items.labels(model, outcome).inc();
  }

  labelDelay(model: string, seconds: number): void {
    this.delay.labels(model).observe(Math.max(seconds, 0));
  }
}

const MODEL_VERSION = ['model', 'version'] as const;

/** The windows of every served version that answered, as the monitoring thread reads them. */
async function readAll(
  states: VersionStates,
  thread: MonitoringThread,
): Promise<{ s: VersionState; r: DriftReading }[]> {
  const watched = states.all().filter((s) => s.drift !== undefined && !s.served.isDisposed);
  const read = await Promise.all(
    watched.map(async (s) => ({ s, r: await thread.drift((s.drift as DriftWatch).monitor) })),
  );
  return read.filter((x): x is { s: VersionState; r: DriftReading } => x.r !== undefined);
}

function setFigures(
  gauge: Gauge<'model' | 'version' | 'feature' | 'metric'>,
  model: string,
  version: number,
  columns: WindowDrift['columns'],
): void {
  for (const c of columns) {
    for (const m of c.metrics) {
      if (m.value !== null) gauge.labels(model, String(version), c.name, m.metric).set(m.value);
    }
  }
}
