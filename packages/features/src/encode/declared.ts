import { rangeText, valuesText } from '../expected-values.ts';
import type {
  CategoricalColumnState,
  DatetimeColumnState,
  NumericColumnState,
} from '../state/types.ts';
import type { TransformReport } from '../types.ts';
import { pushError } from './report.ts';

/**
 * A numeric or datetime column's declared range (unbounded where the spec gives none): a value
 * outside it is an error naming the range.
 */
export function declaredRange(state: NumericColumnState | DatetimeColumnState): {
  min: number;
  max: number;
  admits(value: number, raw: unknown, row: number, report: TransformReport): boolean;
} {
  const range = state.range ?? {};
  const min = range.min ?? Number.NEGATIVE_INFINITY;
  const max = range.max ?? Number.POSITIVE_INFINITY;
  return {
    min,
    max,
    admits(value, raw, row, report) {
      if (!(value < min || value > max)) return true;
      pushError(report, row, state.name, 'out_of_allowed_range', rangeText(range), raw);
      return false;
    },
  };
}

/** The column's declared values, when it has some: any other value is an error naming them. */
export function declaredValues(state: CategoricalColumnState): {
  values: ReadonlySet<string> | undefined;
  admits(value: string, raw: unknown, row: number, report: TransformReport): boolean;
} {
  if (state.values === undefined) return { values: undefined, admits: () => true };
  const values = new Set(state.values);
  const expected = valuesText(state.values);
  return {
    values,
    admits(value, raw, row, report) {
      if (values.has(value)) return true;
      pushError(report, row, state.name, 'not_allowed_value', expected, raw);
      return false;
    },
  };
}
