import type { FailedVersion, ServedVersion } from './served-version.ts';

/** Everything the registry knows about one model at one moment. Never mutated once published. */
export interface ModelState {
  readonly name: string;
  /** Every version folder on disk, ascending. */
  readonly versions: readonly number[];
  readonly served: ReadonlyMap<number, ServedVersion>;
  readonly failed: ReadonlyMap<number, FailedVersion>;
  readonly labels: Readonly<Record<string, number>>;
  /** The version that answers when none is named; undefined when it cannot be served. */
  readonly defaultVersion: number | undefined;
  /** Why there is no default version (for /readyz and 503 answers). */
  readonly unavailable?: string;
}

/**
 * The default version: the production label when set (and then only that version: a broken
 * production version makes the model unavailable rather than silently serving another), else the
 * highest version that passed verification.
 */
export function modelState(
  name: string,
  versions: number[],
  served: Map<number, ServedVersion>,
  failed: Map<number, FailedVersion>,
  labels: Record<string, number>,
): ModelState {
  const production = labels['production'];
  if (production !== undefined) {
    if (served.has(production)) {
      return { name, versions, served, failed, labels, defaultVersion: production };
    }
    const why = failed.get(production)?.reason ?? 'no such version';
    return {
      name,
      versions,
      served,
      failed,
      labels,
      defaultVersion: undefined,
      unavailable: `label production points to version ${production}: ${why}`,
    };
  }
  const highest = [...served.keys()].sort((a, b) => a - b).at(-1);
  if (highest !== undefined) {
    return { name, versions, served, failed, labels, defaultVersion: highest };
  }
  return {
    name,
    versions,
    served,
    failed,
    labels,
    defaultVersion: undefined,
    unavailable: versions.length === 0 ? 'no versions' : 'no version passed verification',
  };
}
