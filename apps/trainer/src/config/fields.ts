import { TrainerError } from '../errors.ts';
import { didYouMean } from './suggest.ts';

/**
 * Small readers for a JSON config: each checks one value and, when it is wrong, throws an error
 * naming the key by its dotted path, what was expected and what was found.
 */

export type JsonObject = Record<string, unknown>;

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function invalid(path: string, expected: string, value: unknown): TrainerError {
  return new TrainerError(
    'TANDEM_CONFIG_INVALID',
    `config key "${path}": expected ${expected}, got ${describeValue(value)}`,
  );
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalid(path === '' ? '(root)' : path, 'an object', value);
  return value;
}

/** Rejects any key outside `allowed`, suggesting the nearest allowed one. */
export function checkKeys(object: JsonObject, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new TrainerError(
        'TANDEM_CONFIG_INVALID',
        `unknown config key "${join(path, key)}"${didYouMean(key, allowed)}`,
      );
    }
  }
}

export function requireKey(object: JsonObject, key: string, path: string): unknown {
  const value = object[key];
  if (value === undefined) {
    throw new TrainerError(
      'TANDEM_CONFIG_INVALID',
      `missing required config key "${join(path, key)}"`,
    );
  }
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(path, 'a non-empty string', value);
  return value;
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, 'true or false', value);
  return value;
}

export function readChoice<T extends string>(
  value: unknown,
  choices: readonly T[],
  path: string,
): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    const hint = typeof value === 'string' ? didYouMean(value, choices) : '';
    throw new TrainerError(
      'TANDEM_CONFIG_INVALID',
      `config key "${path}": expected one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describeValue(value)}${hint}`,
    );
  }
  return value as T;
}

interface NumberRule {
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

function ruleText(rule: NumberRule): string {
  const noun = rule.integer ? 'an integer' : 'a number';
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  if (rule.below !== undefined) parts.push(`< ${rule.below}`);
  return parts.length === 0 ? noun : `${noun} ${parts.join(' and ')}`;
}

export function readNumber(value: unknown, path: string, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below);
  if (!ok) throw invalid(path, ruleText(rule), value);
  return value as number;
}

export function readStringArray(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw invalid(path, 'an array of strings', value);
  return value.map((item, index) => readString(item, `${path}[${index}]`));
}

/** `read(value)` when the key is present, else the default. */
export function optional<T>(
  object: JsonObject,
  key: string,
  fallback: T,
  read: (value: unknown) => T,
): T {
  const value = object[key];
  return value === undefined ? fallback : read(value);
}
