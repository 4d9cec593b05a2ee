import type { BooleanColumnState } from '@tandem/features';
import type { GraphBuilder } from '../graph-builder.ts';
import { ELEM } from '../proto.ts';

/**
 * A boolean column: `b` is bool [rows, 1] (V2's BOOL), 1 or 0 as in Tandem. A bool tensor has
 * no missing value, so imputation never applies and a `:missing` indicator is always 0.
 */
export function booleanColumn(g: GraphBuilder, state: BooleanColumnState, b: string): string[] {
  const value = g.cast(b, ELEM.DOUBLE);
  const outputs = [value];
  if (state.missingIndicator) outputs.push(g.sub(value, value));
  return outputs;
}
