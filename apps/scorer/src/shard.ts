import { UsageError } from '@tandem/cli';

/**
 * One shard of a sharded run: `index` of `count`, 0-based as Kubernetes' JOB_COMPLETION_INDEX.
 *
 * The split rule (docs/deploy.md, "Sharded scoring"): the inputs, in the order given, are laid
 * end to end as one sequence of S bytes (S = the sum of their sizes); a record belongs to shard
 * ⌊o·N / S⌋, o being the offset of its first byte in that sequence, counted from the first byte
 * after its file's header. Every shard finds record starts with the same framing, from the start
 * of each file it reads, so all shards agree on every record, whatever the quoting, and the
 * parts, concatenated in shard order, are one full run's output.
 */
export interface Shard {
  index: number;
  count: number;
}

/** Shards a run may have: a bound that keeps part names at 5 digits. */
export const MAX_SHARDS = 99_999;

const SHARD = /^(0|[1-9][0-9]*)\/([1-9][0-9]*)$/;

/** Parses `i/N` (0 ≤ i < N); a bad value is a usage error naming `source`. */
export function parseShard(value: string, source = '--shard'): Shard {
  const match = SHARD.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count > MAX_SHARDS || index >= count) {
    throw new UsageError(
      `${source} must be i/N with 0 ≤ i < N ≤ ${MAX_SHARDS} (i 0-based, as JOB_COMPLETION_INDEX), got ${JSON.stringify(value)}`,
    );
  }
  return { index, count };
}

/**
 * The shard Kubernetes' Indexed Job gives a pod: JOB_COMPLETION_INDEX (set by the Job
 * controller) of JOB_COMPLETIONS (set in the pod template, equal to spec.completions). Undefined
 * when neither is set; one without the other, or a bad value, is a usage error naming it.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv): Shard | undefined {
  const index = env['JOB_COMPLETION_INDEX'];
  const count = env['JOB_COMPLETIONS'];
  const given = (value: string | undefined) => value !== undefined && value !== '';
  if (!given(index) && !given(count)) return undefined;
  if (!given(index)) throw new UsageError('JOB_COMPLETIONS is set but JOB_COMPLETION_INDEX is not');
  if (!given(count)) throw new UsageError('JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not');
  if (!/^[0-9]+$/.test(index as string)) {
    throw new UsageError(
      `JOB_COMPLETION_INDEX must be a non-negative integer, got ${JSON.stringify(index)}`,
    );
  }
  return parseShard(`${index}/${count}`, 'JOB_COMPLETION_INDEX/JOB_COMPLETIONS');
}

/** The shard of a record whose first byte is at `offset` of `total` bytes (exact integers). */
export function shardOfOffset(offset: number, total: number, count: number): number {
  if (count === 1 || total <= 0) return 0;
  const shard = Number((BigInt(offset) * BigInt(count)) / BigInt(total));
  return Math.min(shard, count - 1);
}

/** The offsets [start, end) whose records belong to `shard`: ⌈i·S/N⌉ to ⌈(i+1)·S/N⌉. */
export function shardRange(shard: Shard, total: number): { start: number; end: number } {
  const ceil = (i: number): number => {
    const n = BigInt(i) * BigInt(total);
    const d = BigInt(shard.count);
    return Number((n + d - 1n) / d);
  };
  const end = shard.index === shard.count - 1 ? Number.POSITIVE_INFINITY : ceil(shard.index + 1);
  return { start: ceil(shard.index), end };
}

/**
 * Where a shard writes: `{shard}` and `{shards}` in `path` become the 5-digit index and count
 * (`scored/part-{shard}-of-{shards}.csv` → `scored/part-00003-of-00010.csv`); a path without
 * them gets `.part-00003-of-00010` appended. Without a shard the path is used as given.
 */
export function partPath(path: string, shard: Shard | undefined): string {
  if (shard === undefined) return path;
  const index = String(shard.index).padStart(5, '0');
  const count = String(shard.count).padStart(5, '0');
  if (path.includes('{shard}') || path.includes('{shards}')) {
    return path.replaceAll('{shards}', count).replaceAll('{shard}', index);
  }
  return `${path}.part-${index}-of-${count}`;
}
