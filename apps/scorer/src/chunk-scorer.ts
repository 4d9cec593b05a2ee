import type { InputErrorDetail, RawRow } from '@tandem/features';
import type { Predictor } from '@tandem/runtime';
import { Explainer, type Explanation } from '@tandem/runtime/explain';
import type { RecordChunk } from '@tandem/tabular';
import { RowObjectPool } from './row-objects.ts';

/** Model outputs for one chunk, in the chunk's record order. */
export interface ChunkResult {
  /** Values per record: class probabilities in class order, or the regression value. */
  width: number;
  /** count × width, row-major; NaN for records that were not scored. */
  outputs: Float32Array;
  /** Why each record was not scored; undefined when every record was scored. */
  reasons: (string | undefined)[] | undefined;
  /** Values handled by a recorded rule (out of range, unseen category, imputed missing). */
  warnings: number;
  /** With --explain: each record's explanation (the default class); undefined when not scored. */
  explanations?: (Explanation | undefined)[];
}

/** Turns a chunk of records into model outputs; the pipeline calls it once per chunk. */
export interface RecordScorer {
  /** `explain`: also explain each scored record (the runtime's Explainer). */
  score(chunk: RecordChunk, explain?: boolean): ChunkResult;
}

/**
 * Scores chunks with the runtime's Predictor (the code the server runs), invalid rows collected
 * rather than thrown. CSV records become row objects from a pool reused chunk after chunk, so
 * a long file does not allocate one object per row.
 */
export class PredictorScorer implements RecordScorer {
  private readonly predictor: Predictor;
  private pool: RowObjectPool | undefined;

  constructor(predictor: Predictor) {
    this.predictor = predictor;
  }

  score(chunk: RecordChunk, explain = false): ChunkResult {
    const count = chunk.count;
    const width = this.predictor.width;
    const rows: RawRow[] = [];
    // positions[k]: the chunk index of the k-th row handed to the predictor.
    const positions: number[] | undefined = chunk.hasProblems ? [] : undefined;
    for (let i = 0; i < count; i++) {
      if (chunk.problems[i] !== undefined) continue;
      rows.push(this.rowOf(chunk, i, rows.length));
      positions?.push(i);
    }

    const batch = this.predictor.predictBatch(rows, { errors: 'collect' });
    // A row whose output is not a finite number (inputs far outside anything seen in training
    // can overflow float32) is rejected like an invalid row, never written as NaN.
    const notFinite = nonFiniteRows(batch.outputs, width, batch.rejected);
    const reasons =
      chunk.hasProblems || batch.rejected.length > 0 || notFinite.length > 0
        ? [...chunk.problems]
        : undefined;
    if (reasons !== undefined) {
      for (const [row, reason] of reasonsByRow(batch.errors)) {
        reasons[positions ? (positions[row] as number) : row] = reason;
      }
      for (const row of notFinite) {
        reasons[positions ? (positions[row] as number) : row] = NOT_FINITE_REASON;
        batch.outputs.fill(Number.NaN, row * width, (row + 1) * width);
      }
    }
    let outputs = batch.outputs;
    if (positions !== undefined) {
      outputs = new Float32Array(count * width).fill(Number.NaN);
      for (let k = 0; k < positions.length; k++) {
        const at = positions[k] as number;
        outputs.set(batch.outputs.subarray(k * width, (k + 1) * width), at * width);
      }
    }
    const result: ChunkResult = { width, outputs, reasons, warnings: batch.issues.length };
    if (explain) result.explanations = this.explain(rows, positions, count);
    return result;
  }

  /** The same rows through the Explainer (the server's code); rejected rows stay undefined. */
  private explain(
    rows: readonly RawRow[],
    positions: number[] | undefined,
    count: number,
  ): (Explanation | undefined)[] {
    const batch = Explainer.of(this.predictor).explainBatch(rows, { errors: 'collect' });
    const explanations = new Array<Explanation | undefined>(count);
    batch.explanations.forEach((list, k) => {
      explanations[positions ? (positions[k] as number) : k] = list[0];
    });
    return explanations;
  }

  /** The row object for record i: a pooled object for CSV, the parsed object for NDJSON. */
  private rowOf(chunk: RecordChunk, i: number, slot: number): RawRow {
    if (chunk.format === 'ndjson') return chunk.objects[i] as Record<string, unknown>;
    if (this.pool === undefined || !this.pool.fits(chunk.header)) {
      this.pool = new RowObjectPool(chunk.header);
    }
    return this.pool.fill(slot, chunk.fields[i] as string[]);
  }
}

/** Why a row whose model output is NaN or infinite is rejected. */
export const NOT_FINITE_REASON = 'the model produced a value that is not a finite number';

/** Rows (not already rejected) with an output that is NaN or infinite, ascending. */
function nonFiniteRows(
  outputs: Float32Array,
  width: number,
  rejected: readonly number[],
): number[] {
  const skip = new Set(rejected);
  const rows: number[] = [];
  const count = outputs.length / width;
  for (let row = 0; row < count; row++) {
    if (skip.has(row)) continue;
    for (let j = row * width; j < (row + 1) * width; j++) {
      if (!Number.isFinite(outputs[j] as number)) {
        rows.push(row);
        break;
      }
    }
  }
  return rows;
}

/** One reason per rejected row: its problems, joined, without the batch-relative row prefix. */
function reasonsByRow(errors: readonly InputErrorDetail[]): Map<number, string> {
  const reasons = new Map<number, string>();
  for (const detail of errors) {
    const prefix = `row ${detail.row}, `;
    const text = detail.message.startsWith(prefix)
      ? detail.message.slice(prefix.length)
      : detail.message;
    const before = reasons.get(detail.row);
    reasons.set(detail.row, before === undefined ? text : `${before}; ${text}`);
  }
  return reasons;
}
