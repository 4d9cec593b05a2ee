import {
  type BooleanColumnState,
  type CategoricalColumnState,
  type ColumnState,
  type DatetimeColumnState,
  FittedPipeline,
  type NumericColumnState,
} from '@tandem/features';
import { mulberry32 } from '@tandem/runtime';

// Hand-made pipeline states for the export tests: a transform is checked against
// FittedPipeline on states whose every field the test chose.

/** A fitted pipeline of these column states, as if fitted on `rows` rows. */
export function pipelineOf(columns: ColumnState[], rows = 10): FittedPipeline {
  return FittedPipeline.fromJSON({
    format: 1,
    unknownColumns: 'ignore',
    rows,
    columns,
    notes: [],
  });
}

/** A numeric column state (`x`, standardized, median-imputed), with overrides. */
export function numeric(overrides: Partial<NumericColumnState>): NumericColumnState {
  return {
    name: 'x',
    type: 'numeric',
    nullable: true,
    missingIndicator: true,
    missing: 1,
    observed: { min: 0, max: 10 },
    impute: { strategy: 'median', value: 4 },
    outOfRange: 'extrapolate',
    transform: { kind: 'standardize', mean: 4.5, std: 2.75 },
    ...overrides,
  };
}

/** A categorical column state (`c`, one-hot, three levels), with overrides. */
export function categorical(overrides: Partial<CategoricalColumnState>): CategoricalColumnState {
  return {
    name: 'c',
    type: 'categorical',
    nullable: true,
    missingIndicator: true,
    missing: 1,
    levels: ['rent', 'owner', 'parents'],
    counts: [5, 3, 2],
    rare: [],
    rareCounts: [],
    impute: { strategy: 'most_frequent', value: 'rent' },
    encoding: { kind: 'onehot', unknown: 'ignore', other: false },
    ...overrides,
  };
}

/** A datetime column state (`d`, four standardized parts), with overrides. */
export function datetime(overrides: Partial<DatetimeColumnState>): DatetimeColumnState {
  return {
    name: 'd',
    type: 'datetime',
    nullable: true,
    missingIndicator: true,
    missing: 1,
    observed: { min: Date.UTC(1960, 0, 1), max: Date.UTC(2030, 11, 31, 23) },
    impute: { strategy: 'median', value: Date.UTC(2001, 6, 15, 6) },
    outOfRange: 'extrapolate',
    parts: {
      year: { mean: 1995.5, std: 20.25 },
      month: { mean: 6.5, std: 3.4 },
      dayOfWeek: { mean: 3, std: 2 },
      hour: { mean: 11.5, std: 0 },
    },
    ...overrides,
  };
}

/** Datetime parts left as they are read (mean 0, standard deviation 1). */
export const UNSCALED_PARTS: DatetimeColumnState['parts'] = {
  year: { mean: 0, std: 1 },
  month: { mean: 0, std: 1 },
  dayOfWeek: { mean: 0, std: 1 },
  hour: { mean: 0, std: 1 },
};

/** mulberry32 (the runtime's): the same weights, trees and rows every run. */
export const seededRandom = mulberry32;

/** A boolean column `records` (3 true, 7 false), missing imputed as the most frequent. */
export const RECORDS: BooleanColumnState = {
  name: 'records',
  type: 'boolean',
  nullable: true,
  missingIndicator: false,
  missing: 0,
  trueCount: 3,
  falseCount: 7,
  impute: { strategy: 'most_frequent', value: 0 },
};

/** income (standardized), home (one-hot) and records: a small network's pipeline. */
export const DENSE_COLUMNS: ColumnState[] = [
  numeric({
    name: 'income',
    observed: { min: 0, max: 300 },
    impute: { strategy: 'median', value: 120 },
    transform: { kind: 'standardize', mean: 130, std: 60 },
  }),
  categorical({ name: 'home', missingIndicator: false, missing: 0 }),
  RECORDS,
];
