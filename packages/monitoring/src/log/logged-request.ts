import { argmaxLabel } from '../profile/build.ts';
import { type RowColumns, rowOf } from '../row-columns.ts';
import type { LoggedOutput, PredictionEvent } from './events.ts';

/**
 * One answered request as the serving thread hands it to the log's worker thread: its rows as
 * typed columns, its outputs as float32, and the fields its rows share.
 */
export interface LoggedRequest {
  id: string;
  /** Epoch ms of the answer. */
  time: number;
  model: string;
  version: number;
  label: string | null;
  route: string;
  /** Rows logged: the first `rows` of the columns (fewer when the log had less room). */
  rows: number;
  names: readonly string[];
  kinds: Uint8Array;
  values: Float64Array;
  /**
   * The request's strings end to end, `lengths` long each: one string crosses to the worker far
   * faster than an array of many short ones.
   */
  text: string;
  lengths: Uint32Array;
  irregular: Map<number, string> | undefined;
  /** rows × width, as the predictor answered. */
  outputs: Float32Array;
  /** Classes in output order; undefined for a regressor. */
  classes: readonly string[] | undefined;
}

/**
 * The prediction events of a logged request, one per row, each field as the serving thread
 * used to build it: JSON.stringify of each equals what the log wrote before it had a worker.
 */
export function requestEvents(request: LoggedRequest): PredictionEvent[] {
  const { classes } = request;
  const columns: RowColumns = {
    rows: request.rows,
    names: request.names,
    kinds: request.kinds,
    values: request.values,
    strings: unpack(request.text, request.lengths),
    irregular: request.irregular,
  };
  const time = new Date(request.time).toISOString();
  const width = classes?.length ?? 1;
  const events: PredictionEvent[] = new Array(request.rows);
  for (let row = 0; row < request.rows; row++) {
    events[row] = {
      type: 'prediction',
      id: request.id,
      row,
      time,
      model: request.model,
      version: request.version,
      label: request.label,
      route: request.route,
      input: rowOf(columns, row),
      output: outputOf(request.outputs, row, width, classes),
    };
  }
  return events;
}

/** The native API's answer for one row: the most probable class and every probability, or the value. */
function outputOf(
  outputs: Float32Array,
  row: number,
  width: number,
  classes: readonly string[] | undefined,
): LoggedOutput {
  if (classes === undefined) return { value: outputs[row] as number };
  const probabilities: Record<string, number> = {};
  for (let k = 0; k < width; k++)
    probabilities[classes[k] as string] = outputs[row * width + k] as number;
  // Served outputs are finite (the data plane refuses others), so the first highest score wins
  // here as in the answer.
  return { label: argmaxLabel(outputs, row, classes) ?? (classes[0] as string), probabilities };
}

/** The strings of a request, packed end to end by pack(). */
export function pack(strings: readonly string[]): { text: string; lengths: Uint32Array } {
  const lengths = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) lengths[i] = (strings[i] as string).length;
  return { text: strings.join(''), lengths };
}

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
