import type { InputErrorDetail, RowIssue } from '@tandem/features';

/** What blending reads of each member's PredictionBatch. */
export interface MemberBatch {
  rows: number;
  width: number;
  outputs: Float32Array;
  issues: RowIssue[];
  errors: InputErrorDetail[];
  rejected: number[];
}

/**
 * The weighted average of the members' outputs, summed in float64 in member order (so every
 * caller gets the same float32 bits), with what the members reported about the rows merged: a
 * row any member rejected is rejected (NaN outputs), each issue and error is listed once, in row
 * order. The members share the raw input schema, so they usually report the same.
 */
export function blendBatches(
  batches: readonly MemberBatch[],
  weights: readonly number[],
): MemberBatch {
  const first = batches[0]!;
  const { rows, width } = first;
  const sums = new Float64Array(rows * width);
  batches.forEach((batch, m) => {
    const weight = weights[m] as number;
    for (let i = 0; i < sums.length; i++) sums[i]! += weight * (batch.outputs[i] as number);
  });
  const outputs = Float32Array.from(sums);
  const rejected = [...new Set(batches.flatMap((batch) => batch.rejected))].sort((a, b) => a - b);
  for (const row of rejected) outputs.fill(Number.NaN, row * width, (row + 1) * width);
  return {
    rows,
    width,
    outputs,
    issues: onceEach(
      batches.map((batch) => batch.issues),
      (i) => `${i.row}\0${i.column}\0${i.kind}`,
    ),
    errors: onceEach(
      batches.map((batch) => batch.errors),
      (e) => `${e.row}\0${e.column}\0${e.problem}`,
    ),
    rejected,
  };
}

/** The union of the lists, first occurrence kept, stably ordered by row. */
function onceEach<T extends { row: number }>(lists: readonly T[][], key: (item: T) => string): T[] {
  if (lists.length === 1 || lists.slice(1).every((list) => list.length === 0)) return lists[0]!;
  const seen = new Set<string>();
  const out: T[] = [];
  for (const list of lists) {
    for (const item of list) {
      const k = key(item);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(item);
    }
  }
  return out.sort((a, b) => a.row - b.row);
}
