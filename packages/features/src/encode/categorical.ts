import { valuesText } from '../expected-values.ts';
import { readCategory } from '../read/category.ts';
import { isBlank, isMissingStatus, READ_OK } from '../read/status.ts';
import type { CategoricalColumnState } from '../state/types.ts';
import type { TransformReport } from '../types.ts';
import type { ColumnEncoder, CompiledColumn } from './column-encoder.ts';
import { LevelLookup } from './level-lookup.ts';
import { pushError, pushIssue, pushReadError } from './report.ts';

/** Output name of the shared slot for rare and (with unknown: 'other') unseen levels. */
export const OTHER_LEVEL = '<other>';

/**
 * A categorical column compiles to an encoder whose fast path is one Map lookup: a string that is
 * a level seen in training (and an allowed value, when values are declared) maps straight to its
 * slot or code. Anything else (missing, unseen, a number or boolean, invalid) goes through
 * settle(), which applies the documented rules.
 */
export function compileCategorical(
  state: CategoricalColumnState,
  columnOffset: number,
): CompiledColumn {
  return state.encoding.kind === 'onehot'
    ? compileOneHot(state, state.encoding, columnOffset)
    : compileOrdinal(state, state.encoding.unknownValue, columnOffset);
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
  const rules = new CategoryRules(state, slotOf, {
    imputed: state.impute.value === null ? -1 : (slotOf.get(state.impute.value) ?? -1),
    unseen: encoding.unknown === 'other' ? otherSlot : -1,
    rejectUnseen: encoding.unknown === 'reject',
  });
  const knownSlot = rules.fastPath;
  const indicatorAt = missingIndicator ? columnOffset + levelSlots : -1;

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    let slot = typeof raw === 'string' ? knownSlot.get(raw) : undefined;
    let missing = 0;
    if (slot === undefined) {
      if (!rules.settle(raw, rowIndex, report)) return false;
      slot = rules.code;
      missing = rules.missing;
    }
    const at = rowOffset + columnOffset;
    for (let k = 0; k < levelSlots; k++) out[at + k] = 0;
    // -1: all zeros (an unseen level under 'ignore', or nothing to impute).
    if (slot >= 0) out[at + slot] = 1;
    if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
    return true;
  };

  const outputNames = state.levels.map((level) => `${name}=${level}`);
  if (encoding.other) outputNames.push(`${name}=${OTHER_LEVEL}`);
  if (missingIndicator) outputNames.push(`${name}:missing`);
  return { width: outputNames.length, outputNames, encode };
}

function compileOrdinal(
  state: CategoricalColumnState,
  unknownValue: number,
  columnOffset: number,
): CompiledColumn {
  const { name, missingIndicator } = state;
  const codeOf = new Map<string, number>(state.levels.map((level, i) => [level, i]));
  const rules = new CategoryRules(state, codeOf, {
    imputed:
      state.impute.value === null ? unknownValue : (codeOf.get(state.impute.value) ?? unknownValue),
    unseen: unknownValue,
    rejectUnseen: false,
  });
  const knownCode = rules.fastPath;
  const indicatorAt = missingIndicator ? columnOffset + 1 : -1;

  const encode: ColumnEncoder = (raw, out, rowOffset, rowIndex, report) => {
    let code = typeof raw === 'string' ? knownCode.get(raw) : undefined;
    let missing = 0;
    if (code === undefined) {
      if (!rules.settle(raw, rowIndex, report)) return false;
      code = rules.code;
      missing = rules.missing;
    }
    out[rowOffset + columnOffset] = code;
    if (indicatorAt >= 0) out[rowOffset + indicatorAt] = missing;
    return true;
  };

  const outputNames = missingIndicator ? [name, `${name}:missing`] : [name];
  return { width: outputNames.length, outputNames, encode };
}

/** The slot (one-hot) or code (ordinal) of a missing and of an unseen value. */
interface SpecialCodes {
  imputed: number;
  unseen: number;
  rejectUnseen: boolean;
}

/**
 * The documented rules for a categorical value: strings exactly as given, numbers and booleans as
 * their string form, blank as missing (impute or error), declared values (error), unseen levels
 * (warning, or error under unknown: 'reject').
 */
class CategoryRules {
  /**
   * The strings the rules map to a known slot or code without an error or a warning: the levels
   * (and rare levels), less blank ones (blank is missing) and ones outside the declared values.
   */
  readonly fastPath: LevelLookup;
  /** After settle() returns true: the slot or code to write and whether it was imputed (1). */
  code = 0;
  missing = 0;
  readonly #name: string;
  readonly #nullable: boolean;
  readonly #codeOf: ReadonlyMap<string, number>;
  readonly #special: SpecialCodes;
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #allowedText: string;
  readonly #knownText: string;
  readonly #cell = { value: '' };

  constructor(
    state: CategoricalColumnState,
    codeOf: ReadonlyMap<string, number>,
    special: SpecialCodes,
  ) {
    this.#name = state.name;
    this.#nullable = state.nullable;
    this.#codeOf = codeOf;
    this.#special = special;
    const allowed = state.values === undefined ? undefined : new Set(state.values);
    this.#allowed = allowed;
    this.#allowedText = valuesText(state.values ?? []);
    this.#knownText = `a level seen in training: ${valuesText([...state.levels, ...state.rare])}`;
    this.fastPath = new LevelLookup(
      [...codeOf].filter(
        ([level]) => !isBlank(level) && (allowed === undefined || allowed.has(level)),
      ),
    );
  }

  /** Sets code and missing and returns true, or records the row's error and returns false. */
  settle(raw: unknown, rowIndex: number, report: TransformReport): boolean {
    const name = this.#name;
    const status = readCategory(raw, this.#cell);
    if (status !== READ_OK) {
      if (!(this.#nullable && isMissingStatus(status))) {
        pushReadError(report, rowIndex, name, 'categorical', status, raw);
        return false;
      }
      pushIssue(report, rowIndex, name, 'missing');
      this.code = this.#special.imputed;
      this.missing = 1;
      return true;
    }
    const value = this.#cell.value;
    if (this.#allowed !== undefined && !this.#allowed.has(value)) {
      pushError(report, rowIndex, name, 'not_allowed_value', this.#allowedText, raw);
      return false;
    }
    const known = this.#codeOf.get(value);
    if (known !== undefined) {
      this.code = known;
    } else if (this.#special.rejectUnseen) {
      pushError(report, rowIndex, name, 'unseen_category_rejected', this.#knownText, raw);
      return false;
    } else {
      pushIssue(report, rowIndex, name, 'unseen_category');
      this.code = this.#special.unseen;
    }
    this.missing = 0;
    return true;
  }
}
