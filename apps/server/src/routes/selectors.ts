import { ServerError } from '../errors.ts';
import type { VersionSelector } from '../registry/registry.ts';

/** A version path segment: a canonical decimal integer, else no such version. */
export function parseVersion(name: string, text: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new ServerError(
      'TANDEM_VERSION_NOT_FOUND',
      `model ${name} has no version ${JSON.stringify(text)} (versions are whole numbers)`,
    );
  }
  return Number(text);
}

/** The selector named by a route's path parameters: version, label, or neither (the default). */
export function selectorOf(params: {
  name: string;
  version?: string;
  label?: string;
}): VersionSelector {
  if (params.version !== undefined) return { version: parseVersion(params.name, params.version) };
  if (params.label !== undefined) return { label: params.label };
  return {};
}

/** The three ways a path names a version, as route suffixes after /models/:name. */
export const SELECTOR_PATHS = ['', '/versions/:version', '/labels/:label'] as const;
