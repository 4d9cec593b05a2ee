import { trainingRange } from '../state/training-range.ts';
import type { DatetimeColumnState, NumericColumnState } from '../state/types.ts';
import type { TransformReport } from '../types.ts';
import { pushIssue } from './report.ts';

/**
 * A numeric or datetime encoder's training-range rule: a value outside the range the column saw
 * in training is a warning (`out_of_range`) and, under the clip rule, is clipped to the range;
 * otherwise it is kept, or replaced by `outside` where the transform needs it.
 */
export function trainingRangeRule(
  state: NumericColumnState | DatetimeColumnState,
  outside: (value: number) => number = (value) => value,
): {
  low: number;
  high: number;
  apply(value: number, row: number, report: TransformReport): number;
} {
  const { low, high, clip } = trainingRange(state);
  return {
    low,
    high,
    apply(value, row, report) {
      if (!(value < low || value > high)) return value;
      pushIssue(report, row, state.name, 'out_of_range');
      if (clip) return value < low ? low : high;
      return outside(value);
    },
  };
}
