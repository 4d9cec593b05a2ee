import { type DatetimeColumnState, trainingRange } from '@tandem/features';
import type { GraphBuilder } from '../graph-builder.ts';
import { ELEM } from '../proto.ts';
import { clamp, scaleOf } from './arithmetic.ts';

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/**
 * A datetime column: `t` is double [rows, 1], epoch milliseconds (UTC), NaN for a missing value.
 * Mirrors @tandem/features encode/datetime.ts and read/calendar.ts: the out-of-range rule,
 * imputation, then year, month, day of week and hour by H. Hinnant's civil_from_days in float64
 * (every step an exact integer operation, as in Tandem), each part standardized.
 */
export function datetimeColumn(g: GraphBuilder, state: DatetimeColumnState, t: string): string[] {
  const keepMissing = state.impute.strategy === 'none';
  const { low, high, clip } = trainingRange(state);
  const missing = g.isNaN(t);
  let ms = t;
  if (clip) ms = clamp(g, t, low, high);
  // Impute 'none' (tree encoding): NaN flows through every step, so every part is NaN.
  ms = g.where(missing, g.scalar(keepMissing ? Number.NaN : state.impute.value), ms);

  const c = (value: number) => g.scalar(value);
  const floorDiv = (a: string, b: number) => g.floor(g.div(a, c(b)));
  const days = floorDiv(ms, MS_PER_DAY);
  const hour = floorDiv(g.sub(ms, g.mul(days, c(MS_PER_DAY))), MS_PER_HOUR);
  // 1970-01-01 was a Thursday (4); d - 7 floor(d / 7) is the non-negative remainder.
  const shifted = g.add(days, c(4));
  const dayOfWeek = g.sub(shifted, g.mul(floorDiv(shifted, 7), c(7)));
  const z = g.add(days, c(719_468));
  const era = floorDiv(z, 146_097);
  const dayOfEra = g.sub(z, g.mul(era, c(146_097)));
  const yearOfEra = floorDiv(
    g.sub(
      g.add(g.sub(dayOfEra, floorDiv(dayOfEra, 1460)), floorDiv(dayOfEra, 36_524)),
      floorDiv(dayOfEra, 146_096),
    ),
    365,
  );
  const dayOfYear = g.sub(
    dayOfEra,
    g.sub(g.add(g.mul(c(365), yearOfEra), floorDiv(yearOfEra, 4)), floorDiv(yearOfEra, 100)),
  );
  const shiftedMonth = floorDiv(g.add(g.mul(c(5), dayOfYear), c(2)), 153);
  const month = g.where(
    g.less(shiftedMonth, c(10)),
    g.add(shiftedMonth, c(3)),
    g.sub(shiftedMonth, c(9)),
  );
  const year = g.add(
    g.add(yearOfEra, g.mul(era, c(400))),
    g.where(g.op('LessOrEqual', [month, c(2)]), c(1), c(0)),
  );

  const { parts } = state;
  const standardized = (value: string, stats: { mean: number; std: number }) =>
    g.div(g.sub(value, c(stats.mean)), c(scaleOf(stats.std)));
  const outputs = [
    standardized(year, parts.year),
    standardized(month, parts.month),
    standardized(dayOfWeek, parts.dayOfWeek),
    standardized(hour, parts.hour),
  ];
  if (state.missingIndicator) outputs.push(g.cast(missing, ELEM.DOUBLE));
  return outputs;
}
