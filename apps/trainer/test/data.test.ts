import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../src/data/load.ts';
import { profileRows } from '../src/data/profile.ts';
import { readTable } from '../src/data/read.ts';
import { DATA, tempDir } from './support.ts';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir('data'));
});
afterAll(() => remove());

describe('readTable', () => {
  it('reads CSV cells as strings, empty cells as null, and hashes the bytes', async () => {
    const file = path.join(DATA, 'cars.csv');
    const table = await readTable(file);
    expect(table.columns).toEqual([
      'Name',
      'Miles_per_Gallon',
      'Cylinders',
      'Displacement',
      'Horsepower',
      'Weight_in_lbs',
      'Acceleration',
      'Year',
      'Origin',
    ]);
    expect(table.rows).toHaveLength(406);
    expect(table.rows[0]).toEqual({
      Name: 'chevrolet chevelle malibu',
      Miles_per_Gallon: '18',
      Cylinders: '8',
      Displacement: '307',
      Horsepower: '130',
      Weight_in_lbs: '3504',
      Acceleration: '12',
      Year: '1970-01-01',
      Origin: 'USA',
    });
    expect(table.rows[10]?.['Miles_per_Gallon']).toBeNull();
    expect(table.sha256).toBe(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  });

  it('reads NDJSON objects and names the line of a bad one', async () => {
    const file = path.join(dir, 'rows.ndjson');
    await writeFile(file, '{"a": 1, "b": "x"}\n\n{"a": 2, "c": true}\n');
    const table = await readTable(file);
    expect(table.columns).toEqual(['a', 'b', 'c']);
    expect(table.rows).toEqual([
      { a: 1, b: 'x' },
      { a: 2, c: true },
    ]);
    const bad = path.join(dir, 'bad.jsonl');
    await writeFile(bad, '{"a": 1}\n{"a": \n');
    await expect(readTable(bad)).rejects.toThrow(/bad\.jsonl: line 2: invalid JSON/);
    const array = path.join(dir, 'array.jsonl');
    await writeFile(array, '[1, 2]\n');
    await expect(readTable(array)).rejects.toThrow(/line 1: expected a JSON object/);
  });

  it('refuses a CSV header that names a column twice instead of dropping one', async () => {
    const file = path.join(dir, 'twice.csv');
    await writeFile(file, 'a,b,a\n1,2,3\n');
    await expect(readTable(file)).rejects.toMatchObject({
      code: 'TANDEM_DATA_INVALID',
      message: expect.stringMatching(/twice\.csv: line 1: the CSV header names column "a" twice$/),
    });
  });

  it('names the file and line of a malformed CSV', async () => {
    const file = path.join(dir, 'ragged.csv');
    await writeFile(file, 'a,b\n1,2\n3,4,5\n');
    await expect(readTable(file)).rejects.toMatchObject({
      code: 'TANDEM_DATA_INVALID',
      message: expect.stringMatching(/ragged\.csv: .*line 3/),
    });
  });
});

describe('loadDataset', () => {
  it('drops and counts rows without a target, keeping their file row numbers', async () => {
    const dataset = await loadDataset(
      {
        data: path.join(DATA, 'cars.csv'),
        target: 'Miles_per_Gallon',
        task: 'regression',
        drop: ['Name'],
        features: {},
      },
      { profile: false },
    );
    expect(dataset.rows).toHaveLength(398);
    expect(dataset.rowsWithoutTarget).toBe(8);
    expect(dataset.rowNumbers.slice(8, 12)).toEqual([8, 9, 15, 16]);
    expect(dataset.profile).toBeNull();
  });
});

describe('profileRows (danfo.js)', () => {
  it('types columns, counts missing values and describes numeric columns', async () => {
    const table = await readTable(path.join(DATA, 'credit.csv'));
    const profile = await profileRows(table.columns, table.rows);
    expect(profile.rows).toBe(4454);
    expect(profile.dtypes['Status']).toBe('string');
    expect(profile.dtypes['Home']).toBe('string');
    expect(['int32', 'float32']).toContain(profile.dtypes['Income']);
    expect(profile.missing).toMatchObject({
      Income: 381,
      Assets: 47,
      Debt: 18,
      Home: 6,
      Job: 2,
      Marital: 1,
      Age: 0,
    });
    const income = profile.describe['Income'];
    expect(income?.['count']).toBe(4454 - 381);
    const ages = table.rows.map((row) => Number(row['Age']));
    expect(profile.describe['Age']?.['mean']).toBeCloseTo(
      ages.reduce((s, x) => s + x, 0) / ages.length,
      6,
    );
    expect(profile.describe['Age']?.['min']).toBe(Math.min(...ages));
    expect(profile.describe['Status']).toBeUndefined();
  });

  it('marks an all-missing column as empty', async () => {
    const profile = await profileRows(
      ['a', 'b'],
      [
        { a: '1', b: null },
        { a: '2', b: '' },
      ],
    );
    expect(profile.dtypes['b']).toBe('empty');
    expect(profile.missing['b']).toBe(2);
    expect(profile.describe['a']?.['mean']).toBe(1.5);
  });
});

describe('profileRows with prototype names', () => {
  it('profiles columns named __proto__, constructor and toString like any other', async () => {
    const { profileRows } = await import('../src/data/profile.ts');
    // Object literals treat __proto__ specially: build the rows as a CSV reader does.
    const csvRows = [
      ['a', '1', 'x'],
      ['b', '2', null],
    ].map(([proto, ctor, str]) => {
      const row: Record<string, unknown> = Object.create(null);
      row['__proto__'] = proto;
      row['constructor'] = ctor;
      row['toString'] = str;
      return row;
    });
    const profile = await profileRows(['__proto__', 'constructor', 'toString'], csvRows);
    expect(Object.keys(profile.dtypes)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(profile.dtypes['__proto__']).toBe('string');
    expect(profile.missing['toString']).toBe(1);
    expect(profile.describe['constructor']?.['mean']).toBe(1.5);
  });
});
