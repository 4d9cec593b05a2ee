import { daysFromCivil, daysInMonth, MS_PER_DAY } from './calendar.ts';
import type { NumberCell } from './number.ts';
import { readNumericString } from './number.ts';
import {
  isBlank,
  READ_ABSENT,
  READ_EMPTY,
  READ_NOT_FINITE,
  READ_NULL,
  READ_OK,
  READ_WRONG_TYPE,
  type ReadStatus,
} from './status.ts';

/**
 * Reads a datetime cell as epoch milliseconds: a number is epoch ms; a string is an ISO-8601 date
 * ("2024-03-01", "2024-03-01T12:30:00Z", "2024-03-01 12:30+02:00") or, failing that, a numeric
 * string of epoch ms. A date-time without an offset is read as UTC, so results never depend on
 * the machine's time zone.
 */
export function readDatetime(raw: unknown, cell: NumberCell): ReadStatus {
  if (typeof raw === 'number') {
    if (raw - raw !== 0) return READ_NOT_FINITE;
    cell.value = raw;
    return READ_OK;
  }
  if (typeof raw === 'string') {
    if (isBlank(raw)) return READ_EMPTY;
    const epochMs = parseIsoDate(raw);
    if (!Number.isNaN(epochMs)) {
      cell.value = epochMs;
      return READ_OK;
    }
    return readNumericString(raw, cell);
  }
  if (raw === undefined) return READ_ABSENT;
  if (raw === null) return READ_NULL;
  return READ_WRONG_TYPE;
}

/**
 * `YYYY-MM-DD[(T| )hh:mm[:ss[.fraction]]][Z|±hh[:mm]]` → epoch ms, or NaN when the text is not
 * such a date or names an impossible one (2023-02-30, 25:00). The date may also be written
 * `YYYY/MM/DD` (both separators alike): year first, it reads one way only, unlike 01/02/2020.
 */
export function parseIsoDate(text: string): number {
  const n = text.length;
  const separator4 = text.charCodeAt(4);
  if (n < 10 || (separator4 !== 45 && separator4 !== 47) || text.charCodeAt(7) !== separator4) {
    return Number.NaN;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return Number.NaN;
  }
  let ms = daysFromCivil(year, month, day) * MS_PER_DAY;
  if (n === 10) return ms;

  const separator = text.charCodeAt(10);
  if (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) return Number.NaN;
  if (n < 16 || text.charCodeAt(13) !== 58 /* : */) return Number.NaN;
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN;
  ms += hour * 3_600_000 + minute * 60_000;
  let i = 16;
  if (i < n && text.charCodeAt(i) === 58) {
    const second = digitsAt(text, i + 1, 2);
    if (second < 0 || second > 59) return Number.NaN;
    ms += second * 1000;
    i += 3;
    if (i < n && text.charCodeAt(i) === 46 /* . */) {
      i++;
      let scale = 100;
      const start = i;
      while (i < n && isDigit(text.charCodeAt(i))) {
        ms += (text.charCodeAt(i) - 48) * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return Number.NaN;
    }
  }
  if (i === n) return ms;
  const zone = text.charCodeAt(i);
  if ((zone === 90 /* Z */ || zone === 122) && i + 1 === n) return ms;
  if (zone !== 43 && zone !== 45) return Number.NaN;
  const offsetHours = digitsAt(text, i + 1, 2);
  let offsetMinutes = 0;
  let end = i + 3;
  if (end < n) {
    if (text.charCodeAt(end) === 58) end++;
    offsetMinutes = digitsAt(text, end, 2);
    end += 2;
  }
  if (end !== n || offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) {
    return Number.NaN;
  }
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  // "+02:00" means local time is ahead of UTC: subtract to get UTC.
  return zone === 43 ? ms - offsetMs : ms + offsetMs;
}

/** The non-negative integer written with exactly `count` digits at `start`, or -1. */
function digitsAt(text: string, start: number, count: number): number {
  if (start + count > text.length) return -1;
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 48);
  }
  return value;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
