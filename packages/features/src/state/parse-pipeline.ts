import { FeatureStateError } from '../errors.ts';
import type { ImputeStrategy, OutOfRangeRule } from '../types.ts';
import {
  arrayAt,
  checkFormat,
  count,
  fail,
  finiteNumber,
  flag,
  type JsonObject,
  nonNegative,
  numberList,
  objectAt,
  oneOf,
  stringList,
  text,
} from './json-fields.ts';
import {
  type BooleanColumnState,
  type CategoricalColumnState,
  type CategoricalEncodingState,
  type ColumnState,
  type DatetimeColumnState,
  type NumericColumnState,
  type NumericTransformState,
  PIPELINE_FORMAT,
  type PipelineState,
  type Standardization,
} from './types.ts';

const IMPUTE_STRATEGIES: readonly ImputeStrategy[] = [
  'mean',
  'median',
  'most_frequent',
  'constant',
  'none',
];
const OUT_OF_RANGE_RULES: readonly OutOfRangeRule[] = ['clip', 'extrapolate'];

/**
 * Validates serialised pipeline state and rebuilds it with the canonical key order, so that
 * `fromJSON(x).toJSON()` serialises identically whatever order `x` had.
 */
export function parsePipelineState(value: unknown): PipelineState {
  const root = objectAt(value, 'pipeline state');
  checkFormat(root, PIPELINE_FORMAT, 'pipeline state');
  const columns = arrayAt(root['columns'], 'columns').map((column, i) =>
    parseColumn(objectAt(column, `columns[${i}]`), `columns[${i}]`),
  );
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) {
      throw new FeatureStateError(`columns: the column "${column.name}" appears twice`);
    }
    seen.add(column.name);
  }
  return {
    format: PIPELINE_FORMAT,
    unknownColumns: oneOf(root, 'unknownColumns', 'pipeline state', ['ignore', 'reject']),
    rows: count(root, 'rows', 'pipeline state'),
    columns,
    notes: stringList(root, 'notes', 'pipeline state'),
  };
}

function parseColumn(column: JsonObject, path: string): ColumnState {
  const type = oneOf(column, 'type', path, ['numeric', 'categorical', 'boolean', 'datetime']);
  switch (type) {
    case 'numeric':
      return parseNumeric(column, path);
    case 'categorical':
      return parseCategorical(column, path);
    case 'boolean':
      return parseBoolean(column, path);
    case 'datetime':
      return parseDatetime(column, path);
  }
}

interface BaseFields<T extends ColumnState['type']> {
  name: string;
  type: T;
  nullable: boolean;
  range?: { min?: number; max?: number };
  values?: string[];
  missingIndicator: boolean;
  missing: number;
}

/** The fields every column state has, then the type's own, in canonical key order. */
function withBase<T extends ColumnState['type'], S extends object>(
  column: JsonObject,
  path: string,
  type: T,
  own: S,
): BaseFields<T> & S {
  const base = {
    name: text(column, 'name', path),
    type,
    nullable: flag(column, 'nullable', path),
  } as BaseFields<T>;
  if (column['range'] !== undefined) base.range = parseRange(column['range'], `${path}.range`);
  if (column['values'] !== undefined) base.values = stringList(column, 'values', path);
  base.missingIndicator = flag(column, 'missingIndicator', path);
  base.missing = count(column, 'missing', path);
  return Object.assign(base, own);
}

function parseRange(value: unknown, path: string): { min?: number; max?: number } {
  const range = objectAt(value, path);
  const parsed: { min?: number; max?: number } = {};
  if (range['min'] !== undefined) parsed.min = finiteNumber(range, 'min', path);
  if (range['max'] !== undefined) parsed.max = finiteNumber(range, 'max', path);
  return parsed;
}

function parseObserved(column: JsonObject, path: string): { min: number; max: number } | null {
  if (column['observed'] === null) return null;
  const observed = objectAt(column['observed'], `${path}.observed`);
  const min = finiteNumber(observed, 'min', `${path}.observed`);
  const max = finiteNumber(observed, 'max', `${path}.observed`);
  if (min > max) fail(`${path}.observed`, 'min ≤ max', observed);
  return { min, max };
}

function parseStandardization(value: unknown, path: string): Standardization {
  const object = objectAt(value, path);
  return { mean: finiteNumber(object, 'mean', path), std: nonNegative(object, 'std', path) };
}

/** The impute state of a column imputed by a number (numeric, datetime). */
function parseNumberImpute(column: JsonObject, path: string): NumericColumnState['impute'] {
  const imputePath = `${path}.impute`;
  const impute = objectAt(column['impute'], imputePath);
  return {
    strategy: oneOf(impute, 'strategy', imputePath, IMPUTE_STRATEGIES),
    value: finiteNumber(impute, 'value', imputePath),
  };
}

function parseNumeric(column: JsonObject, path: string): NumericColumnState {
  return withBase(column, path, 'numeric', {
    observed: parseObserved(column, path),
    impute: parseNumberImpute(column, path),
    outOfRange: oneOf(column, 'outOfRange', path, OUT_OF_RANGE_RULES),
    transform: parseNumericTransform(column['transform'], `${path}.transform`),
  });
}

function parseNumericTransform(value: unknown, path: string): NumericTransformState {
  const transform = objectAt(value, path);
  const kind = oneOf(transform, 'kind', path, [
    'standardize',
    'minmax',
    'robust',
    'log1p',
    'bucketize',
    'identity',
  ]);
  switch (kind) {
    case 'standardize':
      return { kind, ...parseStandardization(transform, path) };
    case 'minmax': {
      const min = finiteNumber(transform, 'min', path);
      const max = finiteNumber(transform, 'max', path);
      if (min > max) fail(path, 'min ≤ max', transform);
      return { kind, min, max, clip: flag(transform, 'clip', path) };
    }
    case 'robust':
      return {
        kind,
        median: finiteNumber(transform, 'median', path),
        iqr: nonNegative(transform, 'iqr', path),
      };
    case 'log1p':
    case 'identity':
      return { kind };
    case 'bucketize': {
      const edges = numberList(transform, 'edges', path);
      if (edges.length === 0) fail(`${path}.edges`, 'at least one edge (2 buckets)', edges);
      for (let i = 1; i < edges.length; i++) {
        if (edges[i]! < edges[i - 1]!) fail(`${path}.edges`, 'ascending edges', edges);
      }
      return { kind, edges };
    }
  }
}

function parseCategorical(column: JsonObject, path: string): CategoricalColumnState {
  const levels = stringList(column, 'levels', path);
  const counts = numberList(column, 'counts', path);
  const rare = stringList(column, 'rare', path);
  const rareCounts = numberList(column, 'rareCounts', path);
  if (counts.length !== levels.length) fail(`${path}.counts`, `${levels.length} counts`, counts);
  if (rareCounts.length !== rare.length) {
    fail(`${path}.rareCounts`, `${rare.length} counts`, rareCounts);
  }
  const all = [...levels, ...rare];
  if (new Set(all).size !== all.length) fail(`${path}.levels`, 'distinct levels', all);

  const imputePath = `${path}.impute`;
  const impute = objectAt(column['impute'], imputePath);
  const imputeValue = impute['value'];
  if (imputeValue !== null && typeof imputeValue !== 'string') {
    fail(`${imputePath}.value`, 'a string or null', imputeValue);
  }
  const encoding = parseEncoding(column['encoding'], `${path}.encoding`);
  if (encoding.kind === 'onehot' && rare.length > 0 && !encoding.other) {
    fail(`${path}.encoding.other`, 'true when rare levels exist', encoding.other);
  }
  if (imputeValue !== null && !all.includes(imputeValue)) {
    fail(`${imputePath}.value`, 'null or one of the levels', imputeValue);
  }
  return withBase(column, path, 'categorical', {
    levels,
    counts,
    rare,
    rareCounts,
    impute: {
      strategy: oneOf(impute, 'strategy', imputePath, IMPUTE_STRATEGIES),
      value: imputeValue,
    },
    encoding,
  });
}

function parseEncoding(value: unknown, path: string): CategoricalEncodingState {
  const encoding = objectAt(value, path);
  const kind = oneOf(encoding, 'kind', path, ['onehot', 'ordinal', 'codes']);
  if (kind === 'codes') return { kind };
  if (kind === 'ordinal') {
    return { kind, unknownValue: finiteNumber(encoding, 'unknownValue', path) };
  }
  return {
    kind,
    unknown: oneOf(encoding, 'unknown', path, ['ignore', 'other', 'reject']),
    other: flag(encoding, 'other', path),
  };
}

function parseBoolean(column: JsonObject, path: string): BooleanColumnState {
  const imputePath = `${path}.impute`;
  const impute = objectAt(column['impute'], imputePath);
  const value = impute['value'];
  if (value !== 0 && value !== 1) fail(`${imputePath}.value`, '0 or 1', value);
  return withBase(column, path, 'boolean', {
    trueCount: count(column, 'trueCount', path),
    falseCount: count(column, 'falseCount', path),
    impute: { strategy: oneOf(impute, 'strategy', imputePath, IMPUTE_STRATEGIES), value },
  });
}

function parseDatetime(column: JsonObject, path: string): DatetimeColumnState {
  const partsPath = `${path}.parts`;
  const parts = objectAt(column['parts'], partsPath);
  return withBase(column, path, 'datetime', {
    observed: parseObserved(column, path),
    impute: parseNumberImpute(column, path),
    outOfRange: oneOf(column, 'outOfRange', path, OUT_OF_RANGE_RULES),
    parts: {
      year: parseStandardization(parts['year'], `${partsPath}.year`),
      month: parseStandardization(parts['month'], `${partsPath}.month`),
      dayOfWeek: parseStandardization(parts['dayOfWeek'], `${partsPath}.dayOfWeek`),
      hour: parseStandardization(parts['hour'], `${partsPath}.hour`),
    },
  });
}
