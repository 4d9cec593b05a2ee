import { type Explanation, topContributions } from '@tandem/runtime/explain';

/** What `--explain [--top K]` adds to each scored row: plain data, sent to scoring workers. */
export interface ExplainLayout {
  /** The model's raw input columns, in pipeline order. */
  columns: readonly string[];
  /** Only the K strongest contributions, as column / contribution pairs. */
  top?: number;
  /** Classifiers name the explained class (the predicted one, or classes[1] for binary). */
  classes: boolean;
}

/**
 * The added column names: explained_class (classifiers), base_value, then contribution_<column>
 * per raw column (or top<i>_column, top<i>_contribution for i = 1…K), then approximation_error.
 */
export function explanationColumns(layout: ExplainLayout): string[] {
  const names = layout.classes ? ['explained_class', 'base_value'] : ['base_value'];
  if (layout.top === undefined) {
    names.push(...layout.columns.map((column) => `contribution_${column}`));
  } else {
    for (let i = 1; i <= layout.top; i++) names.push(`top${i}_column`, `top${i}_contribution`);
  }
  names.push('approximation_error');
  return names;
}

/** One row's values, in explanationColumns order; null where a top K slot has no column. */
export function explanationCells(
  explanation: Explanation,
  layout: ExplainLayout,
): (string | number | null)[] {
  const cells: (string | number | null)[] = layout.classes
    ? [explanation.class ?? null, explanation.baseValue]
    : [explanation.baseValue];
  if (layout.top === undefined) {
    for (const column of layout.columns) cells.push(explanation.contributions[column] ?? 0);
  } else {
    const top = topContributions(explanation, layout.top);
    for (let i = 0; i < layout.top; i++) {
      const entry = top[i];
      cells.push(entry?.column ?? null, entry?.value ?? null);
    }
  }
  cells.push(explanation.approximationError);
  return cells;
}
