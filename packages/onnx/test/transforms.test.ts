import type { BooleanColumnState, FittedPipeline, RawRow } from '@tandem/features';
import { describe, expect, it } from 'vitest';
import { exportFeatureGraph, graphInputOf } from '../src/index.ts';
import { categorical, datetime, numeric, pipelineOf, UNSCALED_PARTS } from './columns.ts';
import { differences, maxAbsDelta, runOnRows } from './support.ts';

// Each transform of a hand-made pipeline state, run through the exported feature graph in ONNX
// Runtime and compared value by value with FittedPipeline.transformBatch on the same raw rows.

const NUMBERS: unknown[] = [
  -1e6,
  -5,
  -0.5,
  0,
  0.1,
  2.5,
  4.5,
  7.25,
  10,
  12,
  1e6,
  null,
  '',
  ' 3.5 ',
  '8',
];

/** Graph features and Tandem's on the rows; returns the largest |delta| after checking shape. */
async function compare(
  pipeline: FittedPipeline,
  rows: RawRow[],
): Promise<{ onnx: Float32Array; tandem: Float32Array }> {
  const inputs = pipeline.toJSON().columns.map(graphInputOf);
  const out = await runOnRows(exportFeatureGraph(pipeline), inputs, rows);
  const features = out.features;
  expect(features?.dims).toEqual([rows.length, pipeline.width]);
  const tandem = pipeline.transformBatch(rows).values;
  return { onnx: features!.data as Float32Array, tandem };
}

async function expectIdentical(pipeline: FittedPipeline, rows: RawRow[]): Promise<void> {
  const { onnx, tandem } = await compare(pipeline, rows);
  expect(differences(onnx, tandem)).toEqual([]);
}

describe('numeric transforms', () => {
  const rows = NUMBERS.map((x) => ({ x }));

  it('standardize with a missing indicator, extrapolating out of range', async () => {
    await expectIdentical(pipelineOf([numeric({})]), rows);
  });

  it('standardize, clipping to the training range', async () => {
    await expectIdentical(pipelineOf([numeric({ outOfRange: 'clip' })]), rows);
  });

  it('robust, and an iqr of 0 that scales by 1', async () => {
    await expectIdentical(
      pipelineOf([
        numeric({ transform: { kind: 'robust', median: 3, iqr: 4.5 } }),
        numeric({ name: 'y', transform: { kind: 'robust', median: 3, iqr: 0 } }),
      ]),
      NUMBERS.map((x) => ({ x, y: x })),
    );
  });

  it('min-max without and with clip', async () => {
    await expectIdentical(
      pipelineOf([
        numeric({ transform: { kind: 'minmax', min: 0, max: 10, clip: false } }),
        numeric({ name: 'y', transform: { kind: 'minmax', min: 0, max: 10, clip: true } }),
      ]),
      NUMBERS.map((x) => ({ x, y: x })),
    );
  });

  it('log1p: negative values out of range become 0, values in a negative range are kept', async () => {
    const pipeline = pipelineOf([
      numeric({ transform: { kind: 'log1p' } }),
      numeric({ name: 'y', transform: { kind: 'log1p' }, observed: { min: -0.75, max: 10 } }),
      numeric({ name: 'z', transform: { kind: 'log1p' }, outOfRange: 'clip' }),
    ]);
    const values = [...NUMBERS, 1e-12, 3e-9, 0.001, -0.7];
    const { onnx, tandem } = await compare(
      pipeline,
      values.map((x) => ({ x, y: x, z: x })),
    );
    // No log1p operator: log(u)·x/(u−1) agrees with Math.log1p to a few ulps of a double.
    expect(maxAbsDelta(onnx, tandem)).toBeLessThanOrEqual(1e-7);
    expect(differences(onnx, tandem).length).toBeLessThanOrEqual(1);
  });

  it('quantile buckets, repeated edges and a missing value under impute "none"', async () => {
    await expectIdentical(
      pipelineOf([
        numeric({ transform: { kind: 'bucketize', edges: [1, 5, 5, 9] } }),
        numeric({
          name: 'y',
          transform: { kind: 'bucketize', edges: [2.5] },
          impute: { strategy: 'none', value: 0 },
        }),
      ]),
      [...NUMBERS, 1, 5, 9, 4.999999].map((x) => ({ x, y: x })),
    );
  });

  it('identity with impute "none" (tree encoding) keeps NaN', async () => {
    await expectIdentical(
      pipelineOf([
        numeric({
          transform: { kind: 'identity' },
          impute: { strategy: 'none', value: 0 },
          missingIndicator: false,
        }),
      ]),
      rows,
    );
  });

  it('a column with no training value is the constant of its impute value', async () => {
    await expectIdentical(
      pipelineOf([numeric({ observed: null, impute: { strategy: 'constant', value: 0 } })]),
      rows,
    );
  });

  it('a constant impute value outside the training range is not clipped', async () => {
    await expectIdentical(
      pipelineOf([numeric({ outOfRange: 'clip', impute: { strategy: 'constant', value: -999 } })]),
      rows,
    );
  });
});

describe('categorical encodings', () => {
  const values: unknown[] = [
    'rent',
    'owner',
    'parents',
    'boat',
    'Rent',
    '',
    '   ',
    null,
    undefined,
    'priv',
    'other',
  ];
  const rows = values.map((c) => ({ c }));

  it('one-hot, unknown "ignore": unseen levels are all zeros, blank text is missing', async () => {
    await expectIdentical(pipelineOf([categorical({})]), rows);
  });

  it('one-hot, unknown "other", rare levels sharing the other slot and imputed to it', async () => {
    await expectIdentical(
      pipelineOf([
        categorical({
          rare: ['priv', 'other'],
          rareCounts: [1, 1],
          impute: { strategy: 'most_frequent', value: 'priv' },
          encoding: { kind: 'onehot', unknown: 'other', other: true },
        }),
      ]),
      rows,
    );
  });

  it('one-hot with an other slot but unknown "ignore"', async () => {
    await expectIdentical(
      pipelineOf([
        categorical({
          rare: ['priv'],
          rareCounts: [1],
          encoding: { kind: 'onehot', unknown: 'ignore', other: true },
          missingIndicator: false,
        }),
      ]),
      rows,
    );
  });

  it('ordinal, with an unknown value and a missing value imputed', async () => {
    await expectIdentical(
      pipelineOf([
        categorical({ encoding: { kind: 'ordinal', unknownValue: -1 } }),
        categorical({
          name: 'k',
          encoding: { kind: 'ordinal', unknownValue: 0.1 },
          impute: { strategy: 'constant', value: null },
        }),
      ]),
      values.map((c) => ({ c, k: c })),
    );
  });

  it('tree codes: rare, unseen and missing values are NaN', async () => {
    await expectIdentical(
      pipelineOf([
        categorical({
          rare: ['priv'],
          rareCounts: [1],
          impute: { strategy: 'none', value: null },
          encoding: { kind: 'codes' },
          missingIndicator: false,
        }),
      ]),
      rows,
    );
  });

  it('a column with no level: every value is unseen or missing', async () => {
    await expectIdentical(
      pipelineOf([
        categorical({ levels: [], counts: [], impute: { strategy: 'most_frequent', value: null } }),
      ]),
      rows,
    );
  });
});

describe('booleans', () => {
  it('enter as bool, 1 / 0; a missing indicator is always 0', async () => {
    const state: BooleanColumnState = {
      name: 'b',
      type: 'boolean',
      nullable: true,
      missingIndicator: true,
      missing: 2,
      trueCount: 4,
      falseCount: 4,
      impute: { strategy: 'most_frequent', value: 1 },
    };
    await expectIdentical(
      pipelineOf([state]),
      [true, false, 'yes', 'no', 1, 0, 'TRUE'].map((b) => ({ b })),
    );
  });
});

describe('datetime parts', () => {
  const instants = [
    Date.UTC(1969, 11, 31, 23, 59, 59, 999),
    Date.UTC(1970, 0, 1),
    Date.UTC(2000, 1, 29, 13, 30),
    Date.UTC(2024, 2, 1, 0, 0, 0, 1),
    Date.UTC(1900, 1, 28, 5),
    Date.UTC(1600, 0, 1),
    Date.UTC(2100, 2, 1, 23),
    Date.UTC(2030, 11, 31, 23),
    -62_135_596_800_000,
    1_709_294_400_000.5,
  ];
  const rows: RawRow[] = [
    ...instants.map((d) => ({ d })),
    { d: '2024-03-01' },
    { d: '2024-03-01T12:30:00Z' },
    { d: '2024-03-01 12:30+02:00' },
    { d: '2024-03-01T07:45:10' },
    { d: null },
    { d: '' },
  ];

  it('year, month, day of week and hour, standardized, extrapolating', async () => {
    await expectIdentical(pipelineOf([datetime({})]), rows);
  });

  it('clipped to the training range', async () => {
    await expectIdentical(pipelineOf([datetime({ outOfRange: 'clip' })]), rows);
  });

  it('impute "none" gives NaN parts and no training value gives the impute instant', async () => {
    await expectIdentical(
      pipelineOf([
        datetime({
          impute: { strategy: 'none', value: 0 },
          parts: UNSCALED_PARTS,
        }),
        datetime({ name: 'e', observed: null, missingIndicator: false }),
      ]),
      rows.map((row) => ({ ...row, e: row.d })),
    );
  });
});

describe('refused parts', () => {
  it('names every rule whose only effect in Tandem is to reject a row', () => {
    const pipeline = pipelineOf([
      numeric({ range: { min: 0 } }),
      categorical({ encoding: { kind: 'onehot', unknown: 'reject', other: false } }),
      categorical({ name: 'v', values: ['rent', 'owner', 'parents'] }),
      datetime({ nullable: false }),
    ]);
    let caught: unknown;
    try {
      exportFeatureGraph(pipeline);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: 'TANDEM_EXPORT_UNSUPPORTED',
      parts: [
        'column "x": declared range (a value outside it is an input error in Tandem)',
        'column "c": unknown "reject" (an unseen level is an input error in Tandem)',
        'column "v": declared values (another value is an input error in Tandem)',
        'column "d": nullable false (a missing value is an input error in Tandem)',
      ],
    });
  });
});
