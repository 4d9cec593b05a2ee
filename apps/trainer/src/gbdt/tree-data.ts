import {
  type FittedPipeline,
  fitPipeline,
  inferSchema,
  LabelEncoder,
  type RawRow,
  type TreeInput,
  treeInputsOf,
  treeSpec,
} from '@tandem/features';
import type { Task } from '@tandem/model-store';
import type { BoostPart } from './boost.ts';
import { type GbdtLoss, lossOf } from './losses.ts';

/** Rows tree-encoded as the trainer does for gbdt, with what boost() needs to fit them. */
export interface TreeData {
  pipeline: FittedPipeline;
  inputs: TreeInput[];
  labels: LabelEncoder | null;
  loss: GbdtLoss;
  outputs: number;
  part: BoostPart;
}

/**
 * Infers the schema of `rows` (the target and `exclude` left out), fits the tree encoding on
 * them and encodes their features and targets: the benchmark's and the scikit-learn
 * agreement's way to fit exactly these rows.
 */
export function treeData(
  rows: readonly RawRow[],
  target: string,
  task: Task,
  exclude: readonly string[] = [],
): TreeData {
  const { spec } = inferSchema(rows, { exclude: [target, ...exclude] });
  const pipeline = fitPipeline(treeSpec(spec), rows);
  const inputs = treeInputsOf(pipeline.toJSON());
  if (inputs === null) throw new Error('the tree encoding gave no tree pipeline');
  const labels = task === 'regression' ? null : LabelEncoder.fit(rows.map((row) => row[target]));
  const y = Float64Array.from(rows, (row) =>
    labels ? labels.encode(row[target]) : Number(row[target]),
  );
  const part = { x: pipeline.transformBatch(rows).values, rows: rows.length, y };
  const outputs = task === 'multiclass' ? (labels?.classes.length ?? 1) : 1;
  return { pipeline, inputs, labels, loss: lossOf(task), outputs, part };
}
