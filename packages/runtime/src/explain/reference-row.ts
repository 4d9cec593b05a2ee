import type { ColumnState, FittedPipeline, NumericTransformState } from '@tandem/features';

/**
 * The reference point of the linear and MLP explanations: per encoded output, its mean over the
 * training rows where the fitted state determines it, read from features.json alone so that every
 * caller (server, batch, trainer) uses the same point without the training rows.
 *
 * - one-hot level: its training frequency (counts / rows; missing rows count for the imputed
 *   level, rare levels for the "other" slot); ordinal: the mean code;
 * - missing indicator: the training missing rate; boolean: the share of true among present values
 *   (missing rows at the imputed value);
 * - standardized numbers and datetime parts: 0 (the mean of the standardized training values when
 *   missing values were imputed with the mean);
 * - other numeric transforms (minmax, robust, log1p, identity, bucketize): the encoding of the
 *   column's impute value (its training mean or median): the state stores no encoded mean.
 */
export function referenceRow(pipeline: FittedPipeline): Float64Array {
  const state = pipeline.toJSON();
  const reference = new Float64Array(pipeline.width);
  const spans = pipeline.columnSpans();
  const rows = Math.max(1, state.rows);
  state.columns.forEach((column, c) => {
    const span = spans[c]!;
    const values = columnReference(column, rows);
    for (let k = 0; k < span.width; k++) reference[span.start + k] = values[k] ?? 0;
  });
  return reference;
}

function columnReference(column: ColumnState, rows: number): number[] {
  const missingRate = column.missing / rows;
  const indicator = column.missingIndicator ? [missingRate] : [];
  switch (column.type) {
    case 'numeric':
      return [...encodeNumber(column.transform, column.impute.value), ...indicator];
    case 'boolean': {
      const present = column.trueCount + column.falseCount;
      const trueShare =
        (column.trueCount + (column.impute.value === 1 ? column.missing : 0)) /
        Math.max(1, present + column.missing);
      return [trueShare, ...indicator];
    }
    case 'datetime':
      return [0, 0, 0, 0, ...indicator];
    case 'categorical': {
      // Fitting adds the imputed missing rows to their level's count.
      const weights = column.counts.map((n) => n / rows);
      const rare = sum(column.rareCounts) / rows;
      switch (column.encoding.kind) {
        case 'onehot':
          return [...weights, ...(column.encoding.other ? [rare] : []), ...indicator];
        case 'ordinal':
          return [
            weights.reduce((acc, w, i) => acc + w * i, 0) + rare * column.encoding.unknownValue,
            ...indicator,
          ];
        case 'codes':
          return [Number.NaN];
      }
    }
  }
}

function encodeNumber(transform: NumericTransformState, x: number): number[] {
  switch (transform.kind) {
    case 'standardize':
      return [0];
    case 'robust':
      return [(x - transform.median) / (transform.iqr || 1)];
    case 'minmax': {
      const y = (x - transform.min) / (transform.max - transform.min || 1);
      return [transform.clip ? Math.min(1, Math.max(0, y)) : y];
    }
    case 'log1p':
      return [Math.log1p(Math.max(0, x))];
    case 'identity':
      return [x];
    case 'bucketize': {
      let bucket = 0;
      while (bucket < transform.edges.length && x >= transform.edges[bucket]!) bucket++;
      return Array.from({ length: transform.edges.length + 1 }, (_, b) => (b === bucket ? 1 : 0));
    }
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
