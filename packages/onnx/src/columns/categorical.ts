import type { CategoricalColumnState } from '@tandem/features';
import type { GraphBuilder } from '../graph-builder.ts';
import { ELEM } from '../proto.ts';

const ML = 'ai.onnx.ml';

/**
 * A categorical column: `s` is string [rows, 1]. Blank text ("" or only whitespace) is a missing
 * value, as in Tandem; any other string is a level, a rare level or unseen. Mirrors
 * @tandem/features encode/categorical.ts for one-hot (unknown 'ignore' or 'other'), ordinal and
 * tree codes. Returns double [rows, k] outputs in order.
 */
export function categoricalColumn(
  g: GraphBuilder,
  state: CategoricalColumnState,
  s: string,
): string[] {
  const blank = blankText(g, s);
  const encoding = state.encoding;
  const outputs: string[] = [];
  switch (encoding.kind) {
    case 'onehot': {
      const levelSlots = state.levels.length + (encoding.other ? 1 : 0);
      const otherSlot = encoding.other ? state.levels.length : -1;
      const keys = [...state.levels, ...state.rare];
      const slots = [...state.levels.map((_, i) => i), ...state.rare.map(() => otherSlot)];
      const unseenSlot = encoding.unknown === 'other' ? otherSlot : -1;
      const imputed = state.impute.value === null ? -1 : keys.indexOf(state.impute.value);
      const imputeSlot = imputed < 0 ? -1 : (slots[imputed] as number);
      const slot = g.where(
        blank,
        g.int64s([imputeSlot], [1, 1]),
        lookup(g, s, blank, keys, slots, unseenSlot, 'int64'),
      );
      if (levelSlots > 0) {
        const range = g.int64s(
          Array.from({ length: levelSlots }, (_, k) => k),
          [1, levelSlots],
        );
        outputs.push(g.cast(g.op('Equal', [slot, range]), ELEM.DOUBLE));
      }
      break;
    }
    case 'ordinal': {
      const { unknownValue } = encoding;
      const imputed = state.impute.value === null ? -1 : state.levels.indexOf(state.impute.value);
      const imputeCode = imputed < 0 ? unknownValue : imputed;
      const codes = state.levels.map((_, i) => i);
      const code = lookup(g, s, blank, state.levels, codes, unknownValue, 'double');
      outputs.push(g.where(blank, g.scalar(imputeCode), code));
      break;
    }
    case 'codes': {
      // Rare, unseen and missing values are all NaN: the trees' missing-value branch.
      const keys = [...state.levels, ...state.rare];
      const codes = [...state.levels.map((_, i) => i), ...state.rare.map(() => Number.NaN)];
      const code = lookup(g, s, blank, keys, codes, Number.NaN, 'double');
      outputs.push(g.where(blank, g.scalar(Number.NaN), code));
      break;
    }
  }
  if (state.missingIndicator) outputs.push(g.cast(blank, ELEM.DOUBLE));
  return outputs;
}

/**
 * bool [rows, 1]: the text is empty or whitespace only. StringSplit with no separator splits on
 * runs of whitespace, so blank text is the text with no substring.
 */
function blankText(g: GraphBuilder, s: string): string {
  const parts = g.fresh('split_parts');
  const counts = g.fresh('split_counts');
  g.opMany('StringSplit', [s], [parts, counts]);
  return g.op('Equal', [counts, g.int64s([0], [1, 1])]);
}

/**
 * The value of each string under a key → value table (ai.onnx.ml LabelEncoder), `fallback` for a
 * string not in it. int64 values come out as int64, others as double [rows, 1].
 */
function lookup(
  g: GraphBuilder,
  s: string,
  shapeOf: string,
  keys: readonly string[],
  values: readonly number[],
  fallback: number,
  type: 'int64' | 'double',
): string {
  if (keys.length === 0) {
    // No level: every string is unseen. A constant of the input's shape.
    const constant = type === 'int64' ? g.int64s([fallback], [1, 1]) : g.scalar(fallback);
    return g.where(shapeOf, constant, constant);
  }
  if (type === 'int64') {
    return g.op(
      'LabelEncoder',
      [s],
      {
        keys_strings: { strings: keys },
        values_int64s: { ints: values },
        default_int64: { int: fallback },
      },
      { domain: ML },
    );
  }
  // LabelEncoder (ai.onnx.ml 2) maps strings to float32 values: codes are small integers, exact;
  // an ordinal unknownValue may not be, but float32(float32(u)) is the float32 Tandem stores.
  const code = g.op(
    'LabelEncoder',
    [s],
    {
      keys_strings: { strings: keys },
      values_floats: { floats: values },
      default_float: { float: fallback },
    },
    { domain: ML },
  );
  return g.cast(code, ELEM.DOUBLE);
}
