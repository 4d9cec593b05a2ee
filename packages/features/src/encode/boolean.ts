import { booleanWord, readBoolean } from '../read/boolean.ts';
import { isMissingStatus, READ_OK } from '../read/status.ts';
import type { BooleanColumnState } from '../state/types.ts';
import type { ColumnEncoder, CompiledColumn } from './column-encoder.ts';
import { pushIssue, pushReadError } from './report.ts';

export function compileBoolean(state: BooleanColumnState, columnOffset: number): CompiledColumn {
  const { name, nullable } = state;
  const imputeValue = state.impute.value;
  const indicatorAt = state.missingIndicator ? columnOffset + 1 : -1;
  const cell = { value: 0 };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    // Fast path: a boolean or one of the boolean words. Anything else (missing, blank, a number,
    // invalid) is -1 here and read by the full rule.
    let value =
      typeof raw === 'boolean' ? (raw ? 1 : 0) : typeof raw === 'string' ? booleanWord(raw) : -1;
    let missing = 0;
    if (value < 0) {
      const status = readBoolean(raw, cell);
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
    }
    out[rowOffset + columnOffset] = value;
    if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
    return true;
  };

  const outputNames = state.missingIndicator ? [name, `${name}:missing`] : [name];
  return { width: outputNames.length, outputNames, encode };
}
