export type { AlertRuleOptions } from './alerts/rules.ts';
export { alertRules } from './alerts/rules.ts';
export type {
  DriftMetricName,
  DriftSettings,
  DriftThresholds,
} from './drift/defaults.ts';
export {
  DEFAULT_DRIFT_SETTINGS,
  DEFAULT_ROW_WINDOW,
  DEFAULT_TIME_SLICES,
  DEFAULT_TIME_WINDOW_MS,
  driftSettings,
} from './drift/defaults.ts';
export { jensenShannon, PSI_EPSILON, psi, wassersteinOverStd } from './drift/divergence.ts';
export type { WindowCounts } from './drift/layout.ts';
export { CountLayout } from './drift/layout.ts';
export type { DriftMonitorOptions, DriftSnapshot } from './drift/monitor.ts';
export { compareRows, DriftMonitor } from './drift/monitor.ts';
export type { ColumnDrift, MetricFigure, MovedCell, Verdict, WindowDrift } from './drift/report.ts';
export { driftReport } from './drift/report.ts';
export { RowWindow } from './drift/row-window.ts';
export { TimeWindow } from './drift/time-window.ts';
export type { MonitoringErrorCode } from './errors.ts';
export { MONITORING_ERRORS, MonitoringError } from './errors.ts';
export type {
  ClassifierPerformance,
  Performance,
  RegressorPerformance,
} from './feedback/performance.ts';
export {
  ClassifierAccumulator,
  LOG_LOSS_EPSILON,
  RegressorAccumulator,
} from './feedback/performance.ts';
export type { FeedbackMatch, RememberedPrediction } from './feedback/recent-predictions.ts';
export { RecentPredictions } from './feedback/recent-predictions.ts';
export type {
  FeedbackEvent,
  LogEntry,
  LogEvent,
  LoggedOutput,
  LogSink,
  PredictionEvent,
} from './log/events.ts';
export { EncodedLines, eventCount } from './log/events.ts';
export type { PostgresSinkOptions } from './log/postgres-sink.ts';
export { PostgresSink } from './log/postgres-sink.ts';
export type { LogCounts, PredictionLogOptions } from './log/prediction-log.ts';
export { PredictionLog } from './log/prediction-log.ts';
export type { LoggedTrainingRows, SegmentLineage } from './log/read-log.ts';
export { parseWindow, readLoggedTrainingRows } from './log/read-log.ts';
export type { SegmentSinkOptions } from './log/segment-sink.ts';
export { SEGMENT_PATTERN, SegmentSink } from './log/segment-sink.ts';
export type { SinkSpec } from './log/sink-spec.ts';
export { openSink } from './log/sink-spec.ts';
export { binOf, cellName, quantileEdges, quantileSorted } from './profile/bins.ts';
export type { ProfileOptions, ProfileOutputs, ProfilingPredictor } from './profile/build.ts';
export {
  argmaxLabel,
  buildReferenceProfile,
  DEFAULT_PROFILE_BINS,
  profileFromPredictor,
} from './profile/build.ts';
export { encodeProfile, parseProfile } from './profile/parse.ts';
export type {
  CategoricalProfile,
  ColumnProfile,
  NumericProfile,
  OutputProfile,
  ReferenceProfile,
} from './profile/types.ts';
export { PROFILE_FORMAT } from './profile/types.ts';
export type { RowColumns } from './row-columns.ts';
export { readRowColumns, rowOf } from './row-columns.ts';
export type { DriftReading, WatchOptions } from './thread/messages.ts';
export type {
  AnsweredRequest,
  MonitoringThreadOptions,
} from './thread/monitoring-thread.ts';
export { MonitoringThread } from './thread/monitoring-thread.ts';
export { readCell } from './values.ts';
