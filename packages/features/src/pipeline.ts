import { compileColumn } from './encode/compile.ts';
import { isRowObject, pushError, pushRowShapeError } from './encode/report.ts';
import { compileRowEncoder, type EncodedColumn, type RowEncoder } from './encode/row-encoder.ts';
import { FeatureInputError } from './errors.ts';
import { valuesText } from './expected-values.ts';
import { inputSchemaOf } from './input-schema.ts';
import { parsePipelineState } from './state/parse-pipeline.ts';
import type { PipelineState } from './state/types.ts';
import type { BatchResult, InputColumnSchema, RawRow, RowIssue, TransformReport } from './types.ts';

/** The outputs one raw column produces: outputNames[start, start + width). */
export interface ColumnSpan {
  column: string;
  start: number;
  width: number;
}

export interface TransformBatchOptions {
  /** Where to write rows × width values; allocated when absent. */
  out?: Float32Array;
  /**
   * 'throw' (default): any invalid row throws a FeatureInputError carrying the batch's problems.
   * 'collect': invalid rows are listed in `rejected`, explained in `errors`, left as zeros.
   */
  errors?: 'throw' | 'collect';
}

/**
 * A pipeline fitted on training rows: turns raw rows into model input, identically wherever it
 * runs. Built by fitPipeline or fromJSON; immutable. Each column is compiled once, here, into an
 * encoder closure, and the columns into one row function (encode/row-encoder.ts), so transforming
 * a row allocates nothing on the success path.
 */
export class FittedPipeline {
  /** Output values per row. */
  readonly width: number;
  /** One name per output: 'Income', 'Income:missing', 'Home=rent', 'Home=<other>', 'Age:bucket0', 'When:year'. */
  readonly outputNames: readonly string[];
  readonly inputSchema: readonly InputColumnSchema[];
  /** What fitting decided that a reader should know, e.g. an all-missing column. */
  readonly notes: readonly string[];
  readonly #state: PipelineState;
  readonly #spans: readonly ColumnSpan[];
  readonly #encodeRow: RowEncoder;
  readonly #rejectUnknownColumns: boolean;
  readonly #declared: ReadonlySet<string>;
  readonly #declaredText: string;

  private constructor(state: PipelineState) {
    this.#state = state;
    const encoders: EncodedColumn[] = [];
    const outputNames: string[] = [];
    const spans: ColumnSpan[] = [];
    for (const column of state.columns) {
      const compiled = compileColumn(column, outputNames.length);
      encoders.push({ name: column.name, encode: compiled.encode, fastPath: compiled.fastPath });
      spans.push(
        Object.freeze({
          column: column.name,
          start: outputNames.length,
          width: compiled.outputNames.length,
        }),
      );
      outputNames.push(...compiled.outputNames);
    }
    this.#spans = Object.freeze(spans);
    this.#encodeRow = compileRowEncoder(encoders);
    this.width = outputNames.length;
    this.outputNames = Object.freeze(outputNames);
    this.inputSchema = Object.freeze(
      state.columns.map((column) => Object.freeze(inputSchemaOf(column))),
    );
    this.notes = Object.freeze([...state.notes]);
    this.#rejectUnknownColumns = state.unknownColumns === 'reject';
    this.#declared = new Set(state.columns.map((column) => column.name));
    this.#declaredText = valuesText(state.columns.map((column) => column.name));
  }

  /**
   * Loads a pipeline from its JSON state (features.json). Throws FeatureStateError when the
   * state has another format version or is malformed.
   */
  static fromJSON(state: unknown): FittedPipeline {
    return new FittedPipeline(parsePipelineState(state));
  }

  /**
   * Which outputs each raw column produces, in column order: contiguous, covering every output
   * once (one-hot levels, missing indicator, datetime parts of one column sit side by side).
   */
  columnSpans(): readonly ColumnSpan[] {
    return this.#spans;
  }

  /** The JSON state: plain data carrying `format`; the same fit always serialises identically. */
  toJSON(): PipelineState {
    return structuredClone(this.#state);
  }

  /**
   * Writes one row into out[offset, offset + width). Warnings (imputed, unseen, out of range) go
   * to report.issues; when the row is invalid its problems go to report.errors, its slice is
   * zeroed, its warnings are withdrawn, and the result is false. Allocates nothing when the row
   * is valid and needs no warning.
   */
  transformInto(
    row: RawRow,
    out: Float32Array,
    offset: number,
    rowIndex: number,
    report: TransformReport,
  ): boolean {
    if (!isRowObject(row)) {
      pushRowShapeError(report, rowIndex, row);
      out.fill(0, offset, offset + this.width);
      return false;
    }
    const issuesBefore = report.issues.length;
    let valid = this.#encodeRow(row, out, offset, rowIndex, report);
    if (this.#rejectUnknownColumns && !this.#checkNoUnknownColumns(row, rowIndex, report)) {
      valid = false;
    }
    if (!valid) {
      out.fill(0, offset, offset + this.width);
      report.issues.length = issuesBefore;
    }
    return valid;
  }

  /**
   * Transforms one row into a new array of `width` values.
   * Throws FeatureInputError (all the row's problems, row index 0) when the row is invalid.
   */
  transform(row: RawRow): { values: Float32Array; issues: RowIssue[] } {
    const values = new Float32Array(this.width);
    const report: TransformReport = { issues: [], errors: [] };
    if (!this.transformInto(row, values, 0, 0, report)) throw new FeatureInputError(report.errors);
    return { values, issues: report.issues };
  }

  /**
   * Transforms rows into one row-major rows × width array. See TransformBatchOptions for how
   * invalid rows are handled; in 'throw' mode the error carries at most 100 details and counts
   * the rest in its message.
   */
  transformBatch(rows: readonly RawRow[], options?: TransformBatchOptions): BatchResult {
    const width = this.width;
    const count = rows.length;
    const out = options?.out ?? new Float32Array(count * width);
    if (out.length < count * width) {
      throw new RangeError(
        `transformBatch: out holds ${out.length} values, ${count} rows × ${width} outputs need ${count * width}`,
      );
    }
    const report: TransformReport = { issues: [], errors: [] };
    const rejected: number[] = [];
    for (let i = 0; i < count; i++) {
      if (!this.transformInto(rows[i] as RawRow, out, i * width, i, report)) rejected.push(i);
    }
    if (rejected.length > 0 && options?.errors !== 'collect') {
      throw new FeatureInputError(report.errors, {
        problems: report.errors.length,
        rows: rejected.length,
      });
    }
    return {
      values: out,
      rows: count,
      width,
      issues: report.issues,
      errors: report.errors,
      rejected,
    };
  }

  #checkNoUnknownColumns(row: RawRow, rowIndex: number, report: TransformReport): boolean {
    let valid = true;
    for (const key in row) {
      if (!this.#declared.has(key) && Object.hasOwn(row, key)) {
        pushError(
          report,
          rowIndex,
          key,
          'unknown_column',
          `only the declared columns: ${this.#declaredText}`,
          row[key],
          `row ${rowIndex}, column ${JSON.stringify(key)}: unknown column (this pipeline rejects columns it does not declare)`,
        );
        valid = false;
      }
    }
    return valid;
  }
}
