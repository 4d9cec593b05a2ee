import type { ColumnState } from './state/types.ts';
import type { InputColumnSchema } from './types.ts';

/**
 * What callers are told about a fitted column: its type, whether it may be missing, the
 * training range (numeric: values; datetime: epoch ms) or levels (encoding order, then the rare
 * levels that share the "other" slot), and the declared constraints.
 */
export function inputSchemaOf(column: ColumnState): InputColumnSchema {
  const schema: InputColumnSchema = {
    name: column.name,
    type: column.type,
    nullable: column.nullable,
  };
  if ((column.type === 'numeric' || column.type === 'datetime') && column.observed !== null) {
    schema.min = column.observed.min;
    schema.max = column.observed.max;
  }
  if (column.type === 'categorical') schema.levels = [...column.levels, ...column.rare];
  if (column.range !== undefined) schema.range = { ...column.range };
  if (column.values !== undefined) schema.values = [...column.values];
  return schema;
}
