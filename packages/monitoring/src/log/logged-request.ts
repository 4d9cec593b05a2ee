import { argmaxLabel } from '../profile/build.ts';
import { CELL, type RowColumns } from '../row-columns.ts';
import { EncodedEvent } from './events.ts';

/**
 * Answered requests as the serving thread hands them to the log's worker thread, many in one
 * message: every request's cells in shared typed arrays, its outputs as float32, all strings as
 * one text. A few large arrays and one string cross threads far faster than many small ones.
 */
export interface LoggedBatch {
  requests: LoggedRequest[];
  /** The column-name and class lists of the batch's requests, each once (see `names`). */
  lists: (readonly string[])[];
  kinds: Uint8Array;
  values: Float64Array;
  outputs: Float32Array;
  /** The strings of every request end to end, `lengths` long each. */
  text: string;
  lengths: Uint32Array;
}

/** The fields every row of a request shares in its events. */
export interface RequestFields {
  id: string;
  /** Epoch ms of the answer. */
  time: number;
  model: string;
  version: number;
  label: string | null;
  route: string;
}

/** One request of a batch: the fields its rows share, and where its data starts. */
export interface LoggedRequest extends RequestFields {
  /** Rows logged (fewer than it had when the log had less room). */
  rows: number;
  /** Its column names and classes (in output order; -1 for a regressor), as indices in `lists`. */
  names: number;
  classes: number;
  irregular: Map<number, string> | undefined;
  /** Its first cell in kinds and values, first string, string count and first output. */
  cells: number;
  strings: number;
  stringCount: number;
  outputs: number;
}

/** What a request brings to a batch: the shared fields, its rows as columns, its outputs. */
export interface BatchEntry extends RequestFields {
  columns: RowColumns;
  /** rows × width float32 outputs (copied: the caller may reuse its buffer). */
  outputs: Float32Array;
  classes: readonly string[] | undefined;
}

/** Gathers requests into the arrays of one LoggedBatch (serving thread). */
export class BatchBuilder {
  private requests: LoggedRequest[] = [];
  private lists: (readonly string[])[] = [];
  private kinds = new Uint8Array(4096);
  private values = new Float64Array(4096);
  private outputs = new Float32Array(1024);
  private strings: string[] = [];
  private cells = 0;
  private outputCount = 0;

  get size(): number {
    return this.requests.length;
  }

  /** Adds the first `rows` rows of a request. */
  add(entry: BatchEntry, rows: number): void {
    const { columns } = entry;
    const cellCount = rows * columns.names.length;
    const width = entry.outputs.length / Math.max(columns.rows, 1);
    const outputCount = rows * width;
    this.reserve(cellCount, outputCount);
    this.kinds.set(columns.kinds.subarray(0, cellCount), this.cells);
    this.values.set(columns.values.subarray(0, cellCount), this.cells);
    this.outputs.set(entry.outputs.subarray(0, outputCount), this.outputCount);
    this.requests.push({
      id: entry.id,
      time: entry.time,
      model: entry.model,
      version: entry.version,
      label: entry.label,
      route: entry.route,
      rows,
      names: this.listIndex(columns.names),
      classes: entry.classes === undefined ? -1 : this.listIndex(entry.classes),
      irregular: columns.irregular,
      cells: this.cells,
      strings: this.strings.length,
      stringCount: columns.strings.length,
      outputs: this.outputCount,
    });
    for (const text of columns.strings) this.strings.push(text);
    this.cells += cellCount;
    this.outputCount += outputCount;
  }

  /** The batch so far, and the buffers to transfer with it; the builder starts afresh. */
  take(): { batch: LoggedBatch; transfer: ArrayBuffer[] } {
    const lengths = new Uint32Array(this.strings.length);
    for (let i = 0; i < this.strings.length; i++) lengths[i] = (this.strings[i] as string).length;
    const batch: LoggedBatch = {
      requests: this.requests,
      lists: this.lists,
      kinds: this.kinds,
      values: this.values,
      outputs: this.outputs,
      text: this.strings.join(''),
      lengths,
    };
    const transfer = [
      batch.kinds.buffer,
      batch.values.buffer,
      batch.outputs.buffer,
      lengths.buffer,
    ];
    this.requests = [];
    this.lists = [];
    this.kinds = new Uint8Array(this.kinds.length);
    this.values = new Float64Array(this.values.length);
    this.outputs = new Float32Array(this.outputs.length);
    this.strings = [];
    this.cells = 0;
    this.outputCount = 0;
    return { batch, transfer: transfer as ArrayBuffer[] };
  }

  /** A list's index in this batch: requests of one shape share it (recognised by identity). */
  private listIndex(list: readonly string[]): number {
    // The last few suffice (a version's shape and classes); odd shapes just repeat their list.
    for (let i = this.lists.length - 1; i >= Math.max(this.lists.length - 4, 0); i--) {
      if (this.lists[i] === list) return i;
    }
    return this.lists.push(list) - 1;
  }

  private reserve(cells: number, outputs: number): void {
    if (this.cells + cells > this.kinds.length) {
      const size = Math.max(this.kinds.length * 2, this.cells + cells);
      const kinds = new Uint8Array(size);
      kinds.set(this.kinds.subarray(0, this.cells));
      const values = new Float64Array(size);
      values.set(this.values.subarray(0, this.cells));
      this.kinds = kinds;
      this.values = values;
    }
    if (this.outputCount + outputs > this.outputs.length) {
      const grown = new Float32Array(Math.max(this.outputs.length * 2, this.outputCount + outputs));
      grown.set(this.outputs.subarray(0, this.outputCount));
      this.outputs = grown;
    }
  }
}

/**
 * The prediction events of a batch, one per logged row, each written straight from the columns
 * as the JSON line the serving thread used to write: JSON.stringify of the event it built, with
 * the input's keys in the row's own order and the output as the native answer (the first highest
 * class, then every probability).
 */
export function batchLines(batch: LoggedBatch): EncodedEvent[] {
  const strings = unpack(batch.text, batch.lengths);
  const lines: EncodedEvent[] = [];
  for (const request of batch.requests) {
    const names = batch.lists[request.names] as readonly string[];
    const width = names.length;
    const keys = names.map((name) => `${JSON.stringify(name)}:`);
    const texts = strings.slice(request.strings, request.strings + request.stringCount);
    const classes = request.classes < 0 ? undefined : batch.lists[request.classes];
    const output = outputWriter(classes);
    const outputs = batch.outputs.subarray(
      request.outputs,
      request.outputs + request.rows * (classes?.length ?? 1),
    );
    const head = `{"type":"prediction","id":${JSON.stringify(request.id)},"row":`;
    const middle =
      `,"time":${JSON.stringify(new Date(request.time).toISOString())}` +
      `,"model":${JSON.stringify(request.model)},"version":${JSON.stringify(request.version)}` +
      `,"label":${JSON.stringify(request.label)},"route":${JSON.stringify(request.route)},"input":`;
    for (let row = 0; row < request.rows; row++) {
      let input = request.irregular?.get(row);
      if (input === undefined) {
        input = '{';
        const at = request.cells + row * width;
        for (let c = 0; c < width; c++) {
          const value = cellJson(
            batch.kinds[at + c] as number,
            batch.values[at + c] as number,
            texts,
          );
          if (value === undefined) continue;
          input += `${input.length > 1 ? ',' : ''}${keys[c]}${value}`;
        }
        input += '}';
      }
      lines.push(
        new EncodedEvent(`${head}${row}${middle}${input},"output":${output(outputs, row)}}`),
      );
    }
  }
  return lines;
}

/** A cell's JSON text, or undefined for a key JSON.stringify leaves out. */
function cellJson(kind: number, value: number, texts: readonly string[]): string | undefined {
  switch (kind) {
    case CELL.NUMBER:
      return number(value);
    case CELL.DIGITS:
      return `"${value}"`;
    case CELL.STRING:
      return JSON.stringify(texts[value]);
    case CELL.JSON:
      return texts[value];
    case CELL.NULL:
      return 'null';
    case CELL.TRUE:
      return 'true';
    case CELL.FALSE:
      return 'false';
    default:
      return undefined;
  }
}

/** A number as JSON.stringify writes it (non-finite numbers as null). */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Writes a row's output as the native answer's JSON: `{"value":…}`, or `{"label":…,
 * "probabilities":{…}}` with the probabilities in the key order an object of the classes takes
 * (integer-like names first, as JSON.stringify would list them).
 */
function outputWriter(
  classes: readonly string[] | undefined,
): (outputs: Float32Array, row: number) => string {
  if (classes === undefined) return (outputs, row) => `{"value":${number(outputs[row] as number)}}`;
  const width = classes.length;
  const order = Object.keys(Object.fromEntries(classes.map((name) => [name, 0])));
  const slots = order.map((name) => [classes.indexOf(name), `${JSON.stringify(name)}:`] as const);
  const labels = classes.map((name) => JSON.stringify(name));
  return (outputs, row) => {
    let probabilities = '';
    for (const [k, key] of slots) {
      probabilities += `${probabilities === '' ? '' : ','}${key}${number(outputs[row * width + k] as number)}`;
    }
    // Served outputs are finite (the data plane refuses others), so the first highest score wins
    // here as in the answer.
    const label = argmaxLabel(outputs, row, classes);
    const best = label === undefined ? 0 : classes.indexOf(label);
    return `{"label":${labels[best]},"probabilities":{${probabilities}}}`;
  };
}

/** The strings of a batch, back from their text and lengths. */
function unpack(text: string, lengths: Uint32Array): string[] {
  const strings: string[] = new Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const end = at + (lengths[i] as number);
    strings[i] = text.slice(at, end);
    at = end;
  }
  return strings;
}
