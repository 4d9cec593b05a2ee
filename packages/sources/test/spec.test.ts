import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { integerCell, pgDateCell, pgTimestampCell } from '../src/cells.ts';
import {
  describeSource,
  hashRows,
  parseSourceSpec,
  RowHasher,
  type SourceError,
} from '../src/index.ts';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return `${(error as SourceError).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('parseSourceSpec', () => {
  it('reads the string forms and the object forms', () => {
    expect(parseSourceSpec('data/credit.parquet', 'data')).toEqual({ file: 'data/credit.parquet' });
    expect(parseSourceSpec('s3://bucket/credit.csv', 'data')).toEqual({
      s3: 's3://bucket/credit.csv',
    });
    expect(parseSourceSpec({ postgres: 'CREDIT_DB', query: 'SELECT 1' }, 'data')).toEqual({
      postgres: 'CREDIT_DB',
      query: 'SELECT 1',
    });
  });

  it('names the field and the problem', () => {
    expect(codeOf(() => parseSourceSpec({ postgres: 'CREDIT_DB' }, 'data'))).toBe(
      'TANDEM_SOURCE_INVALID: data.query: expected a non-empty string, got undefined',
    );
    expect(codeOf(() => parseSourceSpec({ postgres: 'no spaces!', query: 'q' }, 'data'))).toMatch(
      /^TANDEM_SOURCE_INVALID: data\.postgres: expected a postgres:\/\/ URL or the name/,
    );
    expect(
      codeOf(() => parseSourceSpec({ postgres: 'DB', query: 'q', table: 't' }, 'data')),
    ).toMatch(/^TANDEM_SOURCE_INVALID: data\.table: unknown key/);
    expect(codeOf(() => parseSourceSpec(3, 'data'))).toMatch(
      /^TANDEM_SOURCE_INVALID: data: expected/,
    );
  });

  it('never shows a password', () => {
    expect(describeSource({ postgres: 'postgres://ann:secret@db:5432/x', query: 'q' })).toBe(
      'postgres postgres://ann@db:5432/x',
    );
    expect(describeSource({ postgres: 'CREDIT_DB', query: 'q' })).toBe('postgres $CREDIT_DB');
  });
});

describe('cells', () => {
  it('keeps integers exact: a number while safe, else the decimal text', () => {
    expect(integerCell(42n)).toBe(42);
    expect(integerCell(9007199254740991n)).toBe(9007199254740991);
    expect(integerCell(9007199254740993n)).toBe('9007199254740993');
  });

  it("turns PostgreSQL's timestamp text into the ISO form of a Date", () => {
    expect(pgTimestampCell('2024-03-01 12:30:00.123456+00')).toBe('2024-03-01T12:30:00.123Z');
    expect(pgTimestampCell('2024-03-01 12:30:00')).toBe(
      new Date(Date.UTC(2024, 2, 1, 12, 30)).toISOString(),
    );
    expect(pgTimestampCell('infinity')).toBeNull();
    expect(pgTimestampCell('2024-03-01 12:30:00+02')).toBeUndefined();
    expect(pgDateCell('2024-03-01')).toBe('2024-03-01');
  });
});

describe('RowHasher', () => {
  it('hashes the canonical serialization, a missing cell as null', () => {
    const hasher = new RowHasher('SELECT a, b FROM t', ['a', 'b']);
    hasher.add({ a: 1, b: 'x' });
    hasher.add({ a: null });
    expect(hasher.rows).toBe(2);
    // sha256 of: tandem-rows/1\n"SELECT a, b FROM t"\n["a","b"]\n[1,"x"]\n[null,null]\n
    const text = 'tandem-rows/1\n"SELECT a, b FROM t"\n["a","b"]\n[1,"x"]\n[null,null]\n';
    const expected = createHash('sha256').update(text).digest('hex');
    expect(hasher.digest()).toBe(expected);
    expect(
      hashRows(
        'SELECT a, b FROM t',
        ['a', 'b'],
        [
          { a: 1, b: 'x' },
          { a: null, b: null },
        ],
      ),
    );
    expect(hashRows('q', ['a'], [{ a: 1 }])).not.toBe(hashRows('q2', ['a'], [{ a: 1 }]));
  });
});
