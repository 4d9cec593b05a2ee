import {
  type NumericColumnState,
  type NumericTransformState,
  trainingRange,
} from '@tandem/features';
import type { GraphBuilder } from '../graph-builder.ts';
import { ELEM } from '../proto.ts';
import { clamp, clampUnit, log1p, scaleOf } from './arithmetic.ts';

/**
 * A numeric column: `x` is double [rows, 1], NaN for a missing value. Mirrors
 * @tandem/features encode/numeric.ts: the out-of-range rule on the value, then imputation, then
 * the transform, in float64 as Tandem computes it; the caller rounds to float32 once, as Tandem's
 * Float32Array does. Returns the column's outputs in order, each double [rows, k].
 */
export function numericColumn(g: GraphBuilder, state: NumericColumnState, x: string): string[] {
  const imputeValue = state.impute.strategy === 'none' ? Number.NaN : state.impute.value;
  const { low, high, clip } = trainingRange(state);
  const missing = g.isNaN(x);
  let value = x;
  if (clip) {
    value = clamp(g, x, low, high);
  } else if (state.transform.kind === 'log1p') {
    // Out of the training range and negative: 0 (log1p is undefined below -1).
    const zero = g.scalar(0);
    const lowC = g.scalar(low);
    const highC = g.scalar(high);
    const outside = g.or(g.less(x, lowC), g.greater(x, highC));
    value = g.where(g.and(outside, g.less(x, zero)), zero, x);
  }
  value = g.where(missing, g.scalar(imputeValue), value);
  const outputs = transformed(g, state.transform, value);
  if (state.missingIndicator) outputs.push(g.cast(missing, ELEM.DOUBLE));
  return outputs;
}

function transformed(g: GraphBuilder, transform: NumericTransformState, v: string): string[] {
  const affine = (center: number, scale: number) =>
    g.div(g.sub(v, g.scalar(center)), g.scalar(scale));
  switch (transform.kind) {
    case 'standardize':
      return [affine(transform.mean, scaleOf(transform.std))];
    case 'robust':
      return [affine(transform.median, scaleOf(transform.iqr))];
    case 'minmax': {
      const y = affine(transform.min, scaleOf(transform.max - transform.min));
      return [transform.clip ? clampUnit(g, y) : y];
    }
    case 'log1p':
      return [log1p(g, v)];
    case 'identity':
      return [v];
    case 'bucketize':
      return [buckets(g, transform.edges, v)];
  }
}

/**
 * One-hot of the bucket: bucket b holds edges[b-1] <= x < edges[b], so b is the number of edges
 * at or below x (edges ascend); NaN compares false everywhere and lands in bucket 0, as in Tandem.
 */
function buckets(g: GraphBuilder, edges: readonly number[], v: string): string {
  const slots = edges.length + 1;
  const range = g.doubles(
    Array.from({ length: slots }, (_, b) => b),
    [1, slots],
  );
  const atOrBelow = g.op('GreaterOrEqual', [v, g.doubles(edges, [1, edges.length])]);
  const count = g.op('ReduceSum', [g.cast(atOrBelow, ELEM.DOUBLE), g.int64s([1])], {
    keepdims: { int: 1 },
  });
  return g.cast(g.op('Equal', [count, range]), ELEM.DOUBLE);
}
