import type { ColumnState } from '../state/types.ts';
import { compileBoolean } from './boolean.ts';
import { compileCategorical } from './categorical.ts';
import type { CompiledColumn } from './column-encoder.ts';
import { compileDatetime } from './datetime.ts';
import { compileNumeric } from './numeric.ts';

export function compileColumn(state: ColumnState, columnOffset: number): CompiledColumn {
  switch (state.type) {
    case 'numeric':
      return compileNumeric(state, columnOffset);
    case 'categorical':
      return compileCategorical(state, columnOffset);
    case 'boolean':
      return compileBoolean(state, columnOffset);
    case 'datetime':
      return compileDatetime(state, columnOffset);
  }
}
