import type { FittedPipeline, RawRow } from '@tandem/features';
import type { TrainingPart } from './loop.ts';
import { encodeTargets, type TargetCoding } from './targets.ts';

/** Feature matrix and training targets of some rows (any invalid row throws, naming it). */
export function encodePart(
  pipeline: FittedPipeline,
  coding: TargetCoding,
  target: string,
  rows: readonly RawRow[],
): TrainingPart {
  const batch = pipeline.transformBatch(rows, { errors: 'throw' });
  return {
    x: batch.values,
    rows: batch.rows,
    width: batch.width,
    y: encodeTargets(coding, target, rows),
  };
}
