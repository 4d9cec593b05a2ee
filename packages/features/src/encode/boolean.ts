import { readBoolean } from '../read/boolean.ts';
import { READ_OK } from '../read/status.ts';
import type { BooleanColumnState } from '../state/types.ts';
import type { ColumnEncoder, CompiledColumn, FastPath } from './column-encoder.ts';
import { imputesMissing } from './report.ts';

export function compileBoolean(state: BooleanColumnState, columnOffset: number): CompiledColumn {
  const { name, missingIndicator } = state;
  const imputeValue = state.impute.strategy === 'none' ? Number.NaN : state.impute.value;
  const cell = { value: 0 };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readBoolean(raw, cell);
    let value: number;
    let missing = 0;
    if (status === READ_OK) {
      value = cell.value;
    } else if (imputesMissing(state, status, raw, rowIndex, report)) {
      value = imputeValue;
      missing = 1;
    } else {
      return false;
    }
    out[rowOffset + columnOffset] = value;
    if (missingIndicator) out[rowOffset + columnOffset + 1] = missing;
    return true;
  };

  const outputNames = missingIndicator ? [name, `${name}:missing`] : [name];
  const fastPath: FastPath = {
    kind: 'boolean',
    at: columnOffset,
    indicatorAt: missingIndicator ? columnOffset + 1 : -1,
  };
  return { width: outputNames.length, outputNames, encode, fastPath };
}
