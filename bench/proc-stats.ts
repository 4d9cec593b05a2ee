/**
 * What the benchmarks read about a server process from /proc (Linux): CPU time, of the process,
 * of its main thread or of a process tree, and resident memory; and the median they report.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) from a /proc stat file (100 ticks/s): /proc/<pid>/stat for the
 * whole process, /proc/<pid>/task/<pid>/stat for its main thread, the one that serves.
 */
export function cpuSeconds(pid: number, thread = false): number {
  const stat = readFileSync(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The process and its children (a cluster's workers). */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Each process of the tree's figure, summed; a process that ended meanwhile counts 0. */
function treeSum(pid: number, figure: (pid: number) => number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      total += figure(p);
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

/** CPU seconds of the process and its children. */
export function treeCpuSeconds(pid: number): number {
  return treeSum(pid, (p) => cpuSeconds(p));
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Resident memory of the process and its children. */
export function treeRssMiB(pid: number): number {
  return treeSum(pid, rssMiB);
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
