import type { FailedVersion, ServedVersion } from './served-version.ts';

/** Everything the registry knows about one model at one moment. Never mutated once published. */
export interface ModelState {
  readonly name: string;
  /** Every version folder on disk (and labelled ones serving from memory), ascending. */
  readonly versions: readonly number[];
  /** The versions the retention policy loads (the others are listed but not in memory). */
  readonly kept: ReadonlySet<number>;
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
  kept: ReadonlySet<number> = new Set(versions),
): ModelState {
  const state = { name, versions, kept, served, failed, labels };
  // Own properties only: a label named like an Object.prototype member is not a label.
  const production = Object.hasOwn(labels, 'production') ? labels.production : undefined;
  if (production !== undefined) {
    if (served.has(production)) return { ...state, defaultVersion: production };
    // The failure's code, not its reason: reasons quote paths and file contents (logs only).
    const why = failed.get(production)?.code ?? 'no such version';
    return {
      ...state,
      defaultVersion: undefined,
      unavailable: `label production points to version ${production}: ${why}`,
    };
  }
  const highest = [...served.keys()].sort((a, b) => a - b).at(-1);
  if (highest !== undefined) return { ...state, defaultVersion: highest };
  return {
    ...state,
    defaultVersion: undefined,
    unavailable: versions.length === 0 ? 'no versions' : 'no version passed verification',
  };
}
