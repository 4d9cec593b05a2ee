import { FeatureStateError } from '../errors.ts';
import { describeValue } from '../value-text.ts';

/**
 * Field readers for validating serialised state. Each throws a FeatureStateError naming the path
 * of the bad field ("columns[3].transform.std"), what was expected and what was found.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export function fail(path: string, expected: string, received: unknown): never {
  throw new FeatureStateError(`${path}: expected ${expected}, got ${describeValue(received)}`);
}

export function objectAt(value: unknown, path: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(path, 'an object', value);
  }
  return value as JsonObject;
}

export function arrayAt(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

export function finiteNumber(object: JsonObject, key: string, path: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${path}.${key}`, 'a finite number', value);
  }
  return value;
}

export function count(object: JsonObject, key: string, path: string): number {
  const value = finiteNumber(object, key, path);
  if (!Number.isInteger(value) || value < 0) fail(`${path}.${key}`, 'a count (integer ≥ 0)', value);
  return value;
}

export function nonNegative(object: JsonObject, key: string, path: string): number {
  const value = finiteNumber(object, key, path);
  if (value < 0) fail(`${path}.${key}`, 'a number ≥ 0', value);
  return value;
}

export function text(object: JsonObject, key: string, path: string): string {
  const value = object[key];
  if (typeof value !== 'string') fail(`${path}.${key}`, 'a string', value);
  return value;
}

export function flag(object: JsonObject, key: string, path: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') fail(`${path}.${key}`, 'true or false', value);
  return value;
}

export function oneOf<T extends string>(
  object: JsonObject,
  key: string,
  path: string,
  allowed: readonly T[],
): T {
  const value = object[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(`${path}.${key}`, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);
  }
  return value as T;
}

export function stringList(object: JsonObject, key: string, path: string): string[] {
  return arrayAt(object[key], `${path}.${key}`).map((item, i) => {
    if (typeof item !== 'string') fail(`${path}.${key}[${i}]`, 'a string', item);
    return item;
  });
}

export function numberList(object: JsonObject, key: string, path: string): number[] {
  return arrayAt(object[key], `${path}.${key}`).map((item, i) => {
    if (typeof item !== 'number' || !Number.isFinite(item)) {
      fail(`${path}.${key}[${i}]`, 'a finite number', item);
    }
    return item;
  });
}

/** The `format` field of a serialised object: exactly `supported`, or a clear refusal. */
export function checkFormat(object: JsonObject, supported: number, what: string): void {
  const format = object['format'];
  if (format === supported) return;
  if (typeof format === 'number' && format > supported) {
    throw new FeatureStateError(
      `${what} has format ${format}, newer than the supported format ${supported}: upgrade @tandem/features to read it`,
    );
  }
  throw new FeatureStateError(
    `${what}: expected format ${supported}, got ${describeValue(format)}`,
  );
}
