import { describe, expect, it } from 'vitest';
import { readCell } from '../src/values.ts';

describe('readCell: datetime cells read by the features package date rule', () => {
  it.each([
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2020-01-01T10:30:00+02:00', Date.UTC(2020, 0, 1, 8, 30)],
    ['2020-01-01 10:30:15.25z', Date.UTC(2020, 0, 1, 10, 30, 15, 250)],
    // Year first with slashes, as training reads it: not counted as missing.
    ['2001/01/31 00:47', Date.UTC(2001, 0, 31, 0, 47)],
    ['1577836800000', 1_577_836_800_000],
    [1_577_836_800_000, 1_577_836_800_000],
  ])('%s → %d', (raw, ms) => {
    expect(readCell('datetime', raw)).toBe(ms);
  });

  it.each(['2023-02-29', '01/02/2020', 'soon', ''])('%s is missing (NaN)', (raw) => {
    expect(readCell('datetime', raw)).toBeNaN();
  });
});
