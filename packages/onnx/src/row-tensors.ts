import type { RawRow } from '@tandem/features';
import type { GraphInput } from './pipeline-graph.ts';

/** Input tensor data for an ONNX runtime: one per graph input, shape [rows]. */
export type InputTensor =
  | { type: 'float64'; data: Float64Array; dims: [number] }
  | { type: 'string'; data: string[]; dims: [number] }
  | { type: 'bool'; data: Uint8Array; dims: [number] };

const BOOLEAN_WORDS: Record<string, number> = { true: 1, yes: 1, '1': 1, false: 0, no: 0, '0': 0 };

/**
 * Tandem raw rows (JSON, CSV or NDJSON values) as the exported graph's input tensors: numbers
 * and numeric strings as float64 with NaN for a missing value; categorical values as text, ""
 * for a missing one; booleans as bool; datetimes as float64 epoch milliseconds (ISO-8601 text
 * converted here, UTC without an offset, as Tandem reads it). A boolean cannot be missing in a
 * bool tensor: a missing boolean is an error naming the row and column.
 */
export function rowTensors(
  inputs: readonly GraphInput[],
  rows: readonly RawRow[],
): Record<string, InputTensor> {
  const n = rows.length;
  const tensors: Record<string, InputTensor> = {};
  for (const input of inputs) {
    const values = rows.map((row) => row[input.name]);
    switch (input.column) {
      case 'numeric':
        tensors[input.name] = {
          type: 'float64',
          data: Float64Array.from(values, numberOf),
          dims: [n],
        };
        break;
      case 'datetime':
        tensors[input.name] = {
          type: 'float64',
          data: Float64Array.from(values, epochMsOf),
          dims: [n],
        };
        break;
      case 'categorical':
        tensors[input.name] = { type: 'string', data: values.map(textOf), dims: [n] };
        break;
      case 'boolean':
        tensors[input.name] = {
          type: 'bool',
          data: Uint8Array.from(values, (value, row) => booleanOf(value, row, input.name)),
          dims: [n],
        };
        break;
    }
  }
  return tensors;
}

function isMissing(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
  );
}

function numberOf(value: unknown): number {
  if (isMissing(value)) return Number.NaN;
  return typeof value === 'number' ? value : Number(String(value).trim());
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

function epochMsOf(value: unknown): number {
  if (isMissing(value)) return Number.NaN;
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text);
  // Tandem reads a date-time without an offset as UTC; Date.parse would take local time.
  const iso = text.replace(' ', 'T');
  const hasTime = iso.includes('T');
  const hasOffset = /(Z|[+-]\d\d:?\d\d)$/i.test(iso);
  return Date.parse(hasTime && !hasOffset ? `${iso}Z` : iso);
}

function booleanOf(value: unknown, row: number, column: string): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  const word = BOOLEAN_WORDS[String(value).toLowerCase()];
  if (word === undefined) {
    throw new Error(
      `row ${row}, column ${JSON.stringify(column)}: ${JSON.stringify(value ?? null)} is not a boolean (a bool tensor has no missing value)`,
    );
  }
  return word;
}
