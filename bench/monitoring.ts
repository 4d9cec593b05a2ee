/**
 * The monitoring benchmark (`npm run bench:monitoring`): the same model served twice, in two
 * child processes on loopback, one with monitoring off (TANDEM_MONITORING=off, no log) and one
 * with drift monitoring on and the prediction log at 100 % (NDJSON segments in a temp folder).
 * The load generator (autocannon, in this process) drives one server at a time, alternating
 * rounds, so both see the same machine. Prints, per request size, req/s and the server's CPU time
 * per request (from /proc, less sensitive than req/s to other jobs on a shared machine), for the
 * whole process and for its serving (main) thread alone (drift and the prediction log run in the
 * monitoring thread's worker), each as the median over rounds, and the ratios on / off.
 *
 *   npm run bench:monitoring -- [--duration 5] [--rounds 5] [--connections 16] [--epochs 3]
 *     [--only "1 row"|"100 rows"] [--profile <folder>]
 *
 * `--profile` writes a CPU profile of each server's serving thread into the folder (node
 * --cpu-prof; the monitoring thread's worker is not in it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, serverProcessArgv, waitUntilReady } from '@tandem/fixtures';
import { parseText } from '@tandem/tabular';
import autocannon, { type Result } from 'autocannon';
import { cpuSeconds, median } from './proc-stats.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'apps/server/src/main.ts');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    epochs: { type: 'string', default: '3' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function startServer(artifacts: string, port: number, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [
      ...(args.profile === undefined
        ? []
        : ['--cpu-prof', '--cpu-prof-dir', resolve(args.profile)]),
      ...serverProcessArgv(MAIN, artifacts, port, ['--reload-interval', '0']),
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { child, exited, url: `http://127.0.0.1:${port}` };
}

/** A fixed-duration load of credit predictions; any failed answer fails the benchmark. */
async function loadCredit(url: string, body: string): Promise<Result> {
  const result = await autocannon({
    url: `${url}/v1/models/credit/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: Number(args.connections),
    duration: Number(args.duration),
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
    );
  }
  return result;
}

interface Round {
  rate: number;
  /** CPU µs per request: the whole process, and its serving (main) thread alone. */
  cpu: number;
  serving: number;
}

/** One round against one server: req/s and CPU µs per request. */
async function round(server: { url: string; child: ChildProcess }, body: string): Promise<Round> {
  const pid = server.child.pid as number;
  const before = cpuSeconds(pid);
  const servingBefore = cpuSeconds(pid, true);
  const result = await loadCredit(server.url, body);
  const perRequest = (seconds: number) => (seconds / result.requests.total) * 1e6;
  return {
    rate: result.requests.average,
    cpu: perRequest(cpuSeconds(pid) - before),
    serving: perRequest(cpuSeconds(pid, true) - servingBefore),
  };
}

async function requestsPerSecond(url: string, body: string): Promise<number> {
  return (await loadCredit(url, body)).requests.average;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-monitoring-'));
  const servers: ReturnType<typeof startServer>[] = [];
  try {
    const { train } = await import('@tandem/trainer');
    const models = join(ROOT, 'data/models');
    const config = JSON.parse(readFileSync(join(models, 'credit.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const split = config.split as { file?: string };
    // A config object's paths are taken from the working directory: resolve them from its folder.
    const trained = await train({
      config: {
        ...config,
        data: resolve(models, String(config.data)),
        split: {
          ...split,
          ...(split.file === undefined ? {} : { file: resolve(models, split.file) }),
        },
        training: { ...(config.training as object), epochs: Number(args.epochs) },
      } as never,
      artifacts: join(dir, 'artifacts'),
    });
    trained.predictor.dispose();
    const versionFiles = readdirSync(trained.path);
    if (!versionFiles.includes('profile.json'))
      throw new Error('the trained version has no profile.json');
    const rows = parseText(readFileSync(join(ROOT, 'data/credit.csv'), 'utf8'), 'csv').rows.map(
      (row) => {
        const { Status: _target, ...inputs } = row;
        return inputs;
      },
    );
    const bodies = (
      [
        ['1 row', JSON.stringify({ instances: rows.slice(0, 1) })],
        ['100 rows', JSON.stringify({ instances: rows.slice(0, 100) })],
      ] as [string, string][]
    ).filter(([name]) => args.only === undefined || name === args.only);
    const artifacts = join(dir, 'artifacts');
    const off = startServer(artifacts, await freePort(), { TANDEM_MONITORING: 'off' });
    const on = startServer(artifacts, await freePort(), {
      TANDEM_MONITORING: 'on',
      TANDEM_PREDICTION_LOG: join(dir, 'log'),
      TANDEM_PREDICTION_LOG_SAMPLE: '100',
    });
    servers.push(off, on);
    await Promise.all([
      waitUntilReady(off.url, { child: off.child }),
      waitUntilReady(on.url, { child: on.child }),
    ]);
    const lines: string[] = [];
    for (const [name, body] of bodies) {
      // Warm-up for both, then alternating rounds: drift of the machine hits both sides alike.
      await requestsPerSecond(off.url, body);
      await requestsPerSecond(on.url, body);
      const offRounds: Round[] = [];
      const onRounds: Round[] = [];
      for (let r = 0; r < Number(args.rounds); r++) {
        offRounds.push(await round(off, body));
        onRounds.push(await round(on, body));
      }
      const rateOff = median(offRounds.map((x) => x.rate));
      const rateOn = median(onRounds.map((x) => x.rate));
      const cpuOff = median(offRounds.map((x) => x.cpu));
      const cpuOn = median(onRounds.map((x) => x.cpu));
      const servingOff = median(offRounds.map((x) => x.serving));
      const servingOn = median(onRounds.map((x) => x.serving));
      lines.push(
        `| ${name} | ${rateOff.toFixed(0)} | ${rateOn.toFixed(0)} | ${(rateOn / rateOff).toFixed(2)} | ` +
          `${cpuOff.toFixed(0)} | ${cpuOn.toFixed(0)} | ${(cpuOff / cpuOn).toFixed(2)} | ` +
          `${servingOff.toFixed(0)} | ${servingOn.toFixed(0)} | ${(servingOff / servingOn).toFixed(2)} |`,
      );
      log(
        `${name}: off ${rateOff.toFixed(0)} req/s ${cpuOff.toFixed(0)} µs (serving thread ${servingOff.toFixed(0)}), ` +
          `on ${rateOn.toFixed(0)} req/s ${cpuOn.toFixed(0)} µs (serving thread ${servingOn.toFixed(0)})`,
      );
    }
    const report = (await (await fetch(`${on.url}/v1/models/credit/monitoring`)).json()) as {
      rowsSeen: number;
      driftRowsDropped: number;
      predictionLog: {
        sent: number;
        written: number;
        dropped: number;
        failed: number;
        pending: number;
      };
    };
    const argv = process.argv.slice(2);
    console.log(
      `\n${argv.length === 0 ? 'npm run bench:monitoring' : `npm run bench:monitoring -- ${argv.join(' ')}`}`,
    );
    console.log(
      `${args.connections} connections, ${args.duration} s per round, ${args.rounds} alternating rounds per side ` +
        `(medians), 1 process each; on = drift monitoring + prediction log at 100 %; ` +
        `load average ${loadavg()[0]?.toFixed(1)} at the end\n`,
    );
    console.log(
      '| request | off, req/s | on, req/s | on / off | off, CPU µs/request | on, CPU µs/request | off / on (CPU) | off, serving thread µs | on, serving thread µs | off / on (serving thread) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const line of lines) console.log(line);
    const l = report.predictionLog;
    console.log(
      `\nmonitored server: ${report.rowsSeen} rows counted in the drift windows, ` +
        `${report.driftRowsDropped} not counted; prediction log ` +
        `sent ${l.sent}, written ${l.written}, dropped ${l.dropped}, failed ${l.failed}, pending ${l.pending}`,
    );
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
