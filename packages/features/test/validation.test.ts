import { describe, expect, it } from 'vitest';
import {
  FeatureInputError,
  fitPipeline,
  type InputErrorDetail,
  type PipelineSpec,
  type RawRow,
} from '../src/index.ts';

const SPEC: PipelineSpec = {
  columns: [
    { name: 'Income', type: 'numeric' },
    { name: 'Age', type: 'numeric', nullable: false, range: { min: 18, max: 100 } },
    { name: 'Home', type: 'categorical', values: ['rent', 'owner', 'parents'] },
    { name: 'Job', type: 'categorical', nullable: false },
  ],
};
const TRAINING: RawRow[] = [
  { Income: 100, Age: 30, Home: 'rent', Job: 'fixed' },
  { Income: 300, Age: 50, Home: 'owner', Job: 'freelance' },
];
const pipeline = fitPipeline(SPEC, TRAINING);
const VALID = { Income: 200, Age: 40, Home: 'rent', Job: 'fixed' };

/** The errors of one row, transformed as row 0. */
function errorsOf(patch: Record<string, unknown>, drop: string[] = []): InputErrorDetail[] {
  const row: Record<string, unknown> = { ...VALID, ...patch };
  for (const key of drop) delete row[key];
  const batch = pipeline.transformBatch([row], { errors: 'collect' });
  expect(batch.rejected).toEqual(batch.errors.length > 0 ? [0] : []);
  return batch.errors;
}

describe('validation errors', () => {
  it('wrong_type: text that is not a number', () => {
    expect(errorsOf({ Income: 'abc' })).toEqual([
      {
        row: 0,
        column: 'Income',
        problem: 'wrong_type',
        expected: 'a number',
        received: 'abc',
        message: 'row 0, column "Income": expected a number, got "abc"',
      },
    ]);
  });

  it('wrong_type: an object or an array for a string, a boolean for a number', () => {
    expect(errorsOf({ Job: { title: 'x' } })[0]).toMatchObject({
      problem: 'wrong_type',
      received: '[object]',
      message: 'row 0, column "Job": expected a string, got an object',
    });
    expect(errorsOf({ Job: ['x'] })[0]).toMatchObject({
      received: '[array]',
      message: 'row 0, column "Job": expected a string, got an array',
    });
    expect(errorsOf({ Income: true })[0]).toMatchObject({ problem: 'wrong_type', received: true });
  });

  it('not_finite: NaN and ±Infinity', () => {
    for (const [value, text] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ] as const) {
      expect(errorsOf({ Income: value })).toEqual([
        {
          row: 0,
          column: 'Income',
          problem: 'not_finite',
          expected: 'a finite number',
          received: text,
          message: `row 0, column "Income": expected a finite number, got ${text}`,
        },
      ]);
    }
    expect(errorsOf({ Income: '1e999' })[0]).toMatchObject({ problem: 'not_finite' });
    expect(errorsOf({ Job: Number.NaN })[0]).toMatchObject({ problem: 'not_finite' });
  });

  it('missing_required: an absent or empty value in a non-nullable column', () => {
    expect(errorsOf({}, ['Age'])).toEqual([
      {
        row: 0,
        column: 'Age',
        problem: 'missing_required',
        expected: 'a value (the column is required)',
        received: null,
        message:
          'row 0, column "Age": expected a value (the column is required), got nothing (the column is absent)',
      },
    ]);
    expect(errorsOf({ Job: '' })[0]).toMatchObject({
      column: 'Job',
      problem: 'missing_required',
      received: '',
    });
  });

  it('null_not_allowed: null in a non-nullable column', () => {
    expect(errorsOf({ Age: null })[0]).toMatchObject({
      column: 'Age',
      problem: 'null_not_allowed',
      message:
        'row 0, column "Age": expected a value, not null (the column is not nullable), got null',
    });
  });

  it('out_of_allowed_range and not_allowed_value: declared constraints', () => {
    expect(errorsOf({ Age: 150 })[0]).toMatchObject({
      problem: 'out_of_allowed_range',
      expected: 'a number in [18, 100]',
      received: 150,
      message: 'row 0, column "Age": expected a number in [18, 100], got 150',
    });
    expect(errorsOf({ Home: 'boat' })[0]).toMatchObject({
      problem: 'not_allowed_value',
      message: 'row 0, column "Home": expected one of "rent", "owner", "parents", got "boat"',
    });
    // "parents" is allowed though unseen in training: a warning, not an error.
    expect(errorsOf({ Home: 'parents' })).toEqual([]);
  });

  it('unknown_column: ignored by default, an error under unknownColumns: reject', () => {
    expect(errorsOf({ Extra: 1 })).toEqual([]);
    const strict = fitPipeline({ ...SPEC, unknownColumns: 'reject' }, TRAINING);
    const batch = strict.transformBatch([{ ...VALID, Extra: 1 }], { errors: 'collect' });
    expect(batch.errors).toEqual([
      {
        row: 0,
        column: 'Extra',
        problem: 'unknown_column',
        expected: 'only the declared columns: one of "Income", "Age", "Home", "Job"',
        received: 1,
        message:
          'row 0, column "Extra": unknown column (this pipeline rejects columns it does not declare)',
      },
    ]);
  });

  it('reports every problem of a row, in column order', () => {
    expect(
      errorsOf({ Income: 'x', Age: null, Job: 3.5 }).map((e) => [e.column, e.problem]),
    ).toEqual([
      ['Income', 'wrong_type'],
      ['Age', 'null_not_allowed'],
    ]);
  });

  it('refuses a row that is not an object', () => {
    const batch = pipeline.transformBatch([[1, 2] as unknown as RawRow], { errors: 'collect' });
    expect(batch.errors[0]).toMatchObject({
      row: 0,
      column: '',
      problem: 'wrong_type',
      message: 'row 0: expected an object mapping column names to values, got an array',
    });
  });
});

describe('the numeric-string rule', () => {
  it.each([
    ['42', 42],
    [' 3.5 ', 3.5],
    ['1e3', 1000],
    ['-.5', -0.5],
    ['+2', 2],
    ['7.', 7],
  ])('accepts %j as %d', (text, value) => {
    const number = fitPipeline(
      { columns: [{ name: 'x', type: 'numeric', transform: { kind: 'minmax' } }] },
      [{ x: 0 }, { x: 1 }],
    );
    expect(number.transform({ x: text }).values[0]).toBeCloseTo(value, 6);
  });

  it.each([
    'abc',
    '0x10',
    '1,5',
    'Infinity',
    'NaN',
    '12abc',
    '1e',
    '.',
    '- 1',
  ])('refuses %j as wrong_type', (text) => {
    expect(errorsOf({ Income: text })[0]).toMatchObject({ problem: 'wrong_type', received: text });
  });

  it('treats "" and whitespace as missing', () => {
    for (const text of ['', '   ']) {
      const { values, issues } = pipeline.transform({ ...VALID, Income: text });
      expect(values[0]).toBe(0); // the median of 100 and 300, standardized
      expect(issues).toEqual([{ row: 0, column: 'Income', kind: 'missing' }]);
    }
  });
});

describe('throw and collect modes', () => {
  const rows: RawRow[] = [
    VALID,
    { ...VALID, Income: 'abc' },
    VALID,
    { ...VALID, Age: 5, Home: 'rent', Income: null },
  ];

  it('throws one FeatureInputError carrying every problem of the batch', () => {
    let thrown: unknown;
    try {
      pipeline.transformBatch(rows);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FeatureInputError);
    const error = thrown as FeatureInputError;
    expect(error.code).toBe('TANDEM_INPUT_INVALID');
    expect(error.details.map((d) => [d.row, d.column])).toEqual([
      [1, 'Income'],
      [3, 'Age'],
    ]);
    expect(error.invalidRows).toBe(2);
    expect(error.message).toBe(
      'row 1, column "Income": expected a number, got "abc" (and 1 more problem in 2 rows)',
    );
  });

  it('caps the details at 100 and counts the rest', () => {
    const bad = Array.from({ length: 150 }, () => ({ ...VALID, Income: 'abc' }));
    try {
      pipeline.transformBatch(bad);
      expect.unreachable();
    } catch (error) {
      const inputError = error as FeatureInputError;
      expect(inputError.details).toHaveLength(100);
      expect(inputError.totalProblems).toBe(150);
      expect(inputError.invalidRows).toBe(150);
    }
  });

  it('collects: rejected indices, zeros for those rows, and their warnings withdrawn', () => {
    const out = new Float32Array(rows.length * pipeline.width).fill(9);
    const batch = pipeline.transformBatch(rows, { errors: 'collect', out });
    expect(batch.values).toBe(out);
    expect(batch.rejected).toEqual([1, 3]);
    expect(batch.errors.map((e) => e.row)).toEqual([1, 3]);
    // Row 3 had a missing Income (a warning) but was rejected: the warning is gone.
    expect(batch.issues).toEqual([]);
    const rowValues = (i: number) => [...out.subarray(i * batch.width, (i + 1) * batch.width)];
    expect(rowValues(1).every((v) => v === 0)).toBe(true);
    expect(rowValues(3).every((v) => v === 0)).toBe(true);
    expect(rowValues(0)).toEqual(rowValues(2));
    expect(rowValues(0)).toEqual([...pipeline.transform(VALID).values]);
  });

  it('refuses an out array that is too short', () => {
    expect(() => pipeline.transformBatch(rows, { out: new Float32Array(3) })).toThrow(RangeError);
  });
});
