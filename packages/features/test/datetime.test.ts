import { describe, expect, it } from 'vitest';
import { FeatureInputError, fitPipeline } from '../src/index.ts';
import { type DateParts, datePartsOf } from '../src/read/calendar.ts';
import { parseIsoDate } from '../src/read/datetime.ts';

describe('ISO-8601 parsing', () => {
  it.each([
    ['1970-01-01', 0],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2020-01-01T00:00:00Z', 1_577_836_800_000],
    ['2020-01-01T10:30', Date.UTC(2020, 0, 1, 10, 30)],
    ['2020-01-01 10:30:15.25', Date.UTC(2020, 0, 1, 10, 30, 15, 250)],
    ['2020-01-01T10:30:00+02:00', Date.UTC(2020, 0, 1, 8, 30)],
    ['2020-01-01T10:30:00-0130', Date.UTC(2020, 0, 1, 12, 0)],
    // Years 0-99 stay as written (Date.UTC would map 50 to 1950).
    ['0050-06-15', Date.parse('0050-06-15T00:00:00.000Z')],
    // Year first with slashes reads one way only.
    ['2001/01/31 00:47', Date.UTC(2001, 0, 31, 0, 47)],
    ['2024/02/29', Date.UTC(2024, 1, 29)],
  ])('%s → %d ms (UTC unless an offset is given)', (text, ms) => {
    expect(parseIsoDate(text)).toBe(ms);
  });

  it.each([
    '2023-02-29',
    '2020-13-01',
    '2020-1-01',
    '2020-01-01T25:00',
    '2020-01-01Tx',
    '01/02/2020',
    '2020/01-02',
    '2020-01/02',
    '2023/02/29',
    '2020',
    'abc',
  ])('refuses %s', (text) => {
    expect(parseIsoDate(text)).toBeNaN();
  });

  it('splits instants into UTC calendar parts exactly as Date does', () => {
    const parts: DateParts = { year: 0, month: 0, dayOfWeek: 0, hour: 0 };
    for (let ms = -5e12; ms < 5e12; ms += 7_919_993_417) {
      datePartsOf(ms, parts);
      const date = new Date(ms);
      expect(parts).toEqual({
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        dayOfWeek: date.getUTCDay(),
        hour: date.getUTCHours(),
      });
    }
  });
});

describe('datetime columns', () => {
  // 2020-01-01T00:00Z: year 2020, month 1, Wednesday (3), hour 0.
  // 2022-07-03T12:00Z: year 2022, month 7, Sunday (0), hour 12.
  // Means / population stds: year 2021 / 1, month 4 / 3, day 1.5 / 1.5, hour 6 / 6.
  const pipeline = fitPipeline({ columns: [{ name: 'at', type: 'datetime' }] }, [
    { at: 1_577_836_800_000 },
    { at: '2022-07-03T12:00:00Z' },
  ]);

  it('expands into standardized year, month, day of week and hour', () => {
    expect(pipeline.outputNames).toEqual(['at:year', 'at:month', 'at:dow', 'at:hour']);
    expect([...pipeline.transform({ at: '2020-01-01' }).values]).toEqual([-1, -1, 1, -1]);
    expect([...pipeline.transform({ at: '2022-07-03T14:00:00+02:00' }).values]).toEqual([
      1, 1, -1, 1,
    ]);
  });

  it('imputes the median instant', () => {
    // Midpoint: 2021-04-02T06:00Z, a Friday (5): year 0, month 0, day (5 - 1.5) / 1.5, hour 0.
    const { values, issues } = pipeline.transform({ at: null });
    expect(values[0]).toBe(0);
    expect(values[1]).toBe(0);
    expect(values[2]).toBeCloseTo(7 / 3, 6);
    expect(values[3]).toBe(0);
    expect(issues).toEqual([{ row: 0, column: 'at', kind: 'missing' }]);
  });

  it('reports instants outside the training range, and clips them under clip', () => {
    expect(pipeline.transform({ at: '2030-01-01' }).issues).toEqual([
      { row: 0, column: 'at', kind: 'out_of_range' },
    ]);
    const clipped = fitPipeline(
      { columns: [{ name: 'at', type: 'datetime', outOfRange: 'clip' }] },
      [{ at: '2020-01-01' }, { at: '2022-07-03T12:00:00Z' }],
    );
    expect([...clipped.transform({ at: '2030-01-01' }).values]).toEqual([1, 1, -1, 1]);
  });

  it('refuses text that is no date', () => {
    expect(() => pipeline.transform({ at: 'yesterday' })).toThrow(
      new FeatureInputError([
        {
          row: 0,
          column: 'at',
          problem: 'wrong_type',
          expected: 'an ISO-8601 date or epoch milliseconds',
          received: 'yesterday',
          message:
            'row 0, column "at": expected an ISO-8601 date or epoch milliseconds, got "yesterday"',
        },
      ]),
    );
  });
});
