import { describe, expect, it } from 'vitest';
import { FeatureFitError, FeatureInputError, fitPipeline } from '../src/index.ts';

function fitFlag(
  values: readonly unknown[],
  impute?: { strategy: 'most_frequent' | 'constant' | 'mean'; value?: unknown },
) {
  return fitPipeline(
    {
      columns: [
        {
          name: 'flag',
          type: 'boolean',
          ...(impute && { impute: impute as { strategy: 'constant' } }),
        },
      ],
    },
    values.map((flag) => ({ flag })),
  );
}

describe('boolean', () => {
  it('accepts true/false, yes/no in any case, 1/0 numbers and strings', () => {
    const pipeline = fitFlag([true, false]);
    const accepted = [
      true,
      'true',
      'TRUE',
      'Yes',
      'yes',
      1,
      '1',
      false,
      'False',
      'no',
      'NO',
      0,
      '0',
    ];
    const batch = pipeline.transformBatch(accepted.map((flag) => ({ flag })));
    expect([...batch.values]).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(batch.issues).toEqual([]);
  });

  it('refuses other values as the wrong type', () => {
    const pipeline = fitFlag([true, false]);
    for (const flag of ['maybe', 2, 'y', ' yes', {}]) {
      expect(() => pipeline.transform({ flag })).toThrow(FeatureInputError);
    }
    expect(() => pipeline.transform({ flag: 'maybe' })).toThrow(
      'row 0, column "flag": expected true/false, yes/no or 1/0, got "maybe"',
    );
  });

  it('imputes the most frequent value, false on a tie', () => {
    expect([...fitFlag(['yes', 'yes', 'no', null]).transform({ flag: null }).values]).toEqual([1]);
    expect([...fitFlag(['yes', 'no', null]).transform({ flag: null }).values]).toEqual([0]);
    const state = fitFlag(['yes', 'yes', 'no', null]).toJSON().columns[0];
    expect(state).toMatchObject({ trueCount: 2, falseCount: 1, missing: 1, impute: { value: 1 } });
  });

  it('imputes a declared constant and refuses numeric strategies', () => {
    expect([
      ...fitFlag(['no', 'no'], { strategy: 'constant', value: 'yes' }).transform({ flag: '' })
        .values,
    ]).toEqual([1]);
    expect(() => fitFlag(['no'], { strategy: 'mean' })).toThrow(FeatureFitError);
  });

  it('fits an all-missing column as false, with a note', () => {
    const pipeline = fitFlag([null, '']);
    expect([...pipeline.transform({ flag: null }).values]).toEqual([0]);
    expect(pipeline.notes).toEqual([
      'column "flag": every training value is missing (2 rows); imputed with false (0)',
    ]);
  });
});
