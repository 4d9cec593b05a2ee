import { type DateParts, datePartsOf } from '../read/calendar.ts';
import { readDatetime } from '../read/datetime.ts';
import { READ_OK } from '../read/status.ts';
import type { DatetimeColumnState } from '../state/types.ts';
import { type ColumnEncoder, type CompiledColumn, scaleOf } from './column-encoder.ts';
import { declaredRange } from './declared.ts';
import { imputesMissing } from './report.ts';
import { trainingRangeRule } from './training-range-rule.ts';

export const DATETIME_PARTS = ['year', 'month', 'dow', 'hour'] as const;

export function compileDatetime(state: DatetimeColumnState, columnOffset: number): CompiledColumn {
  const { name, missingIndicator } = state;
  const imputeValue = state.impute.value;
  // Impute strategy 'none' (tree encoding): a missing value writes NaN parts.
  const keepMissing = state.impute.strategy === 'none';
  const declared = declaredRange(state);
  const range = trainingRangeRule(state);
  const { year, month, dayOfWeek, hour } = state.parts;
  const yearMean = year.mean;
  const yearScale = scaleOf(year.std);
  const monthMean = month.mean;
  const monthScale = scaleOf(month.std);
  const dayMean = dayOfWeek.mean;
  const dayScale = scaleOf(dayOfWeek.std);
  const hourMean = hour.mean;
  const hourScale = scaleOf(hour.std);
  const cell = { value: 0 };
  const parts: DateParts = { year: 0, month: 0, dayOfWeek: 0, hour: 0 };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readDatetime(raw, cell);
    let epochMs: number;
    let missing = 0;
    if (status === READ_OK) {
      epochMs = cell.value;
      if (!declared.admits(epochMs, raw, rowIndex, report)) return false;
      epochMs = range.apply(epochMs, rowIndex, report);
    } else if (imputesMissing(state, status, raw, rowIndex, report)) {
      epochMs = imputeValue;
      missing = 1;
      if (keepMissing) {
        const at = rowOffset + columnOffset;
        out[at] = Number.NaN;
        out[at + 1] = Number.NaN;
        out[at + 2] = Number.NaN;
        out[at + 3] = Number.NaN;
        if (missingIndicator) out[at + 4] = 1;
        return true;
      }
    } else {
      return false;
    }
    datePartsOf(epochMs, parts);
    const at = rowOffset + columnOffset;
    out[at] = (parts.year - yearMean) / yearScale;
    out[at + 1] = (parts.month - monthMean) / monthScale;
    out[at + 2] = (parts.dayOfWeek - dayMean) / dayScale;
    out[at + 3] = (parts.hour - hourMean) / hourScale;
    if (missingIndicator) out[at + 4] = missing;
    return true;
  };

  const outputNames: string[] = DATETIME_PARTS.map((part) => `${name}:${part}`);
  if (missingIndicator) outputNames.push(`${name}:missing`);
  return { width: outputNames.length, outputNames, encode };
}
