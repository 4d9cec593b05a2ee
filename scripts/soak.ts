/**
 * Soak test of the server: `npm run soak -- [--minutes 10]`. Starts a server on a private model
 * store and sends mixed traffic for the given time: valid 1-row requests on the three protocols,
 * invalid requests, 1,000-row bulk requests and wide CSV bodies (1,000 rows × 470 columns), while
 * new versions are written (hot swaps), the production label moves and old versions are deleted.
 * Every minute it prints the server's RSS, its event-loop delay (p99, from /metrics), the p99 of
 * /healthz and of 1-row predictions, and the count of unexpected answers. Exits 1 if any answer
 * was unexpected or /healthz p99 reached 50 ms in any minute after the first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CREDIT,
  CREDIT_ROW,
  freePort,
  PENGUINS,
  waitUntilReady,
  writeFixtureVersion,
} from '@tandem/fixtures';
import { FileModelStore } from '@tandem/model-store';
import { initBackend } from '@tandem/runtime';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
const minutes = Number(values.minutes);
const MAIN = fileURLToPath(new URL('../apps/server/src/main.ts', import.meta.url));

/** Latencies and outcomes of one kind of request within the current minute. */
class Tally {
  latencies: number[] = [];
  count = 0;
  unexpected = new Map<string, number>();
  record(ms: number, outcome: string, expected: boolean): void {
    this.latencies.push(ms);
    this.count++;
    if (!expected) this.unexpected.set(outcome, (this.unexpected.get(outcome) ?? 0) + 1);
  }
  p99(): number {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
  }
  reset(): void {
    this.latencies = [];
    this.count = 0;
    this.unexpected = new Map();
  }
}

const tallies = {
  health: new Tally(),
  predict: new Tally(),
  invalid: new Tally(),
  bulk: new Tally(),
  wide: new Tally(),
};
let stop = false;
const totals = new Map<string, number>();

async function timed(
  tally: Tally,
  expected: readonly number[],
  send: () => Promise<Response>,
): Promise<void> {
  const started = performance.now();
  let outcome: string;
  let ok: boolean;
  try {
    const res = await send();
    await res.arrayBuffer();
    outcome = String(res.status);
    ok = expected.includes(res.status);
  } catch (error) {
    outcome = (error as { cause?: { code?: string } }).cause?.code ?? 'network error';
    ok = false;
  }
  tally.record(performance.now() - started, outcome, ok);
}

const post = (url: string, body: string, type = 'application/json') =>
  fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

async function loop(body: () => Promise<void>, pauseMs = 0): Promise<void> {
  while (!stop) {
    await body();
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  await initBackend({ log: () => undefined });
  const dir = await mkdtemp(join(tmpdir(), 'tandem-soak-'));
  const store = new FileModelStore(dir);
  await writeFixtureVersion(dir, { ...CREDIT, seed: 1 });
  await writeFixtureVersion(dir, { ...CREDIT, seed: 2 });
  await writeFixtureVersion(dir, { ...PENGUINS, seed: 3 });
  await store.setLabel('credit', 'production', 2);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      ...['--artifacts', dir, '--port', String(port), '--log-level', 'error'],
      ...['--reload-interval', '1000', '--max-cells', '1000000', '--drain-delay', '0'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitUntilReady(url, { pollMs: 100 });

  const one = JSON.stringify({ instances: [CREDIT_ROW] });
  const v2 = JSON.stringify({
    inputs: Object.entries(CREDIT_ROW).map(([name, v]) => ({
      name,
      shape: [1],
      datatype: typeof v === 'number' ? 'FP64' : 'BYTES',
      data: [v],
    })),
  });
  const bulk = JSON.stringify({ instances: Array.from({ length: 1_000 }, () => CREDIT_ROW) });
  const columns = [
    ...Object.keys(CREDIT_ROW),
    ...Array.from({ length: 457 }, (_, i) => `extra_${i}`),
  ];
  const line = [...Object.values(CREDIT_ROW).map(String), ...columns.slice(13).map(() => '7')].join(
    ',',
  );
  const wide = `${columns.join(',')}\n${`${line}\n`.repeat(1_000)}`;
  const invalid = [
    () =>
      post(
        `${url}/v1/models/credit/predict`,
        JSON.stringify({ instances: [{ ...CREDIT_ROW, Age: 'old' }] }),
      ),
    () => post(`${url}/v1/models/nope/predict`, one),
    () => post(`${url}/v1/models/credit:predict`, '{"instances": ['),
    () =>
      post(
        `${url}/v1/models/credit/predict`,
        JSON.stringify({ instances: [{ ...CREDIT_ROW, Income: 1e41 }] }),
      ),
  ];
  let turn = 0;
  const routes = [
    () => post(`${url}/v1/models/credit/predict`, one),
    () => post(`${url}/v1/models/credit:predict`, one),
    () => post(`${url}/v2/models/credit/infer`, v2),
    () => post(`${url}/v1/models/credit/labels/production/predict`, one),
  ];
  // 429 / 503 are admission control doing its job under this load, not failures.
  const shed = [429, 503];
  const clients = [
    ...Array.from({ length: 4 }, () =>
      loop(() => timed(tallies.predict, [200, ...shed], routes[turn++ % routes.length]!)),
    ),
    loop(() => timed(tallies.invalid, [400, 404, ...shed], invalid[turn++ % invalid.length]!), 20),
    loop(
      () =>
        timed(tallies.bulk, [200, ...shed], () => post(`${url}/v1/models/credit/predict`, bulk)),
      50,
    ),
    loop(
      () =>
        timed(tallies.wide, [200, ...shed], () =>
          post(`${url}/v1/models/credit/predict?echo=false`, wide, 'text/csv'),
        ),
      500,
    ),
    loop(() => timed(tallies.health, [200], () => fetch(`${url}/healthz`)), 100),
  ];

  // The store changes under the traffic: a new version every 30 s, production moving to it,
  // versions older than the newest four (and not labelled) deleted.
  let seed = 10;
  const churn = setInterval(async () => {
    const version = await writeFixtureVersion(dir, { ...CREDIT, seed: seed++ });
    setTimeout(() => void store.setLabel('credit', 'production', version), 5_000);
    const versions = (await readdir(join(dir, 'credit')))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
    for (const old of versions.slice(0, -4)) {
      await rm(join(dir, 'credit', String(old)), { recursive: true, force: true });
    }
  }, 30_000);

  let failed = false;
  console.log('minute  rss_mb  loop_p99_ms  healthz_p99_ms  predict_p99_ms  requests  unexpected');
  for (let minute = 1; minute <= minutes; minute++) {
    await new Promise((r) => setTimeout(r, 60_000));
    const metrics = await (await fetch(`${url}/metrics?scope=process`)).text();
    const loopP99 =
      Number(/^tandem_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN) *
      1000;
    const requests = Object.values(tallies).reduce((n, t) => n + t.count, 0);
    const unexpected = new Map<string, number>();
    for (const [name, t] of Object.entries(tallies)) {
      for (const [outcome, n] of t.unexpected) {
        unexpected.set(`${name}:${outcome}`, n);
        totals.set(`${name}:${outcome}`, (totals.get(`${name}:${outcome}`) ?? 0) + n);
      }
    }
    const health = tallies.health.p99();
    if (unexpected.size > 0 || (minute > 1 && health >= 50)) failed = true;
    console.log(
      [
        String(minute).padStart(6),
        rssMb(server.pid ?? 0)
          .toFixed(0)
          .padStart(7),
        loopP99.toFixed(1).padStart(12),
        health.toFixed(1).padStart(15),
        tallies.predict.p99().toFixed(1).padStart(15),
        String(requests).padStart(9),
        `  ${unexpected.size === 0 ? 0 : JSON.stringify(Object.fromEntries(unexpected))}`,
      ].join(''),
    );
    for (const t of Object.values(tallies)) t.reset();
  }
  stop = true;
  clearInterval(churn);
  await Promise.all(clients);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await rm(dir, { recursive: true, force: true });
  console.log(
    failed
      ? `FAILED: ${JSON.stringify(Object.fromEntries(totals))}`
      : 'ok: no unexpected answer, /healthz p99 under 50 ms after the first minute',
  );
  process.exit(failed ? 1 : 0);
}

await main();
