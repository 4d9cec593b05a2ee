import { UsageError } from './errors.ts';

/** Which stored version to use: `name`, `name@<version>` or `name@<label>`. */
export interface ModelRef {
  name: string;
  version?: number;
  label?: string;
}

/**
 * Parses a model reference.
 * @example parseModelRef('credit@3')          // { name: 'credit', version: 3 }
 * @example parseModelRef('credit@production') // { name: 'credit', label: 'production' }
 */
export function parseModelRef(text: string): ModelRef {
  const match = /^([^@\s]+)(?:@([^@\s]+))?$/.exec(text.trim());
  const name = match?.[1];
  if (match === null || name === undefined) {
    throw new UsageError(
      `--model must be <name>, <name>@<version> or <name>@<label>, got "${text}"`,
    );
  }
  const selector = match[2];
  if (selector === undefined) return { name };
  if (/^\d+$/.test(selector)) return { name, version: Number(selector) };
  return { name, label: selector };
}
