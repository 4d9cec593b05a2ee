import type { InputColumnSchema, RawRow } from '@tandem/features';
import { ServerError } from '../errors.ts';

/**
 * Open Inference Protocol (KServe V2) tensors ↔ tabular rows. Tabular inputs travel as one tensor
 * per column, shape [N] or [N, 1]; rows are rebuilt here and validated by the model's own
 * pipeline, so the V2 route and the native route refuse exactly the same values.
 */

export interface V2Tensor {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: Record<string, unknown>;
  data: unknown[];
}

export interface V2InferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: V2Tensor[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface V2OutputTensor {
  name: string;
  datatype: 'BYTES' | 'FP32';
  shape: number[];
  data: (string | number)[];
}

export interface V2MetadataTensor {
  name: string;
  datatype: string;
  shape: number[];
}

const NUMERIC = new Set([
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
]);
const INTEGER = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

/** What each integer datatype can hold; 64-bit ones as far as a JSON number is exact. */
const INTEGER_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32_768, 32_767],
  INT32: [-2_147_483_648, 2_147_483_647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
  UINT16: [0, 65_535],
  UINT32: [0, 4_294_967_295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

const FLOAT32_MAX = 3.4028234663852886e38;

/** The datatypes a column of each type may travel as. */
function datatypesFor(column: InputColumnSchema): readonly string[] {
  if (column.type === 'numeric') return [...NUMERIC];
  // Boolean columns also take their words ("yes" / "no"), as JSON rows may.
  if (column.type === 'boolean') return ['BOOL', 'BYTES'];
  return ['BYTES'];
}

/**
 * Each input tensor's datatype must suit its column: numbers for numeric columns, BOOL (or
 * BYTES words) for boolean ones, BYTES for categorical and datetime ones. Tensors naming no column are left to the
 * model's pipeline, which refuses them as it refuses unknown JSON keys.
 */
export function checkDatatypes(
  inputs: readonly V2Tensor[],
  columns: readonly InputColumnSchema[],
): void {
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const tensor of inputs) {
    const column = byName.get(tensor.name);
    if (column === undefined) continue;
    const allowed = datatypesFor(column);
    if (!allowed.includes(tensor.datatype)) {
      throw invalid(
        `input ${tensor.name}: datatype ${tensor.datatype} does not suit a ${column.type} column; send ${column.type === 'numeric' ? 'FP64, FP32 or an INT type' : allowed.join(' or ')} (GET /v2/models/{name} lists each input's datatype)`,
      );
    }
  }
}

function invalid(message: string): ServerError {
  return new ServerError('TANDEM_REQUEST_INVALID', message);
}

/** Checks one element against its tensor's declared datatype; null stands for a missing value. */
function checkElement(tensor: V2Tensor, value: unknown, index: number): void {
  if (value === null) return;
  const { datatype } = tensor;
  let fits: boolean;
  if (datatype === 'BYTES') fits = typeof value === 'string';
  else if (datatype === 'BOOL') fits = typeof value === 'boolean';
  else if (INTEGER.has(datatype)) {
    const [min, max] = INTEGER_RANGE[datatype] as readonly [number, number];
    fits = typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  } else if (datatype === 'FP32') {
    fits = typeof value === 'number' && Math.abs(value) <= FLOAT32_MAX;
  } else fits = typeof value === 'number';
  if (!fits) {
    throw invalid(
      `input ${tensor.name}: element ${index} is ${JSON.stringify(value)}, not a ${datatype} value`,
    );
  }
}

/** The tensor's elements in row order: flat data, or the natural [[v], [v], …] form of [N, 1]. */
function elements(tensor: V2Tensor, rows: number): unknown[] {
  const { data } = tensor;
  if (data.length !== rows) {
    throw invalid(
      `input ${tensor.name}: shape [${tensor.shape.join(', ')}] needs ${rows} elements, data has ${data.length}`,
    );
  }
  if (!data.some(Array.isArray)) return data;
  return data.map((item, i) => {
    if (!Array.isArray(item) || item.length !== 1) {
      throw invalid(`input ${tensor.name}: element ${i} must be a single value or [value]`);
    }
    return item[0];
  });
}

/** Rows from column tensors; every tensor must agree on N, and N is at most maxRows. */
export function tensorsToRows(inputs: readonly V2Tensor[], maxRows: number): RawRow[] {
  const first = inputs[0];
  if (first === undefined) throw invalid('inputs must hold one tensor per column');
  const rows = first.shape[0] ?? 0;
  const seen = new Set<string>();
  for (const tensor of inputs) {
    if (seen.has(tensor.name)) throw invalid(`input ${tensor.name} is given twice`);
    seen.add(tensor.name);
    const { shape } = tensor;
    const shapeOk =
      (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) && shape[0] === rows;
    if (!shapeOk) {
      throw invalid(
        `input ${tensor.name}: shape [${shape.join(', ')}] must be [${rows}] or [${rows}, 1] (one tensor per column, every column the same length)`,
      );
    }
    if (
      tensor.datatype !== 'BYTES' &&
      tensor.datatype !== 'BOOL' &&
      !NUMERIC.has(tensor.datatype)
    ) {
      throw invalid(
        `input ${tensor.name}: datatype ${tensor.datatype} is not supported (use FP32, FP64, INT32, INT64, BYTES or BOOL)`,
      );
    }
  }
  if (rows < 1) throw invalid('inputs must hold at least one row');
  if (rows > maxRows) {
    throw new ServerError(
      'TANDEM_REQUEST_TOO_MANY_ROWS',
      `${rows} rows in one request; the limit is ${maxRows}`,
    );
  }
  const columns = inputs.map((tensor) => {
    const values = elements(tensor, rows);
    for (let i = 0; i < values.length; i++) checkElement(tensor, values[i], i);
    return values;
  });
  const out: Record<string, unknown>[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < inputs.length; c++) {
      row[inputs[c]!.name] = columns[c]![r];
    }
    out[r] = row;
  }
  return out;
}

/** How a pipeline input column travels as a V2 tensor. */
export function columnDatatype(column: InputColumnSchema): string {
  switch (column.type) {
    case 'numeric':
      return 'FP64';
    case 'boolean':
      return 'BOOL';
    default:
      return 'BYTES';
  }
}

export function metadataInputs(inputs: readonly InputColumnSchema[]): V2MetadataTensor[] {
  return inputs.map((c) => ({ name: c.name, datatype: columnDatatype(c), shape: [-1] }));
}

export function metadataOutputs(classes: readonly string[] | undefined): V2MetadataTensor[] {
  if (classes === undefined) return [{ name: 'value', datatype: 'FP32', shape: [-1] }];
  return [
    { name: 'label', datatype: 'BYTES', shape: [-1] },
    { name: 'probabilities', datatype: 'FP32', shape: [-1, classes.length] },
  ];
}

/**
 * Output tensors for a prediction: `outputs` is rows × width, row-major, as the predictor returns
 * it. `requested` (the request's `outputs`) selects and orders them; unknown names are an error.
 */
export function outputTensors(
  classes: readonly string[] | undefined,
  outputs: Float32Array,
  rows: number,
  labels: readonly string[] | undefined,
  requested: readonly { name: string }[] | undefined,
): V2OutputTensor[] {
  const available = new Map<string, () => V2OutputTensor>();
  if (classes === undefined) {
    available.set('value', () => ({
      name: 'value',
      datatype: 'FP32',
      shape: [rows],
      data: Array.from(outputs.subarray(0, rows)),
    }));
  } else {
    available.set('label', () => ({
      name: 'label',
      datatype: 'BYTES',
      shape: [rows],
      data: [...(labels ?? [])],
    }));
    available.set('probabilities', () => ({
      name: 'probabilities',
      datatype: 'FP32',
      shape: [rows, classes.length],
      data: Array.from(outputs.subarray(0, rows * classes.length)),
    }));
  }
  const names = requested === undefined ? [...available.keys()] : requested.map((o) => o.name);
  return names.map((name) => {
    const make = available.get(name);
    if (make === undefined) {
      throw invalid(
        `output ${name} does not exist; this model has ${[...available.keys()].join(', ')}`,
      );
    }
    return make();
  });
}
