import { describe, expect, it } from 'vitest';
import { FeatureFitError, fitPipeline, inferSchema } from '../src/index.ts';

describe('inferSchema', () => {
  const rows = [
    {
      id: 1,
      income: '1200',
      age: 31,
      home: 'rent',
      vip: 'yes',
      joined: '1970-01-01',
      score: '',
      target: 'good',
    },
    {
      id: 2,
      income: ' 950.5 ',
      age: 45,
      home: 'owner',
      vip: 'No',
      joined: '2024-02-29T10:00:00Z',
      score: null,
      target: 'bad',
    },
    { id: 3, income: '', age: 52, home: '7', vip: true, joined: null, target: 'good' },
  ];

  it('infers types by the documented rules and explains each', () => {
    const { spec, report } = inferSchema(rows, { exclude: ['id', 'target'] });
    expect(spec).toEqual({
      columns: [
        { name: 'income', type: 'numeric' },
        { name: 'age', type: 'numeric' },
        { name: 'home', type: 'categorical' },
        { name: 'vip', type: 'boolean' },
        { name: 'joined', type: 'datetime' },
        { name: 'score', type: 'numeric' },
      ],
    });
    expect(report.excluded).toEqual(['id', 'target']);
    expect(report.columns).toEqual([
      {
        name: 'income',
        type: 'numeric',
        missing: 1,
        reason: '2 of 2 non-empty values parse as numbers; 1 missing',
      },
      {
        name: 'age',
        type: 'numeric',
        missing: 0,
        reason: '3 of 3 non-empty values parse as numbers',
      },
      {
        name: 'home',
        type: 'categorical',
        missing: 0,
        reason: '3 distinct strings; 2 of 3 non-empty values are not numbers (e.g. "rent")',
      },
      {
        name: 'vip',
        type: 'boolean',
        missing: 0,
        reason: '3 of 3 non-empty values are true/false or yes/no',
      },
      {
        name: 'joined',
        type: 'datetime',
        missing: 1,
        reason: '2 of 2 non-empty values are ISO-8601 dates; 1 missing',
      },
      {
        name: 'score',
        type: 'numeric',
        missing: 3,
        reason: 'all 3 values are missing: numeric by default (imputed with the constant 0)',
      },
    ]);
    expect(report.text.split('\n')).toEqual([
      'Inferred 6 input columns from 3 rows: 3 numeric, 1 categorical, 1 boolean, 1 datetime; excluded: id, target',
      '  income  numeric      2 of 2 non-empty values parse as numbers; 1 missing',
      '  age     numeric      3 of 3 non-empty values parse as numbers',
      '  home    categorical  3 distinct strings; 2 of 3 non-empty values are not numbers (e.g. "rent")',
      '  vip     boolean      3 of 3 non-empty values are true/false or yes/no',
      '  joined  datetime     2 of 2 non-empty values are ISO-8601 dates; 1 missing',
      '  score   numeric      all 3 values are missing: numeric by default (imputed with the constant 0)',
    ]);
  });

  it('gives a spec that fits and transforms the rows it came from', () => {
    const { spec } = inferSchema(rows, { exclude: ['id', 'target'] });
    const batch = fitPipeline(spec, rows).transformBatch(rows);
    expect(batch.values.every(Number.isFinite)).toBe(true);
  });

  it('treats 1/0 as numbers and a non-date like 2023-02-30 as a category', () => {
    const { spec } = inferSchema([
      { a: '1', b: '2023-02-30' },
      { a: '0', b: '2023-02-01' },
    ]);
    expect(spec.columns.map((c) => c.type)).toEqual(['numeric', 'categorical']);
  });

  it('applies overrides on top and says so', () => {
    const { spec, report } = inferSchema(rows, {
      exclude: ['target'],
      overrides: {
        id: { type: 'categorical' },
        income: { transform: { kind: 'robust' }, nullable: false },
      },
    });
    expect(spec.columns[0]).toEqual({ name: 'id', type: 'categorical' });
    expect(spec.columns[1]).toEqual({
      name: 'income',
      type: 'numeric',
      transform: { kind: 'robust' },
      nullable: false,
    });
    expect(report.columns[0]!.reason).toBe(
      'declared categorical by override (inferred numeric: 3 of 3 non-empty values parse as numbers)',
    );
  });

  it('refuses an override for a column the rows do not have', () => {
    expect(() => inferSchema(rows, { overrides: { incme: { type: 'numeric' } } })).toThrow(
      FeatureFitError,
    );
  });
});
