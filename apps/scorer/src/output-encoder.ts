import { predictedClass } from '@tandem/runtime/predictor';
import type { DataFormat, RecordChunk } from '@tandem/tabular';
import { csvField, csvValue, jsonNumber } from '@tandem/tabular';
import type { ChunkResult } from './chunk-scorer.ts';
import { type ExplainLayout, explanationCells } from './explain-columns.ts';
import { ERROR_COLUMN } from './prediction-columns.ts';
import { RowObjectPool } from './row-objects.ts';

export interface OutputEncoderOptions {
  input: DataFormat;
  output: DataFormat;
  /** Columns of the input as written out: the CSV header, or an NDJSON file's first object keys. */
  inputColumns: readonly string[];
  /** Prediction columns, from predictionColumns(); empty to copy rows unchanged. */
  predictionColumns: readonly string[];
  /** Class names in output order (classifiers); the first prediction column is then the label. */
  classes?: readonly string[];
  /** Adds the `error` column: the reason a row was not scored, empty when it was. */
  errorColumn: boolean;
  /** --explain: the explanation columns close predictionColumns (explanationColumns()). */
  explain?: ExplainLayout;
}

/**
 * Writes output lines: each record's input columns as read, then the prediction columns (and the
 * error column). CSV input written as CSV keeps each record's original text; NDJSON input written
 * as NDJSON keeps each object's original text and appends members to it. Everything is built as
 * strings straight from the parsed fields, with no intermediate object per row.
 */
export class OutputEncoder {
  private readonly options: OutputEncoderOptions;
  /** Prediction column names as JSON member prefixes: `,"label":`. */
  private readonly memberKeys: string[];
  private readonly classText: string[];
  private readonly errorKey = `,${JSON.stringify(ERROR_COLUMN)}:`;
  private readonly emptyPredictions: string;
  private readonly emptyInput: string;
  private jsonRows: RowObjectPool | undefined;

  constructor(options: OutputEncoderOptions) {
    this.options = options;
    const toCsv = options.output === 'csv';
    this.memberKeys = options.predictionColumns.map((name) => `,${JSON.stringify(name)}:`);
    this.classText = (options.classes ?? []).map((name) =>
      toCsv ? csvField(name) : JSON.stringify(name),
    );
    this.emptyPredictions = toCsv
      ? ','.repeat(options.predictionColumns.length)
      : this.memberKeys.map((key) => `${key}null`).join('');
    this.emptyInput = toCsv ? ','.repeat(Math.max(0, options.inputColumns.length - 1)) : '{';
  }

  /** The first line of the file: the CSV header; nothing for NDJSON. */
  header(): string {
    if (this.options.output !== 'csv') return '';
    const names = [...this.options.inputColumns, ...this.options.predictionColumns];
    if (this.options.errorColumn) names.push(ERROR_COLUMN);
    return `${names.map(csvField).join(',')}\n`;
  }

  /** The output line of record i (with its line break). */
  line(
    chunk: RecordChunk,
    i: number,
    result: ChunkResult | undefined,
    reason: string | undefined,
  ): string {
    const tail = this.predictions(result, i, reason) + this.error(reason);
    if (this.options.output === 'csv') {
      if (this.options.inputColumns.length === 0) return `${tail.slice(1)}\n`;
      return `${this.csvInput(chunk, i, reason !== undefined)}${tail}\n`;
    }
    const open = this.jsonInput(chunk, i);
    // An object with no members yet takes the first appended member without its comma.
    return `${open}${this.hasMembers(chunk, i) ? tail : tail.slice(1)}}\n`;
  }

  private hasMembers(chunk: RecordChunk, i: number): boolean {
    if (chunk.format === 'csv') {
      return chunk.fields[i] !== undefined && this.options.inputColumns.length > 0;
    }
    const object = chunk.objects[i];
    if (object === undefined) return false;
    for (const _ in object) return true;
    return false;
  }

  private predictions(
    result: ChunkResult | undefined,
    i: number,
    reason: string | undefined,
  ): string {
    if (this.options.predictionColumns.length === 0) return '';
    if (result === undefined || reason !== undefined) return this.emptyPredictions;
    const { outputs, width } = result;
    const base = i * width;
    const toCsv = this.options.output === 'csv';
    let text = '';
    let column = 0;
    if (this.classText.length > 0) {
      // The runtime's label rule (what the server answers), on the flat outputs: no object per row.
      const best = predictedClass(outputs, base, width);
      text += (toCsv ? ',' : (this.memberKeys[column] as string)) + this.classText[best];
      column++;
    }
    for (let j = 0; j < width; j++, column++) {
      const value = outputs[base + j] as number;
      text += toCsv ? `,${value}` : (this.memberKeys[column] as string) + jsonNumber(value);
    }
    const explanation = result.explanations?.[i];
    if (this.options.explain && explanation) {
      for (const cell of explanationCells(explanation, this.options.explain)) {
        const prefix = toCsv ? ',' : (this.memberKeys[column] as string);
        if (cell === null) text += toCsv ? ',' : `${prefix}null`;
        else if (typeof cell === 'string')
          text += prefix + (toCsv ? csvField(cell) : JSON.stringify(cell));
        else text += prefix + (toCsv ? `${cell}` : jsonNumber(cell));
        column++;
      }
    }
    return text;
  }

  private error(reason: string | undefined): string {
    if (!this.options.errorColumn) return '';
    if (this.options.output === 'csv') return reason === undefined ? ',' : `,${csvField(reason)}`;
    return this.errorKey + (reason === undefined ? 'null' : JSON.stringify(reason));
  }

  /** The record's input columns as CSV text. */
  private csvInput(chunk: RecordChunk, i: number, bad: boolean): string {
    const columns = this.options.inputColumns;
    if (chunk.format === 'csv') {
      const fields = chunk.fields[i];
      if (fields === undefined) return this.emptyInput;
      if (!bad || fields.length === columns.length) return chunk.raw[i] as string;
      // Wrong field count: padded or cut to the header so the output stays rectangular.
      return columns.map((_, j) => csvField(fields[j] ?? '')).join(',');
    }
    const object = chunk.objects[i];
    if (object === undefined) return this.emptyInput;
    let text = '';
    for (let j = 0; j < columns.length; j++) {
      if (j > 0) text += ',';
      text += csvValue(object[columns[j] as string]);
    }
    return text;
  }

  /** The record's input as an unclosed JSON object: `{"a":1,"b":"x"`. */
  private jsonInput(chunk: RecordChunk, i: number): string {
    if (chunk.format === 'ndjson') {
      if (chunk.objects[i] === undefined) return '{';
      const raw = chunk.raw[i] as string;
      return raw.slice(0, raw.lastIndexOf('}'));
    }
    let fields = chunk.fields[i];
    if (fields === undefined) return '{';
    const columns = this.options.inputColumns;
    if (fields.length !== columns.length) fields = columns.map((_, j) => fields?.[j] ?? '');
    // JSON.stringify of a same-shaped object builds the text in one pass: several times faster
    // than concatenating key and value strings.
    this.jsonRows ??= new RowObjectPool(columns);
    const text = JSON.stringify(this.jsonRows.fill(0, fields));
    return text.slice(0, -1);
  }
}

/**
 * Lines of the rejects file: the record's line number, the reason, and the original record.
 * CSV: columns `line,reason,row` with `row` the record's text as read. NDJSON:
 * `{"line":…,"reason":…,"row":…}` with `row` the original object (or its text when it is not JSON).
 */
export class RejectsEncoder {
  private readonly format: DataFormat;

  constructor(format: DataFormat) {
    this.format = format;
  }

  header(): string {
    return this.format === 'csv' ? 'line,reason,row\n' : '';
  }

  line(chunk: RecordChunk, i: number, reason: string): string {
    const line = chunk.lines[i] as number;
    const raw = chunk.raw[i] as string;
    if (this.format === 'csv') return `${line},${csvField(reason)},${csvField(raw)}\n`;
    const row =
      chunk.format === 'ndjson' && chunk.objects[i] !== undefined ? raw : JSON.stringify(raw);
    return `{"line":${line},"reason":${JSON.stringify(reason)},"row":${row}}\n`;
  }
}
