import { DEFAULT_DRIFT_SETTINGS, type ThreadedPredictionLog } from '@tandem/monitoring';
import type { ServedVersion } from '../registry/served-version.ts';
import type { MonitoringSettings } from './settings.ts';
import type { VersionState } from './version-state.ts';

/** The body of GET /v1/models/:name/monitoring for one version. */
export function monitoringReport(
  state: VersionState,
  served: ServedVersion,
  settings: Readonly<MonitoringSettings>,
  log: ThreadedPredictionLog | undefined,
) {
  const drift = state.drift;
  const snapshot = drift?.snapshot();
  return {
    model: { name: served.name, version: served.version },
    profile:
      drift === undefined
        ? { present: false, problem: state.profileProblem ?? null }
        : { present: true, rows: drift.profile.rows },
    rowsSeen: drift?.rowsSeen ?? 0,
    settings: {
      rowWindow: settings.rowWindow,
      timeWindowMs: settings.timeWindowMs,
      minRows: settings.minRows,
      numericMetric: drift?.settings.numericMetric ?? DEFAULT_DRIFT_SETTINGS.numericMetric,
      categoricalMetric:
        drift?.settings.categoricalMetric ?? DEFAULT_DRIFT_SETTINGS.categoricalMetric,
      thresholds: drift?.settings.thresholds ?? DEFAULT_DRIFT_SETTINGS.thresholds,
    },
    drift:
      snapshot === undefined
        ? null
        : { rowWindow: snapshot.rowWindow, timeWindow: snapshot.timeWindow },
    performance: state.performance.figures(),
    predictionLog: log === undefined ? null : log.counts(),
  };
}
