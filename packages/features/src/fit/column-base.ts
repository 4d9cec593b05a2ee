import type { ColumnSpec, ColumnType } from '../types.ts';

/**
 * The fields every fitted column starts with, and the spec's defaults for them: a column is
 * nullable, and has a `:missing` output only when asked (or, for numeric columns, by default when
 * training saw missing values).
 */
export function fittedColumnBase<Type extends ColumnType>(
  spec: ColumnSpec,
  type: Type,
  missing: number,
  missingIndicatorByDefault = false,
): { name: string; type: Type; nullable: boolean; missingIndicator: boolean; missing: number } {
  return {
    name: spec.name,
    type,
    nullable: spec.nullable ?? true,
    missingIndicator: spec.missingIndicator ?? missingIndicatorByDefault,
    missing,
  };
}
