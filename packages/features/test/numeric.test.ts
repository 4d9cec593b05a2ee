import { describe, expect, it } from 'vitest';
import {
  FeatureFitError,
  fitPipeline,
  type NumericTransform,
  type OutOfRangeRule,
} from '../src/index.ts';

/** One numeric column "x" fitted on the given values. */
function fitX(
  values: readonly unknown[],
  options: {
    transform?: NumericTransform;
    outOfRange?: OutOfRangeRule;
    missingIndicator?: boolean;
  } = {},
) {
  return fitPipeline(
    { columns: [{ name: 'x', type: 'numeric', ...options }] },
    values.map((x) => ({ x })),
  );
}

function outputs(values: readonly unknown[], pipeline: ReturnType<typeof fitX>): number[][] {
  const batch = pipeline.transformBatch(values.map((x) => ({ x })));
  const rows: number[][] = [];
  for (let i = 0; i < batch.rows; i++) {
    rows.push([...batch.values.subarray(i * batch.width, (i + 1) * batch.width)]);
  }
  return rows;
}

describe('standardize (the default)', () => {
  it('subtracts the mean and divides by the population std', () => {
    // mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, std 1.1180340
    const pipeline = fitX([1, 2, 3, 4]);
    expect(pipeline.outputNames).toEqual(['x']);
    const [a, b, c, d] = outputs([1, 2, 3, 4], pipeline);
    expect(a![0]).toBeCloseTo(-1.3416408, 6);
    expect(b![0]).toBeCloseTo(-0.4472136, 6);
    expect(c![0]).toBeCloseTo(0.4472136, 6);
    expect(d![0]).toBeCloseTo(1.3416408, 6);
  });

  it('imputes the median before scaling and adds a missing indicator by default', () => {
    // median of 1, 3, 5 is 3; imputed 1, 3, 3, 5: mean 3, variance (4 + 0 + 0 + 4) / 4 = 2
    const pipeline = fitX([1, null, 3, 5]);
    expect(pipeline.outputNames).toEqual(['x', 'x:missing']);
    const rows = outputs([1, null, '', 5], pipeline);
    expect(rows[0]![0]).toBeCloseTo(-Math.SQRT2, 6);
    expect(rows[0]![1]).toBe(0);
    expect(rows[1]).toEqual([0, 1]);
    expect(rows[2]).toEqual([0, 1]);
    expect(rows[3]![0]).toBeCloseTo(Math.SQRT2, 6);
    expect(pipeline.toJSON().columns[0]).toMatchObject({
      missing: 1,
      impute: { strategy: 'median', value: 3 },
      transform: { kind: 'standardize', mean: 3, std: Math.SQRT2 },
    });
  });

  it('has no missing indicator when training had no gap, unless asked for', () => {
    expect(fitX([1, 2]).outputNames).toEqual(['x']);
    expect(fitX([1, 2], { missingIndicator: true }).outputNames).toEqual(['x', 'x:missing']);
    expect(fitX([1, null], { missingIndicator: false }).outputNames).toEqual(['x']);
  });

  it('maps a constant column to 0, never NaN, and scales by 1', () => {
    const pipeline = fitX([7, 7, 7]);
    expect(outputs([7], pipeline)).toEqual([[0]]);
    const { values, issues } = pipeline.transform({ x: 9 });
    expect([...values]).toEqual([2]);
    expect(issues).toEqual([{ row: 0, column: 'x', kind: 'out_of_range' }]);
  });

  it('fits an all-missing column as the constant 0 and notes it', () => {
    const pipeline = fitX([null, '', undefined]);
    expect(pipeline.notes).toEqual([
      'column "x": every training value is missing (3 rows); imputed with the constant 0',
    ]);
    expect(pipeline.outputNames).toEqual(['x', 'x:missing']);
    expect(outputs([null], pipeline)).toEqual([[0, 1]]);
    // Training saw only the impute value, so any value is out of range and clipped to it.
    const { values, issues } = pipeline.transform({ x: 5 });
    expect([...values]).toEqual([0, 0]);
    expect(issues).toEqual([{ row: 0, column: 'x', kind: 'out_of_range' }]);
    expect(pipeline.inputSchema[0]).toEqual({ name: 'x', type: 'numeric', nullable: true });
  });
});

describe('imputation strategies', () => {
  const training = [1, 1, 4, 10, null];
  it.each([
    ['mean', 4], // (1 + 1 + 4 + 10) / 4
    ['median', 2.5],
    ['most_frequent', 1],
  ] as const)('%s imputes %d', (strategy, value) => {
    const pipeline = fitPipeline(
      {
        columns: [
          { name: 'x', type: 'numeric', impute: { strategy }, transform: { kind: 'minmax' } },
        ],
      },
      training.map((x) => ({ x })),
    );
    expect(pipeline.toJSON().columns[0]).toMatchObject({ impute: { strategy, value } });
    // minmax over the imputed training column [1, 10]: (value - 1) / 9
    expect(pipeline.transform({ x: null }).values[0]).toBeCloseTo((value - 1) / 9, 6);
  });

  it('constant imputes the declared value, 0 by default', () => {
    const declared = fitPipeline(
      { columns: [{ name: 'x', type: 'numeric', impute: { strategy: 'constant', value: -1 } }] },
      training.map((x) => ({ x })),
    );
    expect(declared.toJSON().columns[0]).toMatchObject({
      impute: { strategy: 'constant', value: -1 },
    });
    const byDefault = fitPipeline(
      { columns: [{ name: 'x', type: 'numeric', impute: { strategy: 'constant' } }] },
      training.map((x) => ({ x })),
    );
    expect(byDefault.toJSON().columns[0]).toMatchObject({ impute: { value: 0 } });
  });

  it('refuses a constant that is not a number', () => {
    expect(() =>
      fitPipeline(
        {
          columns: [
            { name: 'x', type: 'numeric', impute: { strategy: 'constant', value: 'none' } },
          ],
        },
        [{ x: 1 }],
      ),
    ).toThrow(FeatureFitError);
  });
});

describe('out-of-range values', () => {
  // Training [0, 10]: mean 5, std 5.
  it('extrapolates by default and reports the value', () => {
    const pipeline = fitX([0, 10]);
    const { values, issues } = pipeline.transform({ x: 20 });
    expect([...values]).toEqual([3]);
    expect(issues).toEqual([{ row: 0, column: 'x', kind: 'out_of_range' }]);
    expect(pipeline.toJSON().columns[0]).toMatchObject({
      outOfRange: 'extrapolate',
      observed: { min: 0, max: 10 },
    });
  });

  it('clips to the training min / max under clip, and reports the value', () => {
    const pipeline = fitX([0, 10], { outOfRange: 'clip' });
    const high = pipeline.transform({ x: 20 });
    expect([...high.values]).toEqual([1]);
    expect(high.issues).toEqual([{ row: 0, column: 'x', kind: 'out_of_range' }]);
    expect([...pipeline.transform({ x: -30 }).values]).toEqual([-1]);
    expect(pipeline.transform({ x: 10 }).issues).toEqual([]);
  });
});

describe('minmax', () => {
  it('maps the training range onto [0, 1] and extrapolates without clip', () => {
    const pipeline = fitX([0, 5, 10], { transform: { kind: 'minmax' } });
    expect(outputs([5, 15, -5], pipeline)).toEqual([[0.5], [1.5], [-0.5]]);
  });

  it('clamps the output to [0, 1] with clip on', () => {
    const pipeline = fitX([0, 5, 10], { transform: { kind: 'minmax', clip: true } });
    expect(outputs([2.5, 15, -5], pipeline)).toEqual([[0.25], [1], [0]]);
    expect(pipeline.transform({ x: 15 }).issues).toEqual([
      { row: 0, column: 'x', kind: 'out_of_range' },
    ]);
  });

  it('maps a constant column to 0', () => {
    expect(outputs([3], fitX([3, 3], { transform: { kind: 'minmax' } }))).toEqual([[0]]);
  });
});

describe('robust', () => {
  it('centres on the median and divides by the interquartile range', () => {
    // 1, 2, 3, 4, 100: q25 = 2, median = 3, q75 = 4 (linear interpolation), IQR = 2
    const pipeline = fitX([1, 2, 3, 4, 100], { transform: { kind: 'robust' } });
    expect(outputs([1, 3, 100], pipeline)).toEqual([[-1], [0], [48.5]]);
  });

  it('scales by 1 when the IQR is 0', () => {
    const pipeline = fitX([5, 5, 5, 5, 9], { transform: { kind: 'robust' } });
    expect(pipeline.toJSON().columns[0]).toMatchObject({ transform: { median: 5, iqr: 0 } });
    expect(outputs([9, 5], pipeline)).toEqual([[4], [0]]);
  });
});

describe('log1p', () => {
  it('outputs log(1 + x)', () => {
    const pipeline = fitX([0, 1, 9], { transform: { kind: 'log1p' } });
    const rows = outputs([0, 1, 9], pipeline);
    expect(rows[0]).toEqual([0]);
    expect(rows[1]![0]).toBeCloseTo(Math.LN2, 6); // log(1 + 1)
    expect(rows[2]![0]).toBeCloseTo(Math.LN10, 6); // log(1 + 9)
  });

  it('refuses a negative training value, naming the column, row and value', () => {
    const fit = () =>
      fitPipeline({ columns: [{ name: 'Debt', type: 'numeric', transform: { kind: 'log1p' } }] }, [
        { Debt: 3 },
        { Debt: -2 },
      ]);
    expect(fit).toThrow(FeatureFitError);
    expect(fit).toThrow('column "Debt": log1p needs values ≥ 0, but training row 1 holds -2');
    try {
      fit();
    } catch (error) {
      expect((error as FeatureFitError).column).toBe('Debt');
      expect((error as FeatureFitError).code).toBe('TANDEM_FEATURES_FIT_FAILED');
    }
  });

  it('clips a negative value to 0 at transform, under either rule, with an out_of_range issue', () => {
    for (const outOfRange of ['extrapolate', 'clip'] as const) {
      const pipeline = fitX([2, 4], { transform: { kind: 'log1p' }, outOfRange });
      const { values, issues } = pipeline.transform({ x: -3 });
      expect([...values]).toEqual([outOfRange === 'clip' ? Math.fround(Math.log1p(2)) : 0]);
      expect(issues).toEqual([{ row: 0, column: 'x', kind: 'out_of_range' }]);
    }
  });
});

describe('bucketize', () => {
  it('one-hot encodes the quantile bucket', () => {
    // 1..8: quantiles 0.25, 0.5, 0.75 by linear interpolation are 2.75, 4.5, 6.25
    const pipeline = fitX([1, 2, 3, 4, 5, 6, 7, 8], {
      transform: { kind: 'bucketize', buckets: 4 },
    });
    expect(pipeline.toJSON().columns[0]).toMatchObject({ transform: { edges: [2.75, 4.5, 6.25] } });
    expect(pipeline.outputNames).toEqual(['x:bucket0', 'x:bucket1', 'x:bucket2', 'x:bucket3']);
    expect(outputs([1, 3, 4.5, 8, 100], pipeline)).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 1],
    ]);
  });

  it('refuses a bucket count below 2', () => {
    expect(() => fitX([1, 2], { transform: { kind: 'bucketize', buckets: 1 } })).toThrow(
      'bucketize needs an integer number of buckets in [2, 1000], got 1',
    );
  });
});
