import type { ColumnState, FittedPipeline } from '@tandem/features';
import { booleanColumn } from './columns/boolean.ts';
import { categoricalColumn } from './columns/categorical.ts';
import { datetimeColumn } from './columns/datetime.ts';
import { numericColumn } from './columns/numeric.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { ELEM, type ElemType } from './proto.ts';

/** One graph input: a raw column, as the ONNX element type and the V2 / Triton datatype. */
export interface GraphInput {
  name: string;
  column: ColumnState['type'];
  elemType: ElemType;
  /** The Open Inference Protocol datatype of the tensor (Triton's config.pbtxt without TYPE_). */
  datatype: 'FP64' | 'BYTES' | 'BOOL';
}

/**
 * How each column type enters the graph. Numbers are FP64 with NaN as the missing value (as
 * Tandem's V2 binary extension reads them); categorical text is BYTES, blank meaning missing;
 * booleans are BOOL (no missing value); datetimes are FP64 epoch milliseconds, NaN missing:
 * ONNX has no operator that parses ISO-8601 text (Cast reads "2024-03-01" as 2024).
 */
export function graphInputOf(column: ColumnState): GraphInput {
  const { name, type } = column;
  switch (type) {
    case 'numeric':
    case 'datetime':
      return { name, column: type, elemType: ELEM.DOUBLE, datatype: 'FP64' };
    case 'categorical':
      return { name, column: type, elemType: ELEM.STRING, datatype: 'BYTES' };
    case 'boolean':
      return { name, column: type, elemType: ELEM.BOOL, datatype: 'BOOL' };
  }
}

/**
 * Every part of a fitted pipeline that one graph cannot express exactly, in words; empty when
 * the whole pipeline can be exported. A graph computes outputs for every row it is given: it
 * cannot refuse a row as Tandem's validation does, so rules whose only effect is to reject rows
 * are refused rather than dropped.
 */
export function unsupportedPipelineParts(pipeline: FittedPipeline): string[] {
  const parts: string[] = [];
  for (const column of pipeline.toJSON().columns) {
    const where = `column ${JSON.stringify(column.name)}`;
    if (column.range !== undefined) {
      parts.push(`${where}: declared range (a value outside it is an input error in Tandem)`);
    }
    if (column.values !== undefined) {
      parts.push(`${where}: declared values (another value is an input error in Tandem)`);
    }
    // A BOOL tensor cannot be missing, so nullable: false changes nothing for booleans.
    if (!column.nullable && column.type !== 'boolean') {
      parts.push(`${where}: nullable false (a missing value is an input error in Tandem)`);
    }
    if (column.type === 'categorical' && column.encoding.kind === 'onehot') {
      if (column.encoding.unknown === 'reject') {
        parts.push(`${where}: unknown "reject" (an unseen level is an input error in Tandem)`);
      }
    }
    if (column.type === 'numeric' && column.transform.kind === 'bucketize') {
      const { edges } = column.transform;
      if (edges.some((edge, i) => i > 0 && edge < (edges[i - 1] as number))) {
        parts.push(`${where}: bucket edges not in ascending order`);
      }
    }
  }
  return parts;
}

/**
 * Adds one input per column and the pipeline's transforms; returns the name of the feature
 * tensor, float [rows, pipeline.width], in pipeline.outputNames order. Call
 * unsupportedPipelineParts first: this assumes it returned nothing.
 */
export function addPipeline(g: GraphBuilder, pipeline: FittedPipeline): string {
  const axes = g.int64s([1]);
  const outputs: string[] = [];
  for (const column of pipeline.toJSON().columns) {
    const raw = g.op('Unsqueeze', [column.name, axes]);
    switch (column.type) {
      case 'numeric':
        outputs.push(...numericColumn(g, column, raw));
        break;
      case 'categorical':
        outputs.push(...categoricalColumn(g, column, raw));
        break;
      case 'boolean':
        outputs.push(...booleanColumn(g, column, raw));
        break;
      case 'datetime':
        outputs.push(...datetimeColumn(g, column, raw));
        break;
    }
  }
  // Computed in float64 like Tandem's encoders, rounded to float32 once, as its Float32Array is.
  const joined = outputs.length === 1 ? outputs[0]! : g.op('Concat', outputs, { axis: { int: 1 } });
  return g.cast(joined, ELEM.FLOAT);
}
