import type { RawRow } from '@tandem/features';
import { copyCells } from '../copy-cells.ts';
import { argmaxLabel } from '../profile/build.ts';
import { CELL, readCells, rowNames, type StringTable } from '../row-columns.ts';
import { type BufferPool, PooledBytes } from './buffer-pool.ts';
import { EncodedLines } from './events.ts';
import { JsonBytes, JsonStringCache } from './json-bytes.ts';

/**
 * Answered requests as the serving thread hands them to the log's worker thread, many in one
 * message: every request's cells in shared typed arrays, its outputs as float32, all strings in
 * one list. A few large arrays cross threads far faster than many small ones (a small typed array
 * costs microseconds to clone); a list of strings costs less to clone than to join into one text.
 */
export interface LoggedBatch {
  /** Requests in the batch. */
  count: number;
  /**
   * Each request's numbers, REQUEST_FIELDS of them (see FIELD): a typed array crosses threads as
   * its bytes, where an object per request costs its every property to clone.
   */
  fields: Float64Array;
  /** Each request's id, in turn. */
  ids: string[];
  /** The rows of another shape, as JSON text by row, of the requests that had any. */
  irregular: [request: number, rows: Map<number, string>][];
  /** The column-name and class lists of the batch's requests, each once (see `names`). */
  lists: (readonly string[])[];
  kinds: Uint8Array;
  values: Float64Array;
  outputs: Float32Array;
  /**
   * The batch's strings, each short one once: the string cells (their values index this list)
   * and every request's model, route and label. Requests repeat a few levels and names, and each
   * string costs its clone.
   */
  strings: string[];
}

/** Where each of a request's numbers sits in LoggedBatch.fields. */
const FIELD = {
  TIME: 0,
  VERSION: 1,
  ROWS: 2,
  NAMES: 3,
  CLASSES: 4,
  CELLS: 5,
  OUTPUTS: 6,
  /** Indices in `strings`; the label's is -1 when no label chose the version. */
  MODEL: 7,
  ROUTE: 8,
  LABEL: 9,
  /** The first LOGGED of its ROWS rows are logged (0: the request is for drift only). */
  LOGGED: 10,
  /** The drift monitor that counts its rows (-1: none). */
  MONITOR: 11,
} as const;
const REQUEST_FIELDS = 12;
/** Strings up to this length are sent once per batch; longer ones (JSON cells) as they come. */
const SHARED_STRING_LENGTH = 64;

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

/** One request of a batch, as requestsOf rebuilds it: its shared fields, where its data starts. */
export interface LoggedRequest extends RequestFields {
  /** Rows in the batch: all of them for drift, else the logged ones. */
  rows: number;
  /** Rows logged, the first of them (fewer than it had when the log had less room). */
  logged: number;
  /** The drift monitor that counts its rows, -1 for none. */
  monitor: number;
  /** Its column names and classes (in output order; -1 for a regressor), as indices in `lists`. */
  names: number;
  classes: number;
  irregular: Map<number, string> | undefined;
  /** Its first cell in kinds and values, and its first output. */
  cells: number;
  outputs: number;
}

/** What a request brings to a batch: the shared fields, its rows, its outputs. */
export interface BatchEntry extends RequestFields {
  rows: readonly RawRow[];
  /** rows × width float32 outputs (copied: the caller may reuse its buffer). */
  outputs: Float32Array;
  classes: readonly string[] | undefined;
}

/**
 * Gathers requests into the arrays of one LoggedBatch (serving thread): the rows the log keeps
 * and the rows drift counts travel once.
 */
export class BatchBuilder {
  private count = 0;
  private fields = new Float64Array(64 * REQUEST_FIELDS);
  private ids: string[] = [];
  private irregular: [number, Map<number, string>][] = [];
  private lists: (readonly string[])[] = [];
  private kinds = new Uint8Array(4096);
  private values = new Float64Array(4096);
  private outputs = new Float32Array(1024);
  private strings: string[] = [];
  private stringIndex = new Map<string, number>();
  private cells = 0;
  private outputCount = 0;
  /** The last request's column names: requests of one shape share the list (by identity). */
  private lastNames: readonly string[] | undefined;
  /**
   * String cells go into the batch's list through stringOf. A row found irregular keeps the
   * strings it added (they are valid entries, merely unused).
   */
  private readonly table: StringTable = {
    add: (text) => this.stringOf(text),
    mark: () => 0,
    reset: () => {},
  };

  get size(): number {
    return this.count;
  }

  /**
   * Reads the first `rows` rows of a request straight into the batch's arrays (the first
   * `logged` of them are logged, all counted in drift by `monitor`, -1: none), each short string
   * once per batch.
   */
  add(entry: BatchEntry, rows: number, logged = rows, monitor = -1): void {
    const first = entry.rows[0];
    const names = first === undefined ? [] : rowNames(first, this.lastNames);
    this.lastNames = names;
    const cellCount = rows * names.length;
    const width = entry.outputs.length / Math.max(entry.rows.length, 1);
    const outputCount = rows * width;
    this.reserve(cellCount, outputCount);
    const cells = this.cells;
    // The arrays are fresh from take() (or grown zeroed): unwritten cells read CELL.UNDEFINED.
    const irregular = readCells(
      entry.rows,
      rows,
      names,
      this.kinds,
      this.values,
      cells,
      this.table,
    );
    copyCells(entry.outputs, 0, this.outputs, this.outputCount, outputCount);
    const fields = this.fields;
    const at = this.count * REQUEST_FIELDS;
    fields[at + FIELD.TIME] = entry.time;
    fields[at + FIELD.VERSION] = entry.version;
    fields[at + FIELD.ROWS] = rows;
    fields[at + FIELD.NAMES] = this.listIndex(names);
    fields[at + FIELD.CLASSES] = entry.classes === undefined ? -1 : this.listIndex(entry.classes);
    fields[at + FIELD.CELLS] = cells;
    fields[at + FIELD.OUTPUTS] = this.outputCount;
    fields[at + FIELD.MODEL] = this.stringOf(entry.model);
    fields[at + FIELD.ROUTE] = this.stringOf(entry.route);
    fields[at + FIELD.LABEL] = entry.label === null ? -1 : this.stringOf(entry.label);
    fields[at + FIELD.LOGGED] = logged;
    fields[at + FIELD.MONITOR] = monitor;
    this.ids.push(entry.id);
    if (irregular !== undefined) this.irregular.push([this.count, irregular]);
    this.count++;
    this.cells += cellCount;
    this.outputCount += outputCount;
  }

  /** The batch so far, and the buffers to transfer with it; the builder starts afresh. */
  take(): { batch: LoggedBatch; transfer: ArrayBuffer[] } {
    const batch: LoggedBatch = {
      count: this.count,
      fields: this.fields,
      ids: this.ids,
      irregular: this.irregular,
      lists: this.lists,
      kinds: this.kinds,
      values: this.values,
      outputs: this.outputs,
      strings: this.strings,
    };
    const transfer = [
      batch.fields.buffer,
      batch.kinds.buffer,
      batch.values.buffer,
      batch.outputs.buffer,
    ];
    this.count = 0;
    this.fields = new Float64Array(this.fields.length);
    this.ids = [];
    this.irregular = [];
    this.lists = [];
    this.kinds = new Uint8Array(this.kinds.length);
    this.values = new Float64Array(this.values.length);
    this.outputs = new Float32Array(this.outputs.length);
    this.strings = [];
    this.stringIndex = new Map();
    this.cells = 0;
    this.outputCount = 0;
    return { batch, transfer: transfer as ArrayBuffer[] };
  }

  /** A string's index in the batch's list: short ones are added once. */
  private stringOf(text: string): number {
    if (text.length > SHARED_STRING_LENGTH) return this.strings.push(text) - 1;
    const known = this.stringIndex.get(text);
    if (known !== undefined) return known;
    const index = this.strings.push(text) - 1;
    this.stringIndex.set(text, index);
    return index;
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
    if ((this.count + 1) * REQUEST_FIELDS > this.fields.length) {
      const grown = new Float64Array(this.fields.length * 2);
      grown.set(this.fields);
      this.fields = grown;
    }
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
 * class, then every probability). All lines go into one buffer, as bytes: one entry for the log,
 * however many rows.
 */
export function batchLines(
  batch: LoggedBatch,
  cache = new JsonStringCache(),
  pool?: BufferPool,
  requests = requestsOf(batch),
): EncodedLines {
  const { strings } = batch;
  let lineCount = 0;
  let cellCount = 0;
  for (const request of requests) {
    lineCount += request.logged;
    cellCount += request.logged * (batch.lists[request.names]?.length ?? 0);
  }
  // Room for the lines as they usually come (credit rows: about 34 bytes a cell, with the
  // shared fields and the output), so that the buffer seldom grows.
  const out = new JsonBytes(cellCount * 40 + lineCount * 160 + 4096, pool);
  const ends = new Int32Array(lineCount);
  let line = 0;
  const keysOf = new Map<number, ColumnKeys>();
  const writers = new Map<number, ReturnType<typeof outputWriter>>();
  const shared = new SharedFields();
  for (const request of requests) {
    if (request.logged === 0) continue;
    const names = batch.lists[request.names] as readonly string[];
    const width = names.length;
    let keys = keysOf.get(request.names);
    if (keys === undefined) {
      keys = columnKeys(names);
      keysOf.set(request.names, keys);
    }
    const { opening, following } = keys;
    const classes = request.classes < 0 ? undefined : batch.lists[request.classes];
    let output = writers.get(request.classes);
    if (output === undefined) {
      output = outputWriter(classes, cache);
      writers.set(request.classes, output);
    }
    const outputs = batch.outputs.subarray(
      request.outputs,
      request.outputs + request.rows * (classes?.length ?? 1),
    );
    // The fields every row of the request shares: written out for its first row, copied after.
    let head = [0, 0];
    let middle = [0, 0];
    for (let row = 0; row < request.logged; row++) {
      if (row === 0) {
        const from = out.length;
        out.raw(HEAD);
        if (!out.plainString(request.id, 0, request.id.length))
          out.text(JSON.stringify(request.id));
        out.raw(ROW_KEY);
        head = [from, out.length];
        out.digits(0);
        const middleFrom = out.length;
        out.raw(TIME_KEY);
        const time = shared.time(request.time);
        out.plainString(time, 0, time.length);
        out.raw(shared.rest(request));
        middle = [middleFrom, out.length];
      } else {
        out.again(head[0] as number, head[1] as number);
        out.digits(row);
        out.again(middle[0] as number, middle[1] as number);
      }
      const irregular = request.irregular?.get(row);
      if (irregular !== undefined) {
        out.text(irregular);
      } else {
        const at = request.cells + row * width;
        let first = true;
        for (let c = 0; c < width; c++) {
          const kind = batch.kinds[at + c] as number;
          // A key JSON.stringify leaves out.
          if (kind === CELL.UNDEFINED) continue;
          // The brace or comma before a key comes with it: one copy.
          out.raw((first ? opening[c] : following[c]) as Buffer);
          first = false;
          const value = batch.values[at + c] as number;
          if (kind === CELL.STRING || kind === CELL.JSON) {
            const text = strings[value] as string;
            if (kind === CELL.JSON) out.text(text);
            else if (!out.plainString(text, 0, text.length)) out.raw(cache.of(text));
          } else {
            writeCell(out, kind, value);
          }
        }
        if (first) out.byte(OPEN);
        out.byte(CLOSE);
      }
      // The output, then the event's closing brace and newline.
      output(out, outputs, row);
      ends[line++] = out.length;
    }
  }
  if (pool === undefined) return new EncodedLines(out.take(), 0, ends);
  const { bytes, whole } = out.takeWithBuffer();
  return new EncodedLines(bytes, 0, ends, new PooledBytes(whole, pool));
}

/** A batch's requests as objects again (worker thread). */
export function requestsOf(batch: LoggedBatch): LoggedRequest[] {
  const { fields, ids, strings } = batch;
  const irregular = new Map(batch.irregular);
  const requests: LoggedRequest[] = new Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const at = i * REQUEST_FIELDS;
    const label = fields[at + FIELD.LABEL] as number;
    requests[i] = {
      id: ids[i] as string,
      model: strings[fields[at + FIELD.MODEL] as number] as string,
      route: strings[fields[at + FIELD.ROUTE] as number] as string,
      label: label < 0 ? null : (strings[label] as string),
      time: fields[at + FIELD.TIME] as number,
      version: fields[at + FIELD.VERSION] as number,
      rows: fields[at + FIELD.ROWS] as number,
      logged: fields[at + FIELD.LOGGED] as number,
      monitor: fields[at + FIELD.MONITOR] as number,
      names: fields[at + FIELD.NAMES] as number,
      classes: fields[at + FIELD.CLASSES] as number,
      irregular: irregular.get(i),
      cells: fields[at + FIELD.CELLS] as number,
      outputs: fields[at + FIELD.OUTPUTS] as number,
    };
  }
  return requests;
}

const HEAD = Buffer.from('{"type":"prediction","id":', 'utf8');
const ROW_KEY = Buffer.from(',"row":', 'utf8');
const TIME_KEY = Buffer.from(',"time":', 'utf8');

/**
 * The shared fields after the row, as bytes, kept from one request to the next while they
 * repeat: requests of a batch mostly share their model, version, label and route, and many
 * their millisecond.
 */
class SharedFields {
  private lastTime = Number.NaN;
  private lastIso = '';
  private last: RequestFields | undefined;
  private lastRest = Buffer.alloc(0);

  /** The time as ISO-8601 (plain ASCII: its JSON is the text in quotes). */
  time(time: number): string {
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastIso = new Date(time).toISOString();
    }
    return this.lastIso;
  }

  /** `,"model":…,"version":…,"label":…,"route":…,"input":` */
  rest(request: RequestFields): Buffer {
    const last = this.last;
    if (
      last === undefined ||
      last.model !== request.model ||
      last.version !== request.version ||
      last.label !== request.label ||
      last.route !== request.route
    ) {
      this.last = request;
      this.lastRest = Buffer.from(
        `,"model":${JSON.stringify(request.model)},"version":${JSON.stringify(request.version)}` +
          `,"label":${JSON.stringify(request.label)},"route":${JSON.stringify(request.route)},"input":`,
        'utf8',
      );
    }
    return this.lastRest;
  }
}

/** A request shape's keys as JSON, with what comes before each: `{"name":` first, `,"name":` after. */
interface ColumnKeys {
  opening: Buffer[];
  following: Buffer[];
}

function columnKeys(names: readonly string[]): ColumnKeys {
  return {
    opening: names.map((name) => Buffer.from(`{${JSON.stringify(name)}:`, 'utf8')),
    following: names.map((name) => Buffer.from(`,${JSON.stringify(name)}:`, 'utf8')),
  };
}

const OPEN = 0x7b;
const CLOSE = 0x7d;
const QUOTE = 0x22;
const NULL = Buffer.from('null', 'utf8');
const TRUE = Buffer.from('true', 'utf8');
const FALSE = Buffer.from('false', 'utf8');

/** A cell's JSON (any kind but CELL.UNDEFINED and the strings'). */
function writeCell(out: JsonBytes, kind: number, value: number): void {
  switch (kind) {
    case CELL.NUMBER:
      out.number(value);
      return;
    case CELL.DIGITS:
      out.byte(QUOTE);
      out.digits(value);
      out.byte(QUOTE);
      return;
    case CELL.NULL:
      out.raw(NULL);
      return;
    case CELL.TRUE:
      out.raw(TRUE);
      return;
    case CELL.FALSE:
      out.raw(FALSE);
      return;
  }
}

/**
 * Writes a row's output as the native answer's JSON, `,"output":{"value":…}`, or
 * `,"output":{"label":…,"probabilities":{…}}` with the probabilities in the key order an object
 * of the classes takes (integer-like names first, as JSON.stringify would list them), then the
 * event's closing brace and newline. The constant runs between numbers are one copy each.
 */
function outputWriter(
  classes: readonly string[] | undefined,
  cache: JsonStringCache,
): (out: JsonBytes, outputs: Float32Array, row: number) => void {
  if (classes === undefined) {
    const open = Buffer.from(',"output":{"value":', 'utf8');
    const close = Buffer.from('}}\n', 'utf8');
    return (out, outputs, row) => {
      out.raw(open);
      out.number(outputs[row] as number);
      out.raw(close);
    };
  }
  const width = classes.length;
  const order = Object.keys(Object.fromEntries(classes.map((name) => [name, 0])));
  const slots = order.map((name) => classes.indexOf(name));
  const keys = order.map((name, i) =>
    Buffer.from(`${i === 0 ? '' : ','}${JSON.stringify(name)}:`, 'utf8'),
  );
  // Per answered class: everything from the output's key to its first probability's key.
  const openings = classes.map((name) =>
    Buffer.concat([
      Buffer.from(',"output":{"label":', 'utf8'),
      cache.of(name),
      Buffer.from(',"probabilities":{', 'utf8'),
      keys[0] ?? Buffer.alloc(0),
    ]),
  );
  const close = Buffer.from('}}}\n', 'utf8');
  return (out, outputs, row) => {
    // Served outputs are finite (the data plane refuses others), so the first highest score wins
    // here as in the answer.
    const label = argmaxLabel(outputs, row, classes);
    const best = label === undefined ? 0 : classes.indexOf(label);
    out.raw(openings[best] as Buffer);
    for (let i = 0; i < slots.length; i++) {
      if (i > 0) out.raw(keys[i] as Buffer);
      out.number(outputs[row * width + (slots[i] as number)] as number);
    }
    out.raw(close);
  };
}
