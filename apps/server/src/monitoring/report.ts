import { DEFAULT_DRIFT_SETTINGS, type MonitoringThread } from '@tandem/monitoring';
import type { ServedVersion } from '../registry/served-version.ts';
import type { MonitoringSettings } from './settings.ts';
import type { VersionState } from './version-state.ts';

/**
 * The body of GET /v1/models/:name/monitoring for one version. Its windows are read from the
 * monitoring thread, after every request answered before this one is counted there.
 */
export async function monitoringReport(
  state: VersionState,
  served: ServedVersion,
  settings: Readonly<MonitoringSettings>,
  thread: MonitoringThread,
) {
  const drift = state.drift;
  const snapshot = drift === undefined ? undefined : await thread.drift(drift.monitor);
  return {
    model: { name: served.name, version: served.version },
    profile:
      drift === undefined
        ? { present: false, problem: state.profileProblem ?? null }
        : { present: true, rows: drift.profile.rows },
    rowsSeen: snapshot?.rowsSeen ?? 0,
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
    // A version with a profile whose windows could not be read this time.
    driftProblem:
      drift !== undefined && snapshot === undefined
        ? 'the monitoring thread did not answer in time, or its worker stopped'
        : null,
    performance: state.performance.figures(),
    driftRowsDropped: thread.driftRowsDropped,
    predictionLog: thread.logs ? thread.counts() : null,
  };
}
