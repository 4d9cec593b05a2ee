import { readBoolean } from '../read/boolean.ts';
import { isMissingStatus, READ_OK } from '../read/status.ts';
import type { BooleanColumnState } from '../state/types.ts';
import type { ColumnEncoder, CompiledColumn, FastPath } from './column-encoder.ts';
import { pushIssue, pushReadError } from './report.ts';

export function compileBoolean(state: BooleanColumnState, columnOffset: number): CompiledColumn {
  const { name, nullable, missingIndicator } = state;
  const imputeValue = state.impute.strategy === 'none' ? Number.NaN : state.impute.value;
  const cell = { value: 0 };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readBoolean(raw, cell);
    let value: number;
    let missing = 0;
    if (status === READ_OK) {
      value = cell.value;
    } else if (nullable && isMissingStatus(status)) {
      value = imputeValue;
      missing = 1;
      pushIssue(report, rowIndex, name, 'missing');
    } else {
      pushReadError(report, rowIndex, name, 'boolean', status, raw);
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
