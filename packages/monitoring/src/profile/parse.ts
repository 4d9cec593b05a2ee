import { MonitoringError } from '../errors.ts';
import { cellCount } from './bins.ts';
import { type ColumnProfile, PROFILE_FORMAT, type ReferenceProfile } from './types.ts';

/** profile.json bytes: plain JSON, byte-identical for the same profile. */
export function encodeProfile(profile: ReferenceProfile): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(profile)}\n`);
}

/** Reads profile.json bytes (or parsed JSON); TANDEM_PROFILE_INVALID names what is wrong. */
export function parseProfile(
  input: Uint8Array | string | unknown,
  where = 'profile.json',
): ReferenceProfile {
  let value: unknown = input;
  if (input instanceof Uint8Array || typeof input === 'string') {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalid(where, `is not JSON (${(error as Error).message})`);
    }
  }
  const p = value as Partial<ReferenceProfile> | null;
  if (typeof p !== 'object' || p === null) throw invalid(where, 'is not an object');
  if (p.format !== PROFILE_FORMAT) {
    throw invalid(
      where,
      `has format ${JSON.stringify(p.format)}; this Tandem reads format ${PROFILE_FORMAT}`,
    );
  }
  if (!isCount(p.rows) || !isCount(p.bins))
    throw invalid(where, 'needs whole-number rows and bins');
  if (!Array.isArray(p.columns)) throw invalid(where, 'needs a columns list');
  for (const [i, c] of p.columns.entries()) checkColumn(c, `${where} columns[${i}]`);
  const output = p.output;
  if (typeof output !== 'object' || output === null || !Array.isArray(output.columns)) {
    throw invalid(where, 'needs an output with a columns list');
  }
  if (!['binary', 'multiclass', 'regression'].includes(output.task)) {
    throw invalid(where, `output.task ${JSON.stringify(output.task)} is not a task`);
  }
  for (const [i, c] of output.columns.entries()) {
    checkColumn(c, `${where} output.columns[${i}]`);
  }
  return p as ReferenceProfile;
}

function checkColumn(value: unknown, where: string): asserts value is ColumnProfile {
  const c = value as Partial<ColumnProfile> | null;
  if (typeof c !== 'object' || c === null || typeof c.name !== 'string') {
    throw invalid(where, 'needs a name');
  }
  if (
    !isCount(c.rows) ||
    !isCount(c.missing) ||
    !Array.isArray(c.counts) ||
    !c.counts.every(isCount)
  ) {
    throw invalid(where, `(${c.name}) needs whole-number rows, missing and counts`);
  }
  if (c.kind === 'numeric') {
    const edges = c.edges;
    if (!Array.isArray(edges) || !edges.every((e) => Number.isFinite(e))) {
      throw invalid(where, `(${c.name}) needs finite edges`);
    }
    for (let i = 1; i < edges.length; i++) {
      if ((edges[i] as number) <= (edges[i - 1] as number)) {
        throw invalid(where, `(${c.name}) edges must increase`);
      }
    }
    if (edges.length > 0 && c.counts.length !== cellCount(edges)) {
      throw invalid(where, `(${c.name}) has ${c.counts.length} counts for ${edges.length} edges`);
    }
    if (
      !Array.isArray(c.means) ||
      c.means.length !== c.counts.length ||
      !c.means.every((m) => Number.isFinite(m))
    ) {
      throw invalid(where, `(${c.name}) needs one finite mean per cell`);
    }
    if (!Number.isFinite(c.mean) || !Number.isFinite(c.std) || (c.std as number) < 0) {
      throw invalid(where, `(${c.name}) needs a finite mean and std`);
    }
    return;
  }
  if (c.kind === 'categorical') {
    if (!Array.isArray(c.levels) || !c.levels.every((l) => typeof l === 'string')) {
      throw invalid(where, `(${c.name}) needs string levels`);
    }
    if (c.counts.length !== c.levels.length + 1) {
      throw invalid(where, `(${c.name}) needs one count per level plus the unseen bucket`);
    }
    return;
  }
  throw invalid(
    where,
    `(${c.name}) has kind ${JSON.stringify(c.kind)}; numeric or categorical expected`,
  );
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function invalid(where: string, problem: string): MonitoringError {
  return new MonitoringError('TANDEM_PROFILE_INVALID', `${where} ${problem}`);
}
