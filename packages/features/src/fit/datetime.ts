import { type DateParts, datePartsOf } from '../read/calendar.ts';
import { readDatetime } from '../read/datetime.ts';
import { READ_OK } from '../read/status.ts';
import type { DatetimeColumnState, Standardization } from '../state/types.ts';
import { mean, populationStd } from '../stats.ts';
import type { ColumnSpec, RawRow } from '../types.ts';
import { fittedColumnBase } from './column-base.ts';
import { fitImputedNumbers, observedRange } from './impute-number.ts';

/**
 * Fits a datetime column: the timestamp is imputed like a number (median by default), then
 * year, month, day of week and hour (UTC) are each standardized on the training rows (written
 * unscaled under transform "identity").
 */
export function fitDatetimeColumn(
  spec: ColumnSpec,
  rows: readonly RawRow[],
  notes: string[],
): DatetimeColumnState {
  const { column, impute, filled } = fitImputedNumbers(
    spec,
    rows,
    readDatetime,
    readConstantDatetime,
    notes,
  );
  const year = new Float64Array(filled.length);
  const month = new Float64Array(filled.length);
  const dayOfWeek = new Float64Array(filled.length);
  const hour = new Float64Array(filled.length);
  const parts: DateParts = { year: 0, month: 0, dayOfWeek: 0, hour: 0 };
  for (let i = 0; i < filled.length; i++) {
    datePartsOf(filled[i]!, parts);
    year[i] = parts.year;
    month[i] = parts.month;
    dayOfWeek[i] = parts.dayOfWeek;
    hour[i] = parts.hour;
  }
  const state: DatetimeColumnState = {
    ...fittedColumnBase(spec, 'datetime', column.missing),
    observed: observedRange(column),
    impute,
    outOfRange: spec.outOfRange ?? 'extrapolate',
    parts:
      spec.transform?.kind === 'identity'
        ? { year: IDENTITY, month: IDENTITY, dayOfWeek: IDENTITY, hour: IDENTITY }
        : {
            year: standardization(year),
            month: standardization(month),
            dayOfWeek: standardization(dayOfWeek),
            hour: standardization(hour),
          },
  };
  if (spec.range !== undefined) state.range = spec.range;
  return state;
}

/** Parts written as they are (tree encoding): (x - 0) / 1 is x exactly. */
const IDENTITY: Standardization = { mean: 0, std: 1 };

function standardization(values: Float64Array): Standardization {
  const center = mean(values);
  return { mean: center, std: populationStd(values, center) };
}

function readConstantDatetime(value: unknown): number | undefined {
  const cell = { value: 0 };
  return readDatetime(value, cell) === READ_OK ? cell.value : undefined;
}
