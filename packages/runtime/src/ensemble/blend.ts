import type { PredictionBatch } from '../predictor.ts';

/** What the members of an ensemble reported about the rows of one batch. */
export type RowReport = Pick<PredictionBatch, 'issues' | 'errors' | 'rejected'>;

/**
 * The weighted average of the members' outputs, summed in float64 in member order (so every
 * caller gets the same float32 bits), with what the members reported about the rows merged: a
 * row any member rejected is rejected (NaN outputs), each issue and error is listed once, in row
 * order. The members share the raw input schema, so they usually report the same.
 */
export function blendBatches(
  batches: readonly PredictionBatch[],
  weights: readonly number[],
): PredictionBatch {
  const first = batches[0]!;
  const { rows, width } = first;
  const sums = new Float64Array(rows * width);
  batches.forEach((batch, m) => {
    const weight = weights[m] as number;
    for (let i = 0; i < sums.length; i++) sums[i]! += weight * (batch.outputs[i] as number);
  });
  const outputs = Float32Array.from(sums);
  const reports = mergeRowReports(batches);
  for (const row of reports.rejected) outputs.fill(Number.NaN, row * width, (row + 1) * width);
  return { rows, width, outputs, ...reports };
}

/**
 * The members' reports on the same rows as one: a row any member rejected is rejected, each
 * issue and error is listed once, in row order.
 */
export function mergeRowReports(reports: readonly RowReport[]): RowReport {
  return {
    issues: onceEach(
      reports.map((report) => report.issues),
      (i) => `${i.row}\0${i.column}\0${i.kind}`,
    ),
    errors: onceEach(
      reports.map((report) => report.errors),
      (e) => `${e.row}\0${e.column}\0${e.problem}`,
    ),
    rejected: [...new Set(reports.flatMap((report) => report.rejected))].sort((a, b) => a - b),
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
