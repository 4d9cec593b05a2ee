import { describe, expect, it } from 'vitest';
import {
  type CategoricalTransform,
  FeatureFitError,
  FeatureInputError,
  fitPipeline,
  type ImputeStrategy,
} from '../src/index.ts';

// Counts a: 3, b: 2, c: 1, one missing value (imputed as "a", the most frequent: a: 4).
const TRAINING = ['b', 'a', 'c', 'a', 'b', 'a', null];

function fitColor(
  transform?: CategoricalTransform,
  values: readonly unknown[] = TRAINING,
  impute?: { strategy: ImputeStrategy; value?: string },
) {
  return fitPipeline(
    {
      columns: [
        {
          name: 'color',
          type: 'categorical',
          ...(transform && { transform }),
          ...(impute && { impute }),
        },
      ],
    },
    values.map((color) => ({ color })),
  );
}

function row(pipeline: ReturnType<typeof fitColor>, color: unknown): number[] {
  return [...pipeline.transform({ color }).values];
}

describe('one-hot (the default)', () => {
  it('orders levels by frequency, then lexicographically, and imputes the most frequent', () => {
    const pipeline = fitColor();
    expect(pipeline.outputNames).toEqual(['color=a', 'color=b', 'color=c']);
    expect(row(pipeline, 'a')).toEqual([1, 0, 0]);
    expect(row(pipeline, 'c')).toEqual([0, 0, 1]);
    expect(pipeline.transform({ color: null })).toEqual({
      values: new Float32Array([1, 0, 0]),
      issues: [{ row: 0, column: 'color', kind: 'missing' }],
    });
    expect(pipeline.toJSON().columns[0]).toMatchObject({
      levels: ['a', 'b', 'c'],
      counts: [4, 2, 1],
      impute: { strategy: 'most_frequent', value: 'a' },
      encoding: { kind: 'onehot', unknown: 'ignore', other: false },
    });
    expect(pipeline.inputSchema[0]).toEqual({
      name: 'color',
      type: 'categorical',
      nullable: true,
      levels: ['a', 'b', 'c'],
    });
  });

  it('breaks frequency ties by code-unit order, whatever the input order', () => {
    expect(fitColor(undefined, ['y', 'x', 'Z']).outputNames).toEqual([
      'color=Z',
      'color=x',
      'color=y',
    ]);
    expect(fitColor(undefined, ['x', 'Z', 'y']).outputNames).toEqual([
      'color=Z',
      'color=x',
      'color=y',
    ]);
  });

  it('reads numbers and booleans as their string form', () => {
    const pipeline = fitColor(undefined, [1, 2, 2, true]);
    expect(pipeline.outputNames).toEqual(['color=2', 'color=1', 'color=true']);
    expect(row(pipeline, '1')).toEqual([0, 1, 0]);
    expect(row(pipeline, true)).toEqual([0, 0, 1]);
  });

  it('groups levels beyond maxCategories into the "other" slot', () => {
    const pipeline = fitColor({ kind: 'onehot', maxCategories: 2 });
    expect(pipeline.outputNames).toEqual(['color=a', 'color=b', 'color=<other>']);
    expect(row(pipeline, 'c')).toEqual([0, 0, 1]);
    expect(pipeline.transform({ color: 'c' }).issues).toEqual([]);
    expect(pipeline.toJSON().columns[0]).toMatchObject({ rare: ['c'], rareCounts: [1] });
    expect(pipeline.inputSchema[0]!.levels).toEqual(['a', 'b', 'c']);
  });

  it('groups levels seen fewer than minFrequency times (a count, or a fraction of rows)', () => {
    expect(fitColor({ kind: 'onehot', minFrequency: 2 }).outputNames).toEqual([
      'color=a',
      'color=b',
      'color=<other>',
    ]);
    // 0.3 × 7 rows = 2.1: b (2) and c (1) are rare.
    expect(fitColor({ kind: 'onehot', minFrequency: 0.3 }).outputNames).toEqual([
      'color=a',
      'color=<other>',
    ]);
  });

  it('keeps a real level named "other" apart from the <other> slot', () => {
    const pipeline = fitColor({ kind: 'onehot', unknown: 'other' }, ['other', 'x']);
    expect(pipeline.outputNames).toEqual(['color=other', 'color=x', 'color=<other>']);
    expect(row(pipeline, 'other')).toEqual([1, 0, 0]);
    expect(row(pipeline, 'new')).toEqual([0, 0, 1]);
  });
});

describe('unseen levels', () => {
  it('ignore (the default): all zeros and an unseen_category issue', () => {
    const { values, issues } = fitColor().transform({ color: 'purple' });
    expect([...values]).toEqual([0, 0, 0]);
    expect(issues).toEqual([{ row: 0, column: 'color', kind: 'unseen_category' }]);
  });

  it('ignore with rare levels: rare levels go to <other>, unseen ones to zeros', () => {
    const pipeline = fitColor({ kind: 'onehot', maxCategories: 1, unknown: 'ignore' });
    expect(row(pipeline, 'b')).toEqual([0, 1]);
    expect(row(pipeline, 'purple')).toEqual([0, 0]);
  });

  it('other: the shared <other> slot and an unseen_category issue', () => {
    const pipeline = fitColor({ kind: 'onehot', unknown: 'other' });
    expect(pipeline.outputNames).toEqual(['color=a', 'color=b', 'color=c', 'color=<other>']);
    const { values, issues } = pipeline.transform({ color: 'purple' });
    expect([...values]).toEqual([0, 0, 0, 1]);
    expect(issues).toEqual([{ row: 0, column: 'color', kind: 'unseen_category' }]);
  });

  it('reject: an input error naming the row, column, value and known levels', () => {
    const pipeline = fitColor({ kind: 'onehot', unknown: 'reject' });
    expect(() => pipeline.transform({ color: 'purple' })).toThrow(FeatureInputError);
    const batch = pipeline.transformBatch([{ color: 'a' }, { color: 'purple' }], {
      errors: 'collect',
    });
    expect(batch.rejected).toEqual([1]);
    expect([...batch.values]).toEqual([1, 0, 0, 0, 0, 0]);
    expect(batch.errors).toEqual([
      {
        row: 1,
        column: 'color',
        problem: 'unseen_category_rejected',
        expected: 'a level seen in training: one of "a", "b", "c"',
        received: 'purple',
        message:
          'row 1, column "color": expected a level seen in training: one of "a", "b", "c", got "purple"',
      },
    ]);
  });
});

describe('ordinal', () => {
  it('codes levels in encoding order, unseen as -1 by default', () => {
    const pipeline = fitColor({ kind: 'ordinal' });
    expect(pipeline.outputNames).toEqual(['color']);
    expect(['a', 'b', 'c', 'purple', null].map((color) => row(pipeline, color)[0])).toEqual([
      0, 1, 2, -1, 0,
    ]);
    expect(pipeline.transform({ color: 'purple' }).issues).toEqual([
      { row: 0, column: 'color', kind: 'unseen_category' },
    ]);
  });

  it('uses the declared unknownValue', () => {
    expect(row(fitColor({ kind: 'ordinal', unknownValue: 99 }), 'purple')).toEqual([99]);
  });
});

describe('imputation', () => {
  it('constant makes the fill value a level of its own, "<missing>" by default', () => {
    const pipeline = fitColor(undefined, ['a', null, ''], { strategy: 'constant' });
    expect(pipeline.outputNames).toEqual(['color=<missing>', 'color=a']);
    expect(row(pipeline, undefined)).toEqual([1, 0]);
    const named = fitColor(undefined, ['a', null], { strategy: 'constant', value: 'unknown' });
    expect(named.outputNames).toEqual(['color=a', 'color=unknown']);
  });

  it('refuses numeric strategies', () => {
    expect(() => fitColor(undefined, ['a'], { strategy: 'median' })).toThrow(FeatureFitError);
  });

  it('fits an all-missing column: no level, missing encodes as nothing, and a note', () => {
    const pipeline = fitColor(undefined, [null, '']);
    expect(pipeline.width).toBe(0);
    expect(pipeline.notes).toEqual([
      'column "color": every training value is missing (2 rows); a missing value encodes as all zeros',
    ]);
    expect(pipeline.transform({ color: 'x' }).issues).toEqual([
      { row: 0, column: 'color', kind: 'unseen_category' },
    ]);
  });

  it('adds a missing indicator when asked for', () => {
    const pipeline = fitPipeline(
      { columns: [{ name: 'color', type: 'categorical', missingIndicator: true }] },
      TRAINING.map((color) => ({ color })),
    );
    expect(pipeline.outputNames).toEqual(['color=a', 'color=b', 'color=c', 'color:missing']);
    expect(row(pipeline, null)).toEqual([1, 0, 0, 1]);
    expect(row(pipeline, 'b')).toEqual([0, 1, 0, 0]);
  });
});
