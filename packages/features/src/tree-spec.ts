import { DATETIME_PARTS } from './encode/datetime.ts';
import { MAX_CODES } from './fit/check-spec.ts';
import type { PipelineState } from './state/types.ts';
import type { ColumnSpec, PipelineSpec } from './types.ts';

/**
 * The tree encoding of a spec: what gradient-boosted trees read. Numeric values and datetime
 * parts pass through unscaled (`identity`), booleans are 0 / 1, categorical columns become
 * integer codes (`codes`: most frequent level first, at most 254 levels), and a missing value
 * stays NaN (`impute: none`), never imputed: each split learns where missing values go. Rare
 * levels (below the column's `minFrequency`, beyond `maxCategories`) and levels training never
 * saw are encoded as NaN too, so they follow the missing-value branch. No missing indicators:
 * NaN is the indicator. Validation (nullable, range, values) is kept as declared.
 *
 * The result is an ordinary spec: fitPipeline fits it, features.json stores it, and the same
 * FittedPipeline applies it in training, the server and batch scoring.
 *
 * @example
 * const { spec } = inferSchema(trainRows, { exclude: ['Status'] });
 * const pipeline = fitPipeline(treeSpec(spec), trainRows);
 */
export function treeSpec(spec: PipelineSpec): PipelineSpec {
  return { ...spec, columns: spec.columns.map(treeColumn) };
}

function treeColumn(column: ColumnSpec): ColumnSpec {
  const { transform: _transform, impute: _impute, missingIndicator: _indicator, ...kept } = column;
  const tree: ColumnSpec = { ...kept, impute: { strategy: 'none' }, missingIndicator: false };
  if (column.type === 'numeric' || column.type === 'datetime')
    tree.transform = { kind: 'identity' };
  if (column.type === 'categorical') {
    const previous = column.transform;
    const codes: { kind: 'codes'; maxCategories?: number; minFrequency?: number } = {
      kind: 'codes',
    };
    // A frequency rule the user gave for one-hot keeps its meaning for codes.
    if (previous !== undefined && previous.kind === 'onehot') {
      if (previous.minFrequency !== undefined) codes.minFrequency = previous.minFrequency;
      if (previous.maxCategories !== undefined) {
        codes.maxCategories = Math.min(previous.maxCategories, MAX_CODES);
      }
    }
    tree.transform = codes;
  }
  return tree;
}

/** What a tree learner needs to know about one output of a tree-encoded pipeline. */
export interface TreeInput {
  /** The output's name (`Income`, `Home`, `When:year`). */
  name: string;
  /** The raw input column it comes from (feature importance is summed per column). */
  column: string;
  /** 'categorical': the value is a code in [0, categories); else an ordered number. */
  kind: 'numeric' | 'categorical';
  /** Number of codes (levels with a code of their own); 0 for numeric outputs. */
  categories: number;
}

/**
 * The outputs of a fitted pipeline state, one per output in order, for a tree learner. Null when
 * the pipeline is not tree-encoded (a scaled, imputed or one-hot column), since trees trained on
 * it would not read missing values and categories as documented above.
 */
export function treeInputsOf(state: PipelineState): TreeInput[] | null {
  const inputs: TreeInput[] = [];
  for (const column of state.columns) {
    if (column.missingIndicator || column.impute.strategy !== 'none') return null;
    switch (column.type) {
      case 'numeric':
        if (column.transform.kind !== 'identity') return null;
        inputs.push({ name: column.name, column: column.name, kind: 'numeric', categories: 0 });
        break;
      case 'boolean':
        inputs.push({ name: column.name, column: column.name, kind: 'numeric', categories: 0 });
        break;
      case 'datetime': {
        const { year, month, dayOfWeek, hour } = column.parts;
        if (![year, month, dayOfWeek, hour].every((p) => p.mean === 0 && p.std === 1)) return null;
        for (const part of DATETIME_PARTS) {
          inputs.push({
            name: `${column.name}:${part}`,
            column: column.name,
            kind: 'numeric',
            categories: 0,
          });
        }
        break;
      }
      case 'categorical':
        if (column.encoding.kind !== 'codes') return null;
        inputs.push({
          name: column.name,
          column: column.name,
          kind: 'categorical',
          categories: column.levels.length,
        });
        break;
    }
  }
  return inputs;
}
