import { describe, expect, it } from 'vitest';
import { FeatureFitError, fitPipeline, inferSchema } from '../src/index.ts';
import { IDENTIFIER_MIN_DISTINCT, IDENTIFIER_SHARE } from '../src/infer.ts';

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

describe('inferSchema: identifier-like text columns', () => {
  // 60 rows: a title that never repeats, a city that does, a number per row.
  const rows = Array.from({ length: 60 }, (_, i) => ({
    title: `Film number ${i}`,
    city: ['Lyon', 'Oslo', 'Lima'][i % 3],
    rank: i,
    half: i < 30 ? `first ${i}` : '',
  }));

  it('leaves out a text column whose values almost never repeat, and says so', () => {
    const { spec, report } = inferSchema(rows);
    expect(spec.columns.map((column) => column.name)).toEqual(['city', 'rank', 'half']);
    expect(report.identifiers).toEqual([
      {
        name: 'title',
        reason:
          'identifier-like: 100.0 % of 60 non-empty values are distinct; 60 distinct strings; ' +
          '60 of 60 non-empty values are not numbers (e.g. "Film number 0")',
      },
    ]);
    expect(report.text.split('\n')[0]).toMatch(/; left out as identifiers: title$/);
    expect(report.text).toMatch(
      /title +left out +identifier-like.*\(name it under "features" to keep it\)/,
    );
  });

  it('keeps it when an override names it, and keeps numbers and columns under the minimum', () => {
    const { spec } = inferSchema(rows, { overrides: { title: {} } });
    expect(spec.columns.map((column) => column.name)).toEqual(['title', 'city', 'rank', 'half']);
    // 30 distinct values (all of the non-empty ones) are fewer than IDENTIFIER_MIN_DISTINCT.
    expect(spec.columns.find((column) => column.name === 'half')?.type).toBe('categorical');
    expect(IDENTIFIER_MIN_DISTINCT).toBe(50);
    expect(IDENTIFIER_SHARE).toBe(0.95);
  });

  it('names the identifiers when they were the only columns', () => {
    expect(() => inferSchema(rows.map(({ title }) => ({ title })))).toThrow(
      /no input column \(left out as identifiers: title; name one under "features" to keep it\)/,
    );
  });
});
