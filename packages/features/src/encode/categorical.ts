import { valuesText } from '../expected-values.ts';
import { readCategory } from '../read/category.ts';
import { isBlank, isMissingStatus, READ_OK } from '../read/status.ts';
import type { CategoricalColumnState } from '../state/types.ts';
import type { ColumnEncoder, CompiledColumn, FastPath } from './column-encoder.ts';
import { pushError, pushIssue, pushReadError } from './report.ts';

/** Output name of the shared slot for rare and (with unknown: 'other') unseen levels. */
export const OTHER_LEVEL = '<other>';

export function compileCategorical(
  state: CategoricalColumnState,
  columnOffset: number,
): CompiledColumn {
  switch (state.encoding.kind) {
    case 'onehot':
      return compileOneHot(state, state.encoding, columnOffset);
    case 'ordinal':
      return compileOrdinal(state, state.encoding.unknownValue, columnOffset);
    case 'codes':
      return compileCodes(state, columnOffset);
  }
}

/**
 * Tree encoding: the level's index in `levels`, and NaN (the missing-value branch of every
 * split) for a rare level (silently: training saw it), an unseen one (`unseen_category`) and a
 * missing value (`missing`).
 */
function compileCodes(state: CategoricalColumnState, columnOffset: number): CompiledColumn {
  const { name, nullable } = state;
  const codeOf = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  for (const level of state.rare) codeOf.set(level, Number.NaN);
  const allowed = state.values === undefined ? undefined : new Set(state.values);
  const allowedText = valuesText(state.values ?? []);
  const cell = { value: '' };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readCategory(raw, cell);
    let code: number;
    if (status === READ_OK) {
      if (allowed !== undefined && !allowed.has(cell.value)) {
        pushError(report, rowIndex, name, 'not_allowed_value', allowedText, raw);
        return false;
      }
      const known = codeOf.get(cell.value);
      if (known === undefined) {
        pushIssue(report, rowIndex, name, 'unseen_category');
        code = Number.NaN;
      } else {
        code = known;
      }
    } else if (nullable && isMissingStatus(status)) {
      code = Number.NaN;
      pushIssue(report, rowIndex, name, 'missing');
    } else {
      pushReadError(report, rowIndex, name, 'categorical', status, raw);
      return false;
    }
    out[rowOffset + columnOffset] = code;
    return true;
  };

  const kept = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  const fastPath = levelFastPath(kept, allowed, { slots: 0, at: columnOffset, indicatorAt: -1 });
  return { width: 1, outputNames: [name], encode, fastPath };
}

function compileOneHot(
  state: CategoricalColumnState,
  encoding: { unknown: 'ignore' | 'other' | 'reject'; other: boolean },
  columnOffset: number,
): CompiledColumn {
  const { name, nullable, missingIndicator } = state;
  const slotOf = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  const otherSlot = encoding.other ? state.levels.length : -1;
  for (const level of state.rare) slotOf.set(level, otherSlot);
  const levelSlots = state.levels.length + (encoding.other ? 1 : 0);
  const unseenSlot = encoding.unknown === 'other' ? otherSlot : -1;
  const reject = encoding.unknown === 'reject';
  const imputeSlot = state.impute.value === null ? -1 : (slotOf.get(state.impute.value) ?? -1);
  const allowed = state.values === undefined ? undefined : new Set(state.values);
  const allowedText = valuesText(state.values ?? []);
  const knownText = `a level seen in training: ${valuesText([...state.levels, ...state.rare])}`;
  const indicatorAt = columnOffset + levelSlots;
  const cell = { value: '' };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readCategory(raw, cell);
    let slot: number;
    let missing = 0;
    if (status === READ_OK) {
      if (allowed !== undefined && !allowed.has(cell.value)) {
        pushError(report, rowIndex, name, 'not_allowed_value', allowedText, raw);
        return false;
      }
      const known = slotOf.get(cell.value);
      if (known !== undefined) {
        slot = known;
      } else if (reject) {
        pushError(report, rowIndex, name, 'unseen_category_rejected', knownText, raw);
        return false;
      } else {
        pushIssue(report, rowIndex, name, 'unseen_category');
        slot = unseenSlot;
      }
    } else if (nullable && isMissingStatus(status)) {
      slot = imputeSlot;
      missing = 1;
      pushIssue(report, rowIndex, name, 'missing');
    } else {
      pushReadError(report, rowIndex, name, 'categorical', status, raw);
      return false;
    }
    const at = rowOffset + columnOffset;
    for (let k = 0; k < levelSlots; k++) out[at + k] = 0;
    if (slot >= 0) out[at + slot] = 1;
    if (missingIndicator) out[rowOffset + indicatorAt] = missing;
    return true;
  };

  const outputNames = state.levels.map((level) => `${name}=${level}`);
  if (encoding.other) outputNames.push(`${name}=${OTHER_LEVEL}`);
  if (missingIndicator) outputNames.push(`${name}:missing`);
  const fastPath = levelFastPath(slotOf, allowed, {
    slots: levelSlots,
    at: columnOffset,
    indicatorAt: missingIndicator ? indicatorAt : -1,
  });
  return { width: outputNames.length, outputNames, encode, fastPath };
}

function compileOrdinal(
  state: CategoricalColumnState,
  unknownValue: number,
  columnOffset: number,
): CompiledColumn {
  const { name, nullable, missingIndicator } = state;
  const codeOf = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  const imputeCode =
    state.impute.value === null ? unknownValue : (codeOf.get(state.impute.value) ?? unknownValue);
  const allowed = state.values === undefined ? undefined : new Set(state.values);
  const allowedText = valuesText(state.values ?? []);
  const cell = { value: '' };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readCategory(raw, cell);
    let code: number;
    let missing = 0;
    if (status === READ_OK) {
      if (allowed !== undefined && !allowed.has(cell.value)) {
        pushError(report, rowIndex, name, 'not_allowed_value', allowedText, raw);
        return false;
      }
      const known = codeOf.get(cell.value);
      if (known === undefined) {
        pushIssue(report, rowIndex, name, 'unseen_category');
        code = unknownValue;
      } else {
        code = known;
      }
    } else if (nullable && isMissingStatus(status)) {
      code = imputeCode;
      missing = 1;
      pushIssue(report, rowIndex, name, 'missing');
    } else {
      pushReadError(report, rowIndex, name, 'categorical', status, raw);
      return false;
    }
    out[rowOffset + columnOffset] = code;
    if (missingIndicator) out[rowOffset + columnOffset + 1] = missing;
    return true;
  };

  const outputNames = missingIndicator ? [name, `${name}:missing`] : [name];
  const fastPath = levelFastPath(codeOf, allowed, {
    slots: 0,
    at: columnOffset,
    indicatorAt: missingIndicator ? columnOffset + 1 : -1,
  });
  return { width: outputNames.length, outputNames, encode, fastPath };
}

/**
 * The strings the encoder maps to a slot or code with no rule applied (no warning, no error):
 * the levels (rare ones included), less blank ones (blank is missing) and, when values are
 * declared, ones outside them. Most frequent first, as fitting orders the levels.
 */
function levelFastPath(
  codeOf: ReadonlyMap<string, number>,
  allowed: ReadonlySet<string> | undefined,
  layout: { slots: number; at: number; indicatorAt: number },
): FastPath {
  const known = [...codeOf].filter(
    ([level]) => !isBlank(level) && (allowed === undefined || allowed.has(level)),
  );
  return {
    kind: 'level',
    levels: known.map(([level]) => level),
    codes: known.map(([, code]) => code),
    ...layout,
  };
}
