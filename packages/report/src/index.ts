export {
  averagePrecision,
  type CalibrationBin,
  calibrationBins,
  confusion,
  type PrPoint,
  prCurve,
  type RocPoint,
  rocAuc,
  rocCurve,
  type ThresholdRow,
  thresholdTable,
} from './curves.ts';
export { renderReport } from './html.ts';
export { type ColumnProfile, profileColumns } from './profile.ts';
export type { CandidateLine, ReportData, ReportTask, TestOutputs } from './report-data.ts';
export { type VegaAsset, vegaAssets } from './vega-assets.ts';
