import { FeatureFitError } from '../errors.ts';
import { FittedPipeline } from '../pipeline.ts';
import { type ColumnState, PIPELINE_FORMAT, type PipelineState } from '../state/types.ts';
import type { ColumnSpec, PipelineSpec, RawRow } from '../types.ts';
import { fitBooleanColumn } from './boolean.ts';
import { fitCategoricalColumn } from './categorical.ts';
import { checkPipelineSpec } from './check-spec.ts';
import { fitDatetimeColumn } from './datetime.ts';
import { fitNumericColumn } from './numeric.ts';

/**
 * Fits every column of `spec` on the training rows (and on them only) and returns the pipeline
 * that training and serving both apply.
 *
 * @example
 * const { spec } = inferSchema(trainRows, { exclude: ['Status'] });
 * const pipeline = fitPipeline(spec, trainRows);
 * const { values } = pipeline.transformBatch(rows);   // rows × pipeline.width
 */
export function fitPipeline(spec: PipelineSpec, rows: readonly RawRow[]): FittedPipeline {
  checkPipelineSpec(spec);
  if (rows.length === 0) throw new FeatureFitError('no training rows to fit the pipeline on');
  const notes: string[] = [];
  const columns = spec.columns.map((column) => fitColumn(column, rows, notes));
  const state: PipelineState = {
    format: PIPELINE_FORMAT,
    unknownColumns: spec.unknownColumns ?? 'ignore',
    rows: rows.length,
    columns,
    notes,
  };
  // Going through fromJSON checks the fitted state like any loaded one and fixes its key order.
  return FittedPipeline.fromJSON(state);
}

function fitColumn(spec: ColumnSpec, rows: readonly RawRow[], notes: string[]): ColumnState {
  switch (spec.type) {
    case 'numeric':
      return fitNumericColumn(spec, rows, notes);
    case 'categorical':
      return fitCategoricalColumn(spec, rows, notes);
    case 'boolean':
      return fitBooleanColumn(spec, rows, notes);
    case 'datetime':
      return fitDatetimeColumn(spec, rows, notes);
  }
}
