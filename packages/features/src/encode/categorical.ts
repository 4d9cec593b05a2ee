import { valuesText } from '../expected-values.ts';
import { readCategory } from '../read/category.ts';
import { isBlank, READ_OK } from '../read/status.ts';
import type { CategoricalColumnState } from '../state/types.ts';
import type { ColumnEncoder, CompiledColumn, FastPath } from './column-encoder.ts';
import { declaredValues } from './declared.ts';
import { imputesMissing, pushError, pushIssue } from './report.ts';

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
  return compileLevelCodes(
    state,
    { rareCode: Number.NaN, unknownCode: Number.NaN, imputeLevel: null, indicator: false },
    columnOffset,
  );
}

function compileOrdinal(
  state: CategoricalColumnState,
  unknownValue: number,
  columnOffset: number,
): CompiledColumn {
  return compileLevelCodes(
    state,
    {
      unknownCode: unknownValue,
      imputeLevel: state.impute.value,
      indicator: state.missingIndicator,
    },
    columnOffset,
  );
}

/** How a one-number encoding (ordinal, tree codes) writes what is not one of its levels. */
interface LevelCoding {
  /** The code of a rare level; absent: a rare level is unseen. */
  rareCode?: number;
  unknownCode: number;
  /** The level a missing value stands for; null, or not a level: the unknown code. */
  imputeLevel: string | null;
  /** Whether a `:missing` output follows the code. */
  indicator: boolean;
}

/** One output, the level's index in `levels` (most frequent first), plus the `:missing` one. */
function compileLevelCodes(
  state: CategoricalColumnState,
  coding: LevelCoding,
  columnOffset: number,
): CompiledColumn {
  const { name } = state;
  const { rareCode, unknownCode, imputeLevel, indicator } = coding;
  const kept = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  const imputeCode = imputeLevel === null ? unknownCode : (kept.get(imputeLevel) ?? unknownCode);
  const codeOf = new Map(kept);
  if (rareCode !== undefined) for (const level of state.rare) codeOf.set(level, rareCode);
  const declared = declaredValues(state);
  const cell = { value: '' };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readCategory(raw, cell);
    let code: number;
    let missing = 0;
    if (status === READ_OK) {
      if (!declared.admits(cell.value, raw, rowIndex, report)) return false;
      const known = codeOf.get(cell.value);
      if (known === undefined) {
        pushIssue(report, rowIndex, name, 'unseen_category');
        code = unknownCode;
      } else {
        code = known;
      }
    } else if (imputesMissing(state, status, raw, rowIndex, report)) {
      code = imputeCode;
      missing = 1;
    } else {
      return false;
    }
    out[rowOffset + columnOffset] = code;
    if (indicator) out[rowOffset + columnOffset + 1] = missing;
    return true;
  };

  const outputNames = indicator ? [name, `${name}:missing`] : [name];
  const fastPath = levelFastPath(kept, declared.values, {
    slots: 0,
    at: columnOffset,
    indicatorAt: indicator ? columnOffset + 1 : -1,
  });
  return { width: outputNames.length, outputNames, encode, fastPath };
}

function compileOneHot(
  state: CategoricalColumnState,
  encoding: { unknown: 'ignore' | 'other' | 'reject'; other: boolean },
  columnOffset: number,
): CompiledColumn {
  const { name, missingIndicator } = state;
  const slotOf = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  const otherSlot = encoding.other ? state.levels.length : -1;
  for (const level of state.rare) slotOf.set(level, otherSlot);
  const levelSlots = state.levels.length + (encoding.other ? 1 : 0);
  const unseenSlot = encoding.unknown === 'other' ? otherSlot : -1;
  const reject = encoding.unknown === 'reject';
  const imputeSlot = state.impute.value === null ? -1 : (slotOf.get(state.impute.value) ?? -1);
  const declared = declaredValues(state);
  const knownText = `a level seen in training: ${valuesText([...state.levels, ...state.rare])}`;
  const indicatorAt = columnOffset + levelSlots;
  const cell = { value: '' };

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    const status = readCategory(raw, cell);
    let slot: number;
    let missing = 0;
    if (status === READ_OK) {
      if (!declared.admits(cell.value, raw, rowIndex, report)) return false;
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
    } else if (imputesMissing(state, status, raw, rowIndex, report)) {
      slot = imputeSlot;
      missing = 1;
    } else {
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
  const fastPath = levelFastPath(slotOf, declared.values, {
    slots: levelSlots,
    at: columnOffset,
    indicatorAt: missingIndicator ? indicatorAt : -1,
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
