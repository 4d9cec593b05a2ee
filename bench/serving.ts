/**
 * The serving benchmark (`npm run bench`): the server runs in a child process on loopback, so the
 * load generator (autocannon, in this process) does not share its core. Prints one table: the
 * constant route, 1-row and 1,000-row predictions under load (req/s, and the server's CPU time
 * per request from /proc), then 1-row predict and explain latency with one client.
 *
 *   npm run bench -- [--artifacts dir] [--duration 10] [--connections 16] [--workers N]
 *                    [--engine auto|tfjs|dense] [--epochs N] [--cold-starts 3] [--rounds 3]
 *
 * Without --artifacts, the shipped models (data/models/*.json) are trained into a temp folder.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, serverProcessArgv, waitUntilReady } from '@tandem/fixtures';
import autocannon, { type Result } from 'autocannon';
import { parse } from 'csv-parse/sync';
import { median, treeCpuSeconds, treeRssMiB } from './proc-stats.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = join(ROOT, 'apps/server/src/main.ts');

const { values: args } = parseArgs({
  options: {
    artifacts: { type: 'string' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string', default: '1' },
    engine: { type: 'string' },
    epochs: { type: 'string' },
    'cold-starts': { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
  },
});
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Trains every shipped config into a temp store with the real trainer. */
async function trainShipped(): Promise<{ dir: string; models: string[] }> {
  const { train } = await import('@tandem/trainer');
  const dir = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
  const configs = readdirSync(join(ROOT, 'data/models')).filter((f) => f.endsWith('.json'));
  const models: string[] = [];
  for (const file of configs.sort()) {
    const path = join(ROOT, 'data/models', file);
    const started = performance.now();
    let config: string | Record<string, unknown> = path;
    if (args.epochs !== undefined) {
      // A config object's paths are relative to the working directory: resolve them from its folder.
      const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      const training = (raw.training ?? {}) as Record<string, unknown>;
      config = {
        ...raw,
        data: resolve(join(ROOT, 'data/models'), String(raw.data)),
        training: { ...training, epochs: Number(args.epochs) },
      };
    }
    const result = await train({ config: config as never, artifacts: dir });
    result.predictor.dispose();
    models.push(result.name);
    log(
      `trained ${result.name} v${result.version} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return { dir, models };
}

async function load(
  url: string,
  body: string,
  options: { duration?: number; amount?: number; connections?: number },
): Promise<Result> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: options.connections ?? connections,
    pipelining: 1,
    ...(options.amount === undefined
      ? { duration: options.duration ?? duration }
      : { amount: options.amount }),
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`,
    );
  }
  return result;
}

function creditRows(n: number): Record<string, unknown>[] {
  const rows = parse(readFileSync(join(ROOT, 'data/credit.csv'), 'utf8'), {
    columns: true,
    cast: (value, context) =>
      context.header || value === '' || Number.isNaN(Number(value)) ? value : Number(value),
  }) as Record<string, unknown>[];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; out.length < n; i++) {
    const { Status: _target, ...row } = rows[i % rows.length] as Record<string, unknown>;
    out.push(row);
  }
  return out;
}

async function main(): Promise<void> {
  let artifacts = args.artifacts === undefined ? undefined : resolve(args.artifacts);
  let temp: string | undefined;
  if (artifacts === undefined) {
    log('training the shipped models into a temp folder…');
    const trained = await trainShipped();
    artifacts = temp = trained.dir;
  }
  const models = readdirSync(artifacts, { withFileTypes: true }).filter(
    (e) => e.isDirectory() && !e.name.startsWith('.'),
  ).length;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverArgs = serverProcessArgv(MAIN, artifacts, port, [
    '--bench-routes',
    '--reload-interval',
    '0',
    '--workers',
    args.workers ?? '1',
    ...(args.engine === undefined ? [] : ['--engine', args.engine]),
  ]);
  const spawnServer = () => {
    const child = spawn(process.execPath, serverArgs, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, exited };
  };
  // Cold start: process spawn → /readyz 200 with every model loaded; the median of a few.
  const coldStarts: number[] = [];
  for (let i = 0; i < Number(args['cold-starts']); i++) {
    const started = performance.now();
    const { child, exited } = spawnServer();
    await waitUntilReady(url, { child, pollMs: 5 });
    coldStarts.push(performance.now() - started);
    child.kill('SIGTERM');
    await exited;
  }
  coldStarts.sort((a, b) => a - b);
  const started = performance.now();
  const { child, exited } = spawnServer();
  try {
    await waitUntilReady(url, { child, pollMs: 5 });
    coldStarts.push(performance.now() - started);
    coldStarts.sort((a, b) => a - b);
    const coldStartMs = coldStarts[Math.floor(coldStarts.length / 2)] as number;
    const pid = child.pid as number;
    const rssLoaded = treeRssMiB(pid);
    const meta = (await (await fetch(`${url}/v1/models/credit`)).json()) as {
      runtime?: { engine: string; backend: string };
    };
    const engine = `${meta.runtime?.engine ?? '?'} engine on ${meta.runtime?.backend ?? '?'}`;

    const one = JSON.stringify({ instances: creditRows(1) });
    const bulk = JSON.stringify({ instances: creditRows(1000) });
    const constantUrl = `${url}/bench/constant`;
    const predictUrl = `${url}/v1/models/credit/predict`;

    log(`warm-up ${warmup} s per route…`);
    await load(constantUrl, one, { duration: warmup });
    await load(predictUrl, one, { duration: warmup });
    await load(predictUrl, bulk, { duration: warmup });

    log(`measuring ${duration} s per route, ${connections} connections…`);
    // Constant and predict alternate, and each keeps its best round: background load on a
    // shared machine then costs both sides alike instead of whichever ran at the wrong moment.
    const best = (a: Result | undefined, b: Result) =>
      a === undefined || b.requests.mean > a.requests.mean ? b : a;
    let constantBest: Result | undefined;
    let predictBest: Result | undefined;
    let bulkBest: Result | undefined;
    // The server's CPU time per request, per round: on a machine whose speed drifts, the two
    // routes' CPU ratio moves less than their req/s ratio (autocannon shares the machine).
    const constantCpu: number[] = [];
    const predictCpu: number[] = [];
    const measured = async (target: string, cpu: number[]): Promise<Result> => {
      const before = treeCpuSeconds(child.pid as number);
      const result = await load(target, one, {});
      cpu.push(((treeCpuSeconds(child.pid as number) - before) / result.requests.total) * 1e6);
      return result;
    };
    for (let round = 0; round < Number(args.rounds); round++) {
      constantBest = best(constantBest, await measured(constantUrl, constantCpu));
      predictBest = best(predictBest, await measured(predictUrl, predictCpu));
      bulkBest = best(bulkBest, await load(predictUrl, bulk, {}));
    }
    const constant = constantBest as Result;
    const predict = predictBest as Result;
    const bulkResult = bulkBest as Result;

    // One client at a time: the latency of a 1-row explanation next to that of a prediction,
    // alternating rounds, each side keeping its round with the lowest p99.
    log(`1-row predict and explain, 1 connection, ${duration} s per route…`);
    const explainUrl = `${url}/v1/models/credit/explain`;
    await load(explainUrl, one, { duration: warmup, connections: 1 });
    const calmest = (a: Result | undefined, b: Result) =>
      a === undefined || b.latency.p99 < a.latency.p99 ? b : a;
    let predictAlone: Result | undefined;
    let explainAlone: Result | undefined;
    for (let round = 0; round < Number(args.rounds); round++) {
      predictAlone = calmest(predictAlone, await load(predictUrl, one, { connections: 1 }));
      explainAlone = calmest(explainAlone, await load(explainUrl, one, { connections: 1 }));
    }
    const predictOne = predictAlone as Result;
    const explainOne = explainAlone as Result;

    log('100,000 one-row predictions, twice, for memory…');
    await load(predictUrl, one, { amount: 100_000 });
    const rss100k = treeRssMiB(pid);
    await load(predictUrl, one, { amount: 100_000 });
    const rss200k = treeRssMiB(pid);

    const ratio = predict.requests.mean / constant.requests.mean;
    const rows: [string, string][] = [
      ['machine', `${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}`],
      ['server', `workers ${args.workers}, ${engine}, ${models} models, loopback`],
      [
        'load',
        `autocannon ${connections} connections, keep-alive, ${duration} s per route after ${warmup} s warm-up, best of ${args.rounds} alternating rounds`,
      ],
      ['constant route req/s', constant.requests.mean.toFixed(0)],
      ['constant p50 / p99 ms', `${constant.latency.p50} / ${constant.latency.p99}`],
      ['predict 1-row req/s', predict.requests.mean.toFixed(0)],
      ['predict / constant', `${(ratio * 100).toFixed(1)} %`],
      [
        'server CPU µs per request: constant, predict',
        `${median(constantCpu).toFixed(1)}, ${median(predictCpu).toFixed(1)} (medians of ${args.rounds} rounds)`,
      ],
      [
        'predict / constant, by server CPU',
        `${((median(constantCpu) / median(predictCpu)) * 100).toFixed(1)} %`,
      ],
      ['predict p50 / p99 ms', `${predict.latency.p50} / ${predict.latency.p99}`],
      ['bulk 1,000-row req/s', bulkResult.requests.mean.toFixed(1)],
      ['bulk rows/s', (bulkResult.requests.mean * 1000).toFixed(0)],
      ['bulk p50 / p99 ms', `${bulkResult.latency.p50} / ${bulkResult.latency.p99}`],
      [
        'predict 1-row, 1 connection: p50 / p99 ms',
        `${predictOne.latency.p50} / ${predictOne.latency.p99} (${predictOne.requests.mean.toFixed(0)} req/s)`,
      ],
      [
        'explain 1-row, 1 connection: p50 / p99 ms',
        `${explainOne.latency.p50} / ${explainOne.latency.p99} (${explainOne.requests.mean.toFixed(0)} req/s)`,
      ],
      [
        'cold start (spawn → /readyz 200)',
        `${coldStartMs.toFixed(0)} ms median of ${coldStarts.length} (min ${coldStarts[0]?.toFixed(0)})`,
      ],
      ['RSS after loading', `${rssLoaded.toFixed(0)} MiB`],
      ['RSS after 100,000 predictions', `${rss100k.toFixed(0)} MiB`],
      ['RSS after 200,000 predictions', `${rss200k.toFixed(0)} MiB`],
    ];
    const argv = process.argv.slice(2);
    rows.push([
      'command',
      argv.length === 0 ? 'npm run bench' : `npm run bench -- ${argv.join(' ')}`,
    ]);
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(
      `\n| ${'figure'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | --- |\n`,
    );
    for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(width)} | ${v} |\n`);
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    log(`server stopped with exit code ${code}`);
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
