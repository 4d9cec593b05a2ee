/**
 * Proleptic Gregorian calendar arithmetic in UTC, without Date objects: the datetime transform
 * runs per row, and Date.UTC maps years 0-99 to 1900-1999.
 */

export const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 for a civil date (month 1-12). H. Hinnant's days_from_civil. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The calendar parts of an epoch-millisecond instant, in UTC. Written into `parts`. */
export interface DateParts {
  year: number;
  /** 1-12 */
  month: number;
  /** 0 = Sunday … 6 = Saturday, as Date.prototype.getUTCDay. */
  dayOfWeek: number;
  /** 0-23 */
  hour: number;
}

export function datePartsOf(epochMs: number, parts: DateParts): void {
  const days = Math.floor(epochMs / MS_PER_DAY);
  parts.hour = Math.floor((epochMs - days * MS_PER_DAY) / 3_600_000);
  // 1970-01-01 was a Thursday (4).
  parts.dayOfWeek = (((days + 4) % 7) + 7) % 7;
  // H. Hinnant's civil_from_days.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  parts.month = month;
  parts.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
}
