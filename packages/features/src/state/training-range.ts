import type { DatetimeColumnState, NumericColumnState } from './types.ts';

/**
 * The training range of a numeric or datetime column, and whether a value outside it is clipped
 * to it: under the clip rule, and always when training saw no value (the range is then the impute
 * value alone, so the output stays the constant it was in training).
 */
export function trainingRange(state: NumericColumnState | DatetimeColumnState): {
  low: number;
  high: number;
  clip: boolean;
} {
  return {
    low: state.observed?.min ?? state.impute.value,
    high: state.observed?.max ?? state.impute.value,
    clip: state.outOfRange === 'clip' || state.observed === null,
  };
}
