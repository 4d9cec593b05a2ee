import { FeatureFitError } from '../errors.ts';
import type { ColumnSpec, PipelineSpec } from '../types.ts';
import { describeValue } from '../value-text.ts';

/**
 * Checks a pipeline spec before fitting. Specs often come from JSON configuration files, so the
 * TypeScript types are not trusted: every field is checked, and errors name the column.
 */
export function checkPipelineSpec(spec: PipelineSpec): void {
  if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.columns)) {
    throw new FeatureFitError(
      `pipeline spec: expected { columns: [...] }, got ${describeValue(spec)}`,
    );
  }
  if (spec.columns.length === 0) throw new FeatureFitError('pipeline spec: no input columns');
  const unknownColumns = spec.unknownColumns;
  if (unknownColumns !== undefined && unknownColumns !== 'ignore' && unknownColumns !== 'reject') {
    throw new FeatureFitError(
      `pipeline spec: unknownColumns must be "ignore" or "reject", got ${describeValue(unknownColumns)}`,
    );
  }
  const names = new Set<string>();
  for (const column of spec.columns) {
    checkColumnSpec(column);
    if (names.has(column.name)) {
      throw new FeatureFitError(
        `pipeline spec: column "${column.name}" is declared twice`,
        column.name,
      );
    }
    names.add(column.name);
  }
}

/** Category codes fit in a tree's 255 non-missing bins, as scikit-learn's categorical limit. */
export const MAX_CODES = 254;

const NUMERIC_KINDS = ['standardize', 'minmax', 'robust', 'log1p', 'bucketize', 'identity'];
const CATEGORICAL_KINDS = ['onehot', 'ordinal', 'codes'];

function checkColumnSpec(column: ColumnSpec): void {
  if (
    column === null ||
    typeof column !== 'object' ||
    typeof column.name !== 'string' ||
    column.name === ''
  ) {
    throw new FeatureFitError(
      `pipeline spec: every column needs a non-empty name, got ${describeValue(column)}`,
    );
  }
  const fail = (what: string): never => {
    throw new FeatureFitError(`column "${column.name}": ${what}`, column.name);
  };
  if (!['numeric', 'categorical', 'boolean', 'datetime'].includes(column.type)) {
    fail(
      `type must be numeric, categorical, boolean or datetime, got ${describeValue(column.type)}`,
    );
  }
  if (column.nullable !== undefined && typeof column.nullable !== 'boolean') {
    fail(`nullable must be true or false, got ${describeValue(column.nullable)}`);
  }
  if (column.range !== undefined) {
    const { min, max } = column.range;
    if (
      (min !== undefined && !Number.isFinite(min)) ||
      (max !== undefined && !Number.isFinite(max))
    ) {
      fail('range min / max must be finite numbers');
    }
    if (min !== undefined && max !== undefined && min > max)
      fail(`range min ${min} exceeds max ${max}`);
    if (column.type === 'categorical' || column.type === 'boolean') {
      fail(`a range applies to numeric and datetime columns, not ${column.type}`);
    }
  }
  if (column.values !== undefined) {
    if (column.type !== 'categorical') fail('allowed values apply to categorical columns only');
    if (!Array.isArray(column.values) || !column.values.every((v) => typeof v === 'string')) {
      fail('values must be an array of strings');
    }
  }
  if (
    column.outOfRange !== undefined &&
    column.outOfRange !== 'clip' &&
    column.outOfRange !== 'extrapolate'
  ) {
    fail(`outOfRange must be "clip" or "extrapolate", got ${describeValue(column.outOfRange)}`);
  }
  if (column.impute !== undefined) {
    const strategy = column.impute.strategy;
    if (!['mean', 'median', 'most_frequent', 'constant', 'none'].includes(strategy)) {
      fail(
        `impute strategy must be mean, median, most_frequent, constant or none, got ${describeValue(strategy)}`,
      );
    }
    // NaN flows through only the transforms that keep values as they are: trees read it as
    // missing; a scaler or a one-hot slot would turn it into a wrong number.
    const kind = column.transform?.kind;
    if (
      strategy === 'none' &&
      ((column.type === 'numeric' && kind !== 'identity') ||
        (column.type === 'categorical' && kind !== 'codes'))
    ) {
      fail(
        `impute strategy "none" (missing stays NaN) needs transform "${column.type === 'numeric' ? 'identity' : 'codes'}"`,
      );
    }
  }
  checkTransform(column, fail);
}

function checkTransform(column: ColumnSpec, fail: (what: string) => never): void {
  const transform = column.transform;
  if (transform === undefined) return;
  const kind = transform.kind;
  if (column.type === 'datetime' && kind === 'identity') return;
  if (column.type === 'boolean' || column.type === 'datetime') {
    fail(
      `a ${column.type} column takes no transform${column.type === 'datetime' ? ' but "identity"' : ''} (got "${kind}")`,
    );
  }
  const allowed = column.type === 'numeric' ? NUMERIC_KINDS : CATEGORICAL_KINDS;
  if (!allowed.includes(kind)) {
    fail(
      `transform for a ${column.type} column must be one of ${allowed.join(', ')}, got ${describeValue(kind)}`,
    );
  }
  if (transform.kind === 'bucketize') {
    if (!Number.isInteger(transform.buckets) || transform.buckets < 2 || transform.buckets > 1000) {
      fail(
        `bucketize needs an integer number of buckets in [2, 1000], got ${describeValue(transform.buckets)}`,
      );
    }
  }
  if (
    transform.kind === 'minmax' &&
    transform.clip !== undefined &&
    typeof transform.clip !== 'boolean'
  ) {
    fail(`minmax clip must be true or false, got ${describeValue(transform.clip)}`);
  }
  if (transform.kind === 'onehot' || transform.kind === 'codes') {
    const { maxCategories, minFrequency } = transform;
    const unknown = transform.kind === 'onehot' ? transform.unknown : undefined;
    if (maxCategories !== undefined && (!Number.isInteger(maxCategories) || maxCategories < 1)) {
      fail(`maxCategories must be an integer ≥ 1, got ${describeValue(maxCategories)}`);
    }
    if (transform.kind === 'codes' && maxCategories !== undefined && maxCategories > MAX_CODES) {
      fail(`maxCategories of "codes" must be at most ${MAX_CODES}, got ${maxCategories}`);
    }
    if (minFrequency !== undefined && !(Number.isFinite(minFrequency) && minFrequency > 0)) {
      fail(
        `minFrequency must be a number > 0 (a count, or a fraction below 1), got ${describeValue(minFrequency)}`,
      );
    }
    if (unknown !== undefined && !['ignore', 'other', 'reject'].includes(unknown)) {
      fail(`unknown must be "ignore", "other" or "reject", got ${describeValue(unknown)}`);
    }
  }
  if (
    transform.kind === 'ordinal' &&
    transform.unknownValue !== undefined &&
    !Number.isFinite(transform.unknownValue)
  ) {
    fail(`unknownValue must be a finite number, got ${describeValue(transform.unknownValue)}`);
  }
}
