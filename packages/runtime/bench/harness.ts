/**
 * What the runtime's benchmarks share: timed rounds, best of interleaved rounds, figures.
 * BENCH_ROUND_SECONDS and BENCH_ROUNDS set the rounds (0.4 s, 5 by default).
 */
import { cpus, loadavg } from 'node:os';

export const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 0.4);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Rows per second of one round: `run` called until ROUND_SECONDS have passed. */
export function round(rowsPerCall: number, run: () => void): number {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 10; i++) run();
    calls += 10;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < ROUND_SECONDS);
  return (calls * rowsPerCall) / elapsed;
}

/**
 * Best rows/s of each contender over ROUNDS interleaved rounds, after `warmup` calls of each: on
 * a shared machine the best round is the one least disturbed by other processes, and
 * interleaving gives every contender the same luck.
 */
export function compare<Name extends string>(
  rowsPerCall: number,
  runs: Record<Name, () => void>,
  warmup = 0,
): Record<Name, number> {
  const names = Object.keys(runs) as Name[];
  for (let i = 0; i < warmup; i++) for (const name of names) runs[name]();
  const best = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) best[name] = Math.max(best[name], round(rowsPerCall, runs[name]));
  }
  return best;
}

/** A rate as a right-aligned whole number with thousands separators. */
export function formatRate(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(12);
}

/** Node version, cores and load average: the context every figure needs. */
export function machineLine(): string {
  return (
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
    `load average ${loadavg()[0]!.toFixed(1)}; best of ${ROUNDS} interleaved ${ROUND_SECONDS} s rounds`
  );
}

/** Resident set size in MiB. */
export function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}
