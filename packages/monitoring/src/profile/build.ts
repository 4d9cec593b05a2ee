import type { InputColumnSchema, RawRow } from '@tandem/features';
import { MonitoringError } from '../errors.ts';
import { profiledAs, readCell } from '../values.ts';
import { quantileEdges } from './bins.ts';
import {
  type CategoricalProfile,
  type ColumnProfile,
  type NumericProfile,
  PROFILE_FORMAT,
  type ReferenceProfile,
} from './types.ts';

/** Bins per numeric column unless asked otherwise: deciles, as NannyML and PSI practice use. */
export const DEFAULT_PROFILE_BINS = 10;

/** What the model answered for the same rows, in row order. */
export interface ProfileOutputs {
  task: 'binary' | 'multiclass' | 'regression';
  /** Classifiers: the classes in output order. */
  classes?: readonly string[] | undefined;
  /** rows × (classes | 1), row-major; a NaN row (rejected) is left out of the output profile. */
  values: ArrayLike<number>;
}

export interface ProfileOptions {
  bins?: number;
}

/**
 * The reference a served version is checked against: per raw input column its type, missing
 * rate and fixed bins or level frequencies, and the distribution of the model's output.
 *
 * @example
 *   const profile = buildReferenceProfile(trainRows, pipeline.inputSchema, {
 *     task, classes: predictor.classes, values: predictor.predictBatch(trainRows).outputs,
 *   });
 *   files['profile.json'] = encodeProfile(profile);
 */
export function buildReferenceProfile(
  rows: readonly RawRow[],
  inputs: readonly Pick<InputColumnSchema, 'name' | 'type'>[],
  outputs: ProfileOutputs,
  options: ProfileOptions = {},
): ReferenceProfile {
  const bins = options.bins ?? DEFAULT_PROFILE_BINS;
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) {
    throw new MonitoringError('TANDEM_PROFILE_ROWS_INVALID', `bins must be 1 to 1000, got ${bins}`);
  }
  if (rows.length === 0) {
    throw new MonitoringError('TANDEM_PROFILE_ROWS_INVALID', 'no rows to profile');
  }
  const columns = inputs.map((input) => {
    const cells = rows.map((row) => readCell(input.type, row[input.name]));
    return profiledAs(input.type) === 'numeric'
      ? numericProfile(input.name, input.type, cells as number[], bins)
      : categoricalProfile(input.name, input.type, cells as (string | undefined)[]);
  });
  return {
    format: PROFILE_FORMAT,
    rows: rows.length,
    bins,
    columns,
    output: { task: outputs.task, columns: outputColumns(rows.length, outputs, bins) },
  };
}

function outputColumns(rows: number, outputs: ProfileOutputs, bins: number): ColumnProfile[] {
  const { classes, values } = outputs;
  if (outputs.task === 'regression' || classes === undefined) {
    const cells = Array.from({ length: rows }, (_, i) => values[i] as number);
    return [numericProfile('value', 'numeric', cells, bins)];
  }
  const width = classes.length;
  if (values.length !== rows * width) {
    throw new MonitoringError(
      'TANDEM_PROFILE_ROWS_INVALID',
      `outputs hold ${values.length} values; ${rows} rows × ${width} classes expected`,
    );
  }
  const labels: (string | undefined)[] = [];
  for (let r = 0; r < rows; r++) labels.push(argmaxLabel(values, r, classes));
  const scores = classes.map((c, k) =>
    numericProfile(
      `score:${c}`,
      'numeric',
      Array.from({ length: rows }, (_, r) => values[r * width + k] as number),
      bins,
    ),
  );
  const label = categoricalProfile('label', 'categorical', labels);
  // Every class is a level, even one the model never predicted on the training rows.
  for (const c of classes) {
    if (!label.levels.includes(c)) {
      label.levels.push(c);
      label.counts.splice(label.counts.length - 1, 0, 0);
    }
  }
  return [label, ...scores];
}

/** The predicted class of row r (first maximum, as the runtime decodes), undefined for NaN. */
export function argmaxLabel(
  values: ArrayLike<number>,
  row: number,
  classes: readonly string[],
): string | undefined {
  const width = classes.length;
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < width; k++) {
    const score = values[row * width + k] as number;
    if (Number.isNaN(score)) return undefined;
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best < 0 ? undefined : classes[best];
}

function numericProfile(
  name: string,
  type: NumericProfile['type'],
  cells: readonly number[],
  bins: number,
): NumericProfile {
  const present = Float64Array.from(cells.filter((v) => !Number.isNaN(v))).sort();
  const n = present.length;
  let sum = 0;
  for (const v of present) sum += v;
  const mean = n === 0 ? 0 : sum / n;
  let squares = 0;
  for (const v of present) squares += (v - mean) * (v - mean);
  const edges = quantileEdges(present, bins);
  const counts = new Array<number>(Math.max(edges.length - 1, 1) + 2).fill(0);
  // Sorted values fill the bins in one pass, with the same rule as binOf (edge → upper bin).
  const sums = counts.map(() => 0);
  let bin = 1;
  const last = edges.length - 1;
  for (const v of present) {
    while (bin < last && v >= (edges[bin] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
    sums[bin] = (sums[bin] as number) + v;
  }
  return {
    name,
    kind: 'numeric',
    type,
    rows: cells.length,
    missing: cells.length - n,
    mean,
    std: n === 0 ? 0 : Math.sqrt(squares / n),
    edges,
    counts,
    means: counts.map((n, i) => (n === 0 ? 0 : (sums[i] as number) / n)),
  };
}

function categoricalProfile(
  name: string,
  type: CategoricalProfile['type'],
  cells: readonly (string | undefined)[],
): CategoricalProfile {
  const frequency = new Map<string, number>();
  let missing = 0;
  for (const level of cells) {
    if (level === undefined) missing++;
    else frequency.set(level, (frequency.get(level) ?? 0) + 1);
  }
  const levels = [...frequency.keys()].sort((a, b) => {
    const d = (frequency.get(b) as number) - (frequency.get(a) as number);
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  return {
    name,
    kind: 'categorical',
    type,
    rows: cells.length,
    missing,
    levels,
    counts: [...levels.map((l) => frequency.get(l) as number), 0],
  };
}

/** What profiling needs of a predictor (@tandem/runtime's Predictor has it). */
export interface ProfilingPredictor {
  readonly task: ProfileOutputs['task'];
  readonly classes?: readonly string[] | undefined;
  readonly inputSchema: readonly Pick<InputColumnSchema, 'name' | 'type'>[];
  predictBatch(
    rows: readonly RawRow[],
    options: { errors: 'collect' },
  ): { outputs: ArrayLike<number> };
}

/**
 * The profile of a trained model: its training rows, and its own answers for them as the
 * output distribution (rows it refuses count as missing outputs).
 *
 * @example files['profile.json'] = encodeProfile(profileFromPredictor(predictor, trainRows));
 */
export function profileFromPredictor(
  predictor: ProfilingPredictor,
  rows: readonly RawRow[],
  options: ProfileOptions = {},
): ReferenceProfile {
  const { outputs } = predictor.predictBatch(rows, { errors: 'collect' });
  return buildReferenceProfile(
    rows,
    predictor.inputSchema,
    { task: predictor.task, classes: predictor.classes, values: outputs },
    options,
  );
}
