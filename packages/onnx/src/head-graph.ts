import type { LabelEncoder, TargetScaler } from '@tandem/features';
import type { GraphBuilder } from './graph-builder.ts';
import { ELEM, type ElemType } from './proto.ts';

/** One graph output, named and typed as Tandem's V2 metadata names and types it. */
export interface GraphOutput {
  name: 'label' | 'probabilities' | 'value';
  elemType: ElemType;
  datatype: 'BYTES' | 'FP32';
  /** -1 for the row dimension. */
  dims: number[];
}

/** What turns model outputs into Tandem's predictions (Predictor.writeOutputs). */
export type Head =
  | { kind: 'value'; targetScaler: TargetScaler | null }
  | { kind: 'probabilities'; classes: readonly string[] }
  /** One sigmoid unit: p(classes[1]), returned as [1 − p, p]. */
  | { kind: 'sigmoid-pair'; classes: readonly string[] };

export function headOf(
  task: 'binary' | 'multiclass' | 'regression',
  modelOutputs: number,
  labels: LabelEncoder | null,
  targetScaler: TargetScaler | null,
): Head {
  if (task === 'regression') {
    if (modelOutputs !== 1)
      throw new Error(`a regression model needs 1 output, it has ${modelOutputs}`);
    return { kind: 'value', targetScaler };
  }
  const classes = labels?.classes;
  if (!classes) throw new Error(`a ${task} model needs its label encoder (features.json "labels")`);
  if (task === 'binary' && modelOutputs === 1 && classes.length === 2) {
    return { kind: 'sigmoid-pair', classes };
  }
  if (modelOutputs !== classes.length) {
    throw new Error(`the model has ${modelOutputs} outputs for ${classes.length} classes`);
  }
  return { kind: 'probabilities', classes };
}

export function headOutputs(head: Head): GraphOutput[] {
  if (head.kind === 'value') {
    return [{ name: 'value', elemType: ELEM.FLOAT, datatype: 'FP32', dims: [-1] }];
  }
  return [
    { name: 'label', elemType: ELEM.STRING, datatype: 'BYTES', dims: [-1] },
    {
      name: 'probabilities',
      elemType: ELEM.FLOAT,
      datatype: 'FP32',
      dims: [-1, head.classes.length],
    },
  ];
}

/**
 * What a model predicts from its scores (float [rows, modelOutputs]: probabilities, one sigmoid
 * unit, or the standardized regression value) before the outputs are named: float
 * [rows, classes] probabilities, or float [rows, 1] values on the target's scale. What an
 * ensemble's members blend.
 */
export function addPredictions(g: GraphBuilder, head: Head, scores: string): string {
  if (head.kind === 'value') {
    if (!head.targetScaler) return scores;
    // z · std + mean in float64, rounded to float32 once, as TargetScaler.restore is stored.
    const { mean, std } = head.targetScaler;
    return g.cast(
      g.add(g.mul(g.cast(scores, ELEM.DOUBLE), g.scalar(std)), g.scalar(mean)),
      ELEM.FLOAT,
    );
  }
  if (head.kind === 'sigmoid-pair') {
    const complement = g.sub(g.floats([1], [1, 1]), scores);
    return g.op('Concat', [complement, scores], { axis: { int: 1 } });
  }
  return scores;
}

/**
 * Writes the graph outputs `label` + `probabilities` or `value` from `predictions`
 * (addPredictions' tensor, or a blend of several).
 */
export function addOutputs(g: GraphBuilder, head: Head, predictions: string): void {
  if (head.kind === 'value') {
    g.op('Squeeze', [predictions, g.int64s([1])], {}, { output: 'value' });
    return;
  }
  g.op('Identity', [predictions], {}, { output: 'probabilities' });
  // The first class on a tie, as toPredictions.
  const best = g.op('ArgMax', [predictions], {
    axis: { int: 1 },
    keepdims: { int: 0 },
    select_last_index: { int: 0 },
  });
  g.op('Gather', [g.strings(head.classes), best], { axis: { int: 0 } }, { output: 'label' });
}
