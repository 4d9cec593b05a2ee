/**
 * How the trainer reads one cell of a data file. CSV delivers every cell as text and an empty
 * field as null; NDJSON keeps JSON types.
 */

/** A cell without a value: null, undefined, blank text, or a number that is not finite. */
export function isMissing(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  return typeof value === 'number' && !Number.isFinite(value);
}

/** A cell as a finite number (a number, or text holding one), else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? parsed : undefined;
}
