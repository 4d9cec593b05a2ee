import type { TreeEnsemble } from '@tandem/runtime';
import type { GraphBuilder } from './graph-builder.ts';
import { ELEM } from './proto.ts';

// Node flags of trees.bin (packages/runtime/src/trees/FORMAT.md).
const MISSING_LEFT = 1;
const CATEGORICAL = 2;

const ML = 'ai.onnx.ml';

/** The node attributes of one TreeEnsembleRegressor, filled tree by tree. */
interface EnsembleNodes {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  values: number[];
  modes: string[];
  trueIds: number[];
  falseIds: number[];
  missingTracksTrue: number[];
  leafTree: number[];
  leafNode: number[];
  leafTarget: number[];
  leafWeight: number[];
}

/**
 * Adds a Tandem tree ensemble: one ai.onnx.ml TreeEnsembleRegressor with raw scores (one target
 * per output, SUM, no post-transform), then the link computed here: the classifier operator's
 * labels and post-transforms are not used. Inputs and thresholds are doubles (the `_as_tensor`
 * attributes), so a float32 feature compares with its float32 threshold exactly and the margin is
 * summed in float64, as the tree engine sums it. `x` is float [rows, inputWidth]; returns float
 * [rows, outputs]: the value (identity), p(classes[1]) (logistic) or the class probabilities.
 */
export function addTreeEnsemble(g: GraphBuilder, ensemble: TreeEnsemble, x: string): string {
  const nodes: EnsembleNodes = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    values: [],
    modes: [],
    trueIds: [],
    falseIds: [],
    missingTracksTrue: [],
    leafTree: [],
    leafNode: [],
    leafTarget: [],
    leafWeight: [],
  };
  for (let t = 0; t < ensemble.treeOutput.length; t++) addTree(nodes, ensemble, t);
  const doubles = (values: number[]) => ({
    tensor: { dims: [values.length], dataType: ELEM.DOUBLE, rawData: bytesOf(values) },
  });
  const margins = g.op(
    'TreeEnsembleRegressor',
    [g.cast(x, ELEM.DOUBLE)],
    {
      n_targets: { int: ensemble.outputs },
      aggregate_function: { string: 'SUM' },
      post_transform: { string: 'NONE' },
      base_values_as_tensor: doubles(Array.from(ensemble.baseline)),
      nodes_treeids: { ints: nodes.treeIds },
      nodes_nodeids: { ints: nodes.nodeIds },
      nodes_featureids: { ints: nodes.featureIds },
      nodes_values_as_tensor: doubles(nodes.values),
      nodes_modes: { strings: nodes.modes },
      nodes_truenodeids: { ints: nodes.trueIds },
      nodes_falsenodeids: { ints: nodes.falseIds },
      nodes_missing_value_tracks_true: { ints: nodes.missingTracksTrue },
      target_treeids: { ints: nodes.leafTree },
      target_nodeids: { ints: nodes.leafNode },
      target_ids: { ints: nodes.leafTarget },
      target_weights_as_tensor: doubles(nodes.leafWeight),
    },
    { domain: ML },
  );
  switch (ensemble.link) {
    case 'identity':
      return margins;
    case 'logistic': {
      // 1 / (1 + e^−m) in float64, as the tree engine computes it.
      const m = g.cast(margins, ELEM.DOUBLE);
      const one = g.scalar(1);
      const p = g.div(one, g.add(one, g.op('Exp', [g.op('Neg', [m])])));
      return g.cast(p, ELEM.FLOAT);
    }
    case 'softmax': {
      const m = g.cast(margins, ELEM.DOUBLE);
      const axes = g.int64s([1]);
      const e = g.op('Exp', [g.sub(m, g.op('ReduceMax', [m, axes], { keepdims: { int: 1 } }))]);
      const p = g.div(e, g.op('ReduceSum', [e, axes], { keepdims: { int: 1 } }));
      return g.cast(p, ELEM.FLOAT);
    }
  }
}

/**
 * Tree t's nodes. A numeric split is BRANCH_LEQ (x ≤ threshold goes left, the true branch). A
 * categorical split is a chain of BRANCH_EQ nodes, one per code whose bit is set, each sending
 * its code to the left subtree and every other value on down the chain, the last one to the
 * right subtree; a missing value (NaN equals no code) takes the left subtree at the chain's
 * first node when the split sends missing values left, else runs down to the right subtree.
 */
function addTree(nodes: EnsembleNodes, e: TreeEnsemble, t: number): void {
  const start = e.treeStart[t] as number;
  const size = (e.treeStart[t + 1] as number) - start;
  // ONNX node id of each Tandem node; chain nodes get ids after them.
  let nextId = size;
  const push = (
    id: number,
    mode: string,
    feature: number,
    value: number,
    trueId: number,
    falseId: number,
    missingTrue: boolean,
  ) => {
    nodes.treeIds.push(t);
    nodes.nodeIds.push(id);
    nodes.featureIds.push(feature);
    nodes.values.push(value);
    nodes.modes.push(mode);
    nodes.trueIds.push(trueId);
    nodes.falseIds.push(falseId);
    nodes.missingTracksTrue.push(missingTrue ? 1 : 0);
  };
  for (let local = 0; local < size; local++) {
    const i = start + local;
    const feature = e.feature[i] as number;
    if (feature < 0) {
      push(local, 'LEAF', 0, 0, 0, 0, false);
      nodes.leafTree.push(t);
      nodes.leafNode.push(local);
      nodes.leafTarget.push(e.treeOutput[t] as number);
      nodes.leafWeight.push(e.value[i] as number);
      continue;
    }
    const left = e.left[i] as number;
    const right = e.right[i] as number;
    const flags = e.flags[i] as number;
    const missingLeft = (flags & MISSING_LEFT) !== 0;
    if ((flags & CATEGORICAL) === 0) {
      push(local, 'BRANCH_LEQ', feature, e.threshold[i] as number, left, right, missingLeft);
      continue;
    }
    const codes = codesOf(e, i);
    // No code goes left: only a missing value may. -1 is no code.
    if (codes.length === 0) codes.push(-1);
    codes.forEach((code, k) => {
      const id = k === 0 ? local : nextId++;
      const falseId = k === codes.length - 1 ? right : nextId;
      push(id, 'BRANCH_EQ', feature, code, left, falseId, k === 0 && missingLeft);
    });
  }
}

/** The codes whose bit is set in node i's bitset, ascending. */
function codesOf(e: TreeEnsemble, i: number): number[] {
  const offset = e.bitsetOffset[i] as number;
  const codes: number[] = [];
  for (let word = 0; word < 8; word++) {
    const bits = e.bitsets[offset + word] as number;
    for (let bit = 0; bit < 32; bit++) if ((bits >>> bit) & 1) codes.push(word * 32 + bit);
  }
  return codes;
}

function bytesOf(values: number[]): Uint8Array {
  const array = Float64Array.from(values);
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
