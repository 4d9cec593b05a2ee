/** Encodes one CSV field: quoted (quotes doubled) only when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x2c || code === 0x22 || code === 0x0a || code === 0x0d) {
      return `"${value.replaceAll('"', '""')}"`;
    }
  }
  return value;
}

/** A value from any input as CSV text: missing is empty, objects and arrays as JSON. */
export function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return csvField(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return csvField(JSON.stringify(value));
}

/** A number as JSON: non-finite values become null, as JSON.stringify does. */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
