/**
 * A Prometheus alerting rules file for one model, from the series the server exports. Written as
 * YAML by hand: every string is emitted as a JSON string, which YAML reads as the same
 * double-quoted scalar, so no value can break the file's structure.
 */
export interface AlertRuleOptions {
  model: string;
  task: 'binary' | 'multiclass' | 'regression';
  /** The version's test figures (manifest metrics.test): the live baseline. */
  test: { accuracy?: number | undefined; rmse?: number | undefined };
  /** Accuracy may fall this far below the test accuracy (default 0.05)… */
  accuracyDrop?: number;
  /** …and RMSE rise this share above the test RMSE (default 0.2) before alerting. */
  rmseRise?: number;
  /** Labelled rows a performance window needs (default 200). */
  minLabelledRows?: number;
  /** The performance window (default 1h) and how long a condition must hold (default 15m). */
  window?: string;
  for?: string;
  /** No prediction in this long is an alert (default 15m). */
  noTrafficFor?: string;
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  severity: 'warning' | 'critical';
  summary: string;
  description: string;
}

const DURATION = /^\d+(ms|s|m|h|d|w|y)$/;

export function alertRules(options: AlertRuleOptions): string {
  const window = options.window ?? '1h';
  const hold = options.for ?? '15m';
  const quiet = options.noTrafficFor ?? '15m';
  for (const [name, value] of [
    ['window', window],
    ['for', hold],
    ['noTrafficFor', quiet],
  ] as const) {
    if (!DURATION.test(value))
      throw new Error(
        `${name} must be a Prometheus duration such as 15m, got ${JSON.stringify(value)}`,
      );
  }
  const m = `model=${JSON.stringify(options.model)}`;
  const minRows = options.minLabelledRows ?? 200;
  const rules: Rule[] = [
    {
      alert: 'TandemFeatureDrift',
      expr: `max by (model, version, feature) (tandem_feature_drift_detected{${m}}) == 1`,
      for: hold,
      severity: 'warning',
      summary:
        'Input column {{ $labels.feature }} of {{ $labels.model }} v{{ $labels.version }} drifted from training',
      description:
        'See GET /v1/models/{{ $labels.model }}/versions/{{ $labels.version }}/monitoring for the bins or levels that moved.',
    },
    {
      alert: 'TandemDatasetDrift',
      expr: `max by (model, version) (tandem_dataset_drift_share{${m}}) >= 0.5`,
      for: hold,
      severity: 'critical',
      summary:
        'Half or more of the input columns of {{ $labels.model }} v{{ $labels.version }} drifted',
      description: 'Share of drifting columns: {{ $value }}.',
    },
    {
      alert: 'TandemOutputDrift',
      expr: `max by (model, version, feature) (tandem_output_drift_detected{${m}}) == 1`,
      for: hold,
      severity: 'warning',
      summary:
        "The output {{ $labels.feature }} of {{ $labels.model }} v{{ $labels.version }} no longer looks like training's",
      description: 'Predictions are distributed differently from the training rows.',
    },
  ];
  const rows = (metric: string) => `sum by (model, version) (increase(${metric}{${m}}[${window}]))`;
  const enough = `${rows('tandem_feedback_rows_total')} >= ${minRows}`;
  if (options.task !== 'regression' && options.test.accuracy !== undefined) {
    const floor = round(options.test.accuracy - (options.accuracyDrop ?? 0.05));
    rules.push({
      alert: 'TandemAccuracyDrop',
      expr: `(${rows('tandem_feedback_correct_total')} / ${rows('tandem_feedback_rows_total')}) < ${floor} and ${enough}`,
      for: hold,
      severity: 'critical',
      summary: `Live accuracy of {{ $labels.model }} v{{ $labels.version }} is below ${floor}`,
      description: `Accuracy over the last ${window} of labelled rows: {{ $value }} (test accuracy ${round(options.test.accuracy)}).`,
    });
  }
  if (options.task === 'regression' && options.test.rmse !== undefined) {
    const ceiling = round(options.test.rmse * (1 + (options.rmseRise ?? 0.2)));
    rules.push({
      alert: 'TandemErrorRise',
      expr: `sqrt(${rows('tandem_feedback_squared_error_sum')} / ${rows('tandem_feedback_rows_total')}) > ${ceiling} and ${enough}`,
      for: hold,
      severity: 'critical',
      summary: `Live RMSE of {{ $labels.model }} v{{ $labels.version }} is above ${ceiling}`,
      description: `RMSE over the last ${window} of labelled rows: {{ $value }} (test RMSE ${round(options.test.rmse)}).`,
    });
  }
  rules.push(
    {
      alert: 'TandemPredictionLogDropping',
      expr: 'sum(rate(tandem_prediction_log_events_total{outcome=~"dropped|failed"}[5m])) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'The prediction log is dropping or failing events',
      description:
        'Its sink is slower than the traffic or refuses writes: {{ $value }} events/s lost.',
    },
    {
      alert: 'TandemDriftRowsDropped',
      expr: 'sum(rate(tandem_drift_rows_dropped_total[5m])) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'The drift windows are missing answered rows',
      description:
        'The monitoring thread falls behind the traffic (or its worker died): {{ $value }} rows/s go uncounted, so the drift figures rest on a sample.',
    },
    {
      alert: 'TandemNoTraffic',
      expr: `(sum(rate(tandem_rows_predicted_total{${m}}[${quiet}])) or vector(0)) == 0`,
      for: quiet,
      severity: 'warning',
      summary: `No prediction from ${options.model} in ${quiet}`,
      description: 'Callers stopped calling, or the route in front of the server is broken.',
    },
  );
  const q = (s: string) => JSON.stringify(s);
  const lines = ['groups:', `  - name: ${q(`tandem-${options.model}`)}`, '    rules:'];
  for (const r of rules) {
    lines.push(
      `      - alert: ${r.alert}`,
      `        expr: ${q(r.expr)}`,
      `        for: ${r.for}`,
      '        labels:',
      `          severity: ${r.severity}`,
      `          model: ${q(options.model)}`,
      '        annotations:',
      `          summary: ${q(r.summary)}`,
      `          description: ${q(r.description)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
