export {
  type Comparison,
  compareMetric,
  type Direction,
  GATE_METRICS,
  type GateMetric,
  metricFor,
  primaryMetric,
} from './compare.ts';
export { GATE_ERRORS, GateError, type GateErrorCode } from './errors.ts';
export {
  DEFAULT_BASELINE,
  DEFAULT_TOLERANCE,
  type GateOptions,
  type GateResult,
  type GateSide,
  runGate,
} from './run-gate.ts';
export { rebuildTestSplit, type TestSplit } from './test-split.ts';
