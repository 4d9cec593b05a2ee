import { ConfigError } from '../config.ts';

/**
 * Monitoring and prediction log settings, from the environment (flags stay the server's
 * config.ts; these are deployment choices). Read once, validated, frozen.
 */
export interface MonitoringSettings {
  /** TANDEM_MONITORING=off disables drift, feedback and the log (and the per-request cost). */
  enabled: boolean;
  rowWindow: number;
  timeWindowMs: number;
  minRows: number;
  /** '' = no log; a folder (NDJSON segments) or a postgres:// URL. */
  log: string;
  /** Share of requests logged, 0–1 (TANDEM_PREDICTION_LOG_SAMPLE is a percentage). */
  logSample: number;
  logCapacity: number;
  /** Drift rows on their way to the monitoring thread at most; past it rows are not counted. */
  driftCapacity: number;
  segmentBytes: number;
  segmentMs: number;
  /** Predicted rows remembered for feedback joins. */
  feedbackRows: number;
}

export const DEFAULT_MONITORING_SETTINGS: Readonly<MonitoringSettings> = Object.freeze({
  enabled: true,
  rowWindow: 5000,
  timeWindowMs: 3_600_000,
  minRows: 500,
  log: '',
  logSample: 1,
  logCapacity: 10_000,
  driftCapacity: 50_000,
  segmentBytes: 64 * 1024 * 1024,
  segmentMs: 3_600_000,
  feedbackRows: 100_000,
});

const INTEGERS: [keyof MonitoringSettings, string, number][] = [
  ['rowWindow', 'TANDEM_MONITOR_ROW_WINDOW', 1],
  ['timeWindowMs', 'TANDEM_MONITOR_TIME_WINDOW_MS', 1000],
  ['minRows', 'TANDEM_MONITOR_MIN_ROWS', 1],
  ['logCapacity', 'TANDEM_PREDICTION_LOG_CAPACITY', 1],
  ['driftCapacity', 'TANDEM_MONITOR_QUEUE_ROWS', 1],
  ['segmentBytes', 'TANDEM_PREDICTION_LOG_SEGMENT_BYTES', 1024],
  ['segmentMs', 'TANDEM_PREDICTION_LOG_SEGMENT_MS', 1000],
  ['feedbackRows', 'TANDEM_FEEDBACK_ROWS', 0],
];

export function monitoringSettings(
  env: NodeJS.ProcessEnv = process.env,
): Readonly<MonitoringSettings> {
  const problems: string[] = [];
  const settings: MonitoringSettings = { ...DEFAULT_MONITORING_SETTINGS };
  const enabled = env.TANDEM_MONITORING;
  if (enabled !== undefined && enabled !== '') {
    if (enabled === 'on' || enabled === 'off') settings.enabled = enabled === 'on';
    else problems.push(`TANDEM_MONITORING must be on or off, got ${JSON.stringify(enabled)}`);
  }
  for (const [key, name, min] of INTEGERS) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      problems.push(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`);
    } else {
      (settings as unknown as Record<string, number>)[key] = value;
    }
  }
  settings.log = env.TANDEM_PREDICTION_LOG ?? '';
  const sample = env.TANDEM_PREDICTION_LOG_SAMPLE;
  if (sample !== undefined && sample !== '') {
    const percent = Number(sample);
    if (!Number.isFinite(percent) || percent < 0 || percent > 100 || sample.trim() === '') {
      problems.push(
        `TANDEM_PREDICTION_LOG_SAMPLE must be a percentage 0–100, got ${JSON.stringify(sample)}`,
      );
    } else {
      settings.logSample = percent / 100;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(settings);
}
